"""Run-time settings of one stand-in instance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_NEXUS_VERSION = "3.97.0-13"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    nexus_version: str = DEFAULT_NEXUS_VERSION
    admin_password_file: Path | None = None

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
