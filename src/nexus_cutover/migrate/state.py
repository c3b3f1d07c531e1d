"""Where the migration steps keep their records in the state dir, and how they write files.

Layout below `Target.state_dir`:

    backups/pypi-packages-backup-YYYYMMDD.tar.gz   default backup archive
    backups/latest.json                            which archive `backup` wrote last
    journal/configure.jsonl                        one line per change `configure` made
    journal/originals/<sha256>                     the exact bytes of each file before it changed
    journal/undone.jsonl                           changes `rollback` has undone
    decommission.json                              what `decommission` archived, when and why
    last-report.json                               the acceptance suite's last full run (read only)

Every write goes to a temporary file beside the destination and is renamed into place, so a
reader (or an interrupted run) never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nexus_cutover.atomic import atomic_path
from nexus_cutover.migrate.errors import MigrationError


@dataclass(frozen=True)
class StatePaths:
    root: Path

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    def default_archive(self, day: datetime) -> Path:
        return self.backups / f"pypi-packages-backup-{day:%Y%m%d}.tar.gz"

    @property
    def latest_backup(self) -> Path:
        return self.backups / "latest.json"

    @property
    def journal_dir(self) -> Path:
        return self.root / "journal"

    @property
    def journal(self) -> Path:
        return self.journal_dir / "configure.jsonl"

    @property
    def undone(self) -> Path:
        return self.journal_dir / "undone.jsonl"

    @property
    def originals(self) -> Path:
        return self.journal_dir / "originals"

    @property
    def decommission(self) -> Path:
        return self.root / "decommission.json"

    @property
    def report(self) -> Path:
        return self.root / "last-report.json"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_bytes_atomic(destination: Path, data: bytes, mode: int | None = None) -> None:
    """Replace `destination` with `data`, keeping its permission bits when it exists."""
    if mode is None and destination.exists():
        mode = stat.S_IMODE(destination.stat().st_mode)
    try:
        with atomic_path(destination, mode) as temporary:
            temporary.write_bytes(data)
    except OSError as error:
        raise MigrationError(f"{destination}: cannot write: {error.strerror or error}") from None


def write_json_atomic(destination: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_bytes_atomic(destination, text.encode("utf-8"))


def read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MigrationError(f"{path}: cannot read the {what}: {error.strerror or error}") from None
    except ValueError as error:
        raise MigrationError(f"{path}: the {what} is not valid JSON: {error}") from None
