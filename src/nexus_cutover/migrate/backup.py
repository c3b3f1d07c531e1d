"""Step 1: a tar.gz of the packages folder with a manifest inside, verified by reading it back.

Archive layout: `nexus-cutover-manifest.json` first (path, size and sha256 of every file),
then every regular file of the folder under `packages/`, so `tar -xzf` by hand gives back a
`packages/` folder as the guide's own `tar -czf ... packages/` would.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from rich.console import Console

from nexus_cutover.archive import (
    ARCHIVE_ROOT,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    ArchiveContents,
    ManifestEntry,
    consistency_problems,
    folder_entries,
    folder_files,
    read_archive,
)
from nexus_cutover.atomic import atomic_path
from nexus_cutover.errors import ArchiveError
from nexus_cutover.migrate.errors import BackupError
from nexus_cutover.migrate.progress import Advance, progress_bar
from nexus_cutover.migrate.state import read_json, write_json_atomic

BackupAction = Literal["created", "unchanged", "replaced", "would create", "would replace"]


@dataclass(frozen=True)
class BackupResult:
    archive: Path
    entries: tuple[ManifestEntry, ...]
    action: BackupAction
    previous: Path | None = None  # where an earlier, different archive was moved
    changes: tuple[str, ...] = ()  # against that earlier archive: "+ path", "- path", "~ path"

    @property
    def total_size(self) -> int:
        return sum(entry.size for entry in self.entries)


# -- writing --------------------------------------------------------------------------------


def backup(
    packages_dir: Path,
    archive_path: Path,
    *,
    dry_run: bool = False,
    progress: bool = False,
    console: Console | None = None,
) -> BackupResult:
    """Write and verify the archive; an existing archive with the same content is kept as is.

    An existing archive with other content is moved aside (never overwritten) before the
    new one takes its name.
    """
    if archive_path.resolve().is_relative_to(packages_dir.resolve()):
        raise BackupError(f"{archive_path}: the archive may not lie inside the folder it backs up")
    files = folder_files(packages_dir)
    with progress_bar("hashing", len(files), enabled=progress, console=console) as advance:
        entries = folder_entries(packages_dir, files, advance)
    previous = _existing(archive_path)
    if (
        previous is not None
        and previous.manifest == entries
        and consistency_problems(previous) == []
    ):
        return BackupResult(archive_path, entries, "unchanged")
    changes = _changes(previous.manifest if previous else (), entries)
    if dry_run:
        action: BackupAction = "would replace" if archive_path.exists() else "would create"
        return BackupResult(archive_path, entries, action, changes=changes)
    try:
        with (
            progress_bar("archiving", len(files), enabled=progress, console=console) as advance,
            atomic_path(archive_path) as temporary,
        ):
            _write_archive(temporary, packages_dir, entries, advance)
            problems = consistency_problems(read_archive(temporary), expected=entries)
            if problems:
                raise BackupError(
                    f"{archive_path}: the new archive does not match the folder (did a file"
                    f" change while it was written?): {'; '.join(problems[:3])}"
                )
            moved = _move_aside(archive_path) if archive_path.exists() else None
    except OSError as error:  # e.g. its folder cannot be made: a file is in the way
        where = f" ({error.filename})" if error.filename else ""
        raise BackupError(
            f"{archive_path}: cannot write the archive: {error.strerror or error}{where}"
        ) from None
    action = "replaced" if moved else "created"
    return BackupResult(archive_path, entries, action, previous=moved, changes=changes)


def _existing(archive_path: Path) -> ArchiveContents | None:
    if not archive_path.exists():
        return None
    try:
        return read_archive(archive_path)
    except ArchiveError:
        return ArchiveContents((), {})  # unreadable: replaced like any other difference


def _write_archive(
    destination: Path, packages_dir: Path, entries: Sequence[ManifestEntry], advance: Advance
) -> None:
    manifest = _manifest_bytes(packages_dir, entries)
    try:
        with tarfile.open(destination, "w:gz", format=tarfile.PAX_FORMAT) as archive:
            archive.addfile(
                _info(MANIFEST_NAME, len(manifest), datetime.now(UTC).timestamp()),
                io.BytesIO(manifest),
            )
            for entry in entries:
                source = packages_dir / entry.path
                with source.open("rb") as stream:
                    info = _info(
                        f"{ARCHIVE_ROOT}/{entry.path}",
                        source.stat().st_size,
                        source.stat().st_mtime,
                    )
                    archive.addfile(info, stream)
                advance(1)
    except OSError as error:
        raise BackupError(f"{destination}: cannot write the archive: {error}") from None


def _info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o644
    return info


def _manifest_bytes(packages_dir: Path, entries: Sequence[ManifestEntry]) -> bytes:
    document = {
        "format": MANIFEST_FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": str(packages_dir),
        "files": [
            {"path": e.path, "filename": e.filename, "size": e.size, "sha256": e.sha256}
            for e in entries
        ],
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def _move_aside(archive_path: Path) -> Path:
    stem = archive_path.name.removesuffix(".tar.gz")
    number = 1
    while (candidate := archive_path.with_name(f"{stem}.{number}.tar.gz")).exists():
        number += 1
    archive_path.replace(candidate)
    return candidate


def _changes(before: Iterable[ManifestEntry], after: Iterable[ManifestEntry]) -> tuple[str, ...]:
    old = {e.path: e for e in before}
    new = {e.path: e for e in after}
    lines = [f"+ {path}" for path in sorted(new.keys() - old.keys())]
    lines += [f"- {path}" for path in sorted(old.keys() - new.keys())]
    lines += [f"~ {path}" for path in sorted(old.keys() & new.keys()) if old[path] != new[path]]
    return tuple(lines)


# -- which archive is the latest --------------------------------------------------------------


def remember(latest_file: Path, archive_path: Path) -> None:
    """Record the archive `backup` wrote, for `rollback` to find without being told."""
    write_json_atomic(latest_file, {"archive": str(archive_path.resolve())})


def remembered(latest_file: Path) -> Path | None:
    if not latest_file.exists():
        return None
    document = read_json(latest_file, "backup record")
    archive = document.get("archive") if isinstance(document, dict) else None
    return Path(archive) if isinstance(archive, str) else None
