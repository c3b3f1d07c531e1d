"""The configuration of one stand-in instance: data directory, version, limits.

Named InstanceConfig so it is never confused with the product's own settings class.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_NEXUS_VERSION = "3.97.0-13"
# Largest multipart part (an uploaded distribution) a request may carry.
MAX_FORM_PART = 256 * 1024 * 1024


@dataclass(frozen=True)
class InstanceConfig:
    data_dir: Path
    nexus_version: str = DEFAULT_NEXUS_VERSION
    admin_password_file: Path | None = None
    # Community Edition usage limits (store/usage.py); None: not enforced.
    usage_limit_components: int | None = None
    usage_limit_requests: int | None = None

    @property
    def skips_offline_group_members(self) -> bool:
        """Groups skip offline members from 3.89.0 on (sonatype/nexus-public#991)."""
        return version_tuple(self.nexus_version) >= (3, 89, 0)

    @property
    def server_header(self) -> str:
        return f"Nexus/{self.nexus_version} (OSS)"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "db" / "standin.sqlite3"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs" / "default"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"

    @property
    def admin_password_path(self) -> Path:
        return self.data_dir / "admin.password"


def version_tuple(version: str) -> tuple[int, ...]:
    """ "3.97.0-13" -> (3, 97, 0); unparsable parts count as 0."""
    release = version.split("-", 1)[0]
    return tuple(int(part) if part.isdigit() else 0 for part in release.split("."))
