"""Step 1: a tar.gz of the packages folder with a manifest inside, verified by reading it back.

Archive layout: `nexus-cutover-manifest.json` first (path, size and sha256 of every file),
then every regular file of the folder under `packages/`, so `tar -xzf` by hand gives back a
`packages/` folder as the guide's own `tar -czf ... packages/` would.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Literal

from rich.console import Console

from nexus_cutover.dists import Inventory, sha256_of
from nexus_cutover.migrate.errors import BackupError
from nexus_cutover.migrate.progress import Advance, progress_bar
from nexus_cutover.migrate.state import atomic_path, read_json, write_json_atomic

MANIFEST_NAME = "nexus-cutover-manifest.json"
MANIFEST_FORMAT = "nexus-cutover-backup/1"
ARCHIVE_ROOT = "packages"
_CHUNK = 1 << 20

BackupAction = Literal["created", "unchanged", "replaced", "would create", "would replace"]


@dataclass(frozen=True)
class ManifestEntry:
    path: str  # relative to the packages folder, posix separators
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class ArchiveContents:
    manifest: tuple[ManifestEntry, ...]
    members: dict[str, ManifestEntry]  # what the archive really holds, by relative path


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


# -- reading the folder ---------------------------------------------------------------------


def folder_files(packages_dir: Path) -> list[Path]:
    """Every regular file below the folder, in a stable order (tar keeps them all)."""
    if not packages_dir.is_dir():
        raise BackupError(f"{packages_dir}: packages folder not found")
    files = sorted(p for p in packages_dir.rglob("*") if p.is_file())
    if not files:
        raise BackupError(f"{packages_dir}: the packages folder holds no files")
    return files


def folder_entries(
    packages_dir: Path, files: Sequence[Path], advance: Advance
) -> tuple[ManifestEntry, ...]:
    entries = []
    for path in files:
        try:
            entries.append(ManifestEntry(_relative(path, packages_dir), path.stat().st_size,
                                         sha256_of(path)))
        except OSError as error:
            raise BackupError(f"{path}: cannot read: {error.strerror or error}") from None
        advance(1)
    return tuple(entries)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


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
    if previous is not None and previous.manifest == entries and _consistent(previous) == []:
        return BackupResult(archive_path, entries, "unchanged")
    changes = _changes(previous.manifest if previous else (), entries)
    if dry_run:
        action: BackupAction = "would replace" if archive_path.exists() else "would create"
        return BackupResult(archive_path, entries, action, changes=changes)
    with progress_bar("archiving", len(files), enabled=progress, console=console) as advance, \
            atomic_path(archive_path) as temporary:
        _write_archive(temporary, packages_dir, entries, advance)
        problems = _consistent(read_archive(temporary), expected=entries)
        if problems:
            raise BackupError(
                f"{archive_path}: the new archive does not match the folder (did a file change"
                f" while it was written?): {'; '.join(problems[:3])}"
            )
        moved = _move_aside(archive_path) if archive_path.exists() else None
    action = "replaced" if moved else "created"
    return BackupResult(archive_path, entries, action, previous=moved, changes=changes)


def _existing(archive_path: Path) -> ArchiveContents | None:
    if not archive_path.exists():
        return None
    try:
        return read_archive(archive_path)
    except BackupError:
        return ArchiveContents((), {})  # unreadable: replaced like any other difference


def _write_archive(
    destination: Path, packages_dir: Path, entries: Sequence[ManifestEntry], advance: Advance
) -> None:
    manifest = _manifest_bytes(packages_dir, entries)
    try:
        with tarfile.open(destination, "w:gz", format=tarfile.PAX_FORMAT) as archive:
            archive.addfile(_info(MANIFEST_NAME, len(manifest), datetime.now(UTC).timestamp()),
                            io.BytesIO(manifest))
            for entry in entries:
                source = packages_dir / entry.path
                with source.open("rb") as stream:
                    info = _info(f"{ARCHIVE_ROOT}/{entry.path}", source.stat().st_size,
                                 source.stat().st_mtime)
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
        "files": [{"path": e.path, "filename": e.filename, "size": e.size, "sha256": e.sha256}
                  for e in entries],
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def _move_aside(archive_path: Path) -> Path:
    stem = archive_path.name.removesuffix(".tar.gz")
    number = 1
    while (candidate := archive_path.with_name(f"{stem}.{number}.tar.gz")).exists():
        number += 1
    archive_path.replace(candidate)
    return candidate


def _changes(
    before: Iterable[ManifestEntry], after: Iterable[ManifestEntry]
) -> tuple[str, ...]:
    old = {e.path: e for e in before}
    new = {e.path: e for e in after}
    lines = [f"+ {path}" for path in sorted(new.keys() - old.keys())]
    lines += [f"- {path}" for path in sorted(old.keys() - new.keys())]
    lines += [f"~ {path}" for path in sorted(old.keys() & new.keys()) if old[path] != new[path]]
    return tuple(lines)


# -- reading the archive back ---------------------------------------------------------------


def read_archive(archive_path: Path) -> ArchiveContents:
    """The manifest and what each member really holds (sha256 of its bytes)."""
    manifest: tuple[ManifestEntry, ...] | None = None
    members: dict[str, ManifestEntry] = {}
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive:
                stream = archive.extractfile(member) if member.isfile() else None
                if stream is None:
                    continue
                if member.name == MANIFEST_NAME:
                    manifest = _parse_manifest(stream.read(), archive_path)
                elif member.name.startswith(f"{ARCHIVE_ROOT}/"):
                    relative = member.name.removeprefix(f"{ARCHIVE_ROOT}/")
                    size, digest = _digest(stream)
                    members[relative] = ManifestEntry(relative, size, digest)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{archive_path}: unreadable archive: {error}") from None
    if manifest is None:
        raise BackupError(f"{archive_path}: no {MANIFEST_NAME} in the archive")
    return ArchiveContents(manifest, members)


def _digest(stream: IO[bytes]) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    for block in iter(lambda: stream.read(_CHUNK), b""):
        digest.update(block)
        size += len(block)
    return size, digest.hexdigest()


def _copy(stream: IO[bytes], out: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(_CHUNK), b""):
        digest.update(block)
        out.write(block)
    return digest.hexdigest()


def _parse_manifest(data: bytes, archive_path: Path) -> tuple[ManifestEntry, ...]:
    try:
        document = json.loads(data)
        if document.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"unknown format {document.get('format')!r}")
        return tuple(ManifestEntry(str(f["path"]), int(f["size"]), str(f["sha256"]))
                     for f in document["files"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"{archive_path}: unreadable manifest: {error}") from None


def _consistent(
    contents: ArchiveContents, expected: Sequence[ManifestEntry] | None = None
) -> list[str]:
    """Problems between the manifest (or `expected`) and the bytes the archive holds."""
    problems = []
    for entry in contents.manifest if expected is None else expected:
        held = contents.members.get(entry.path)
        if held is None:
            problems.append(f"{entry.path}: in the manifest but not in the archive")
        elif held.sha256 != entry.sha256 or held.size != entry.size:
            problems.append(f"{entry.path}: different bytes in the archive (sha256"
                            f" {held.sha256[:12]}…, manifest {entry.sha256[:12]}…)")
    return problems


def verify_backup(archive_path: Path, inventory: Inventory) -> list[str]:
    """Problems that keep the archive from restoring `inventory` byte for byte; [] when none.

    Files are matched by name (pypiserver serves each basename once, wherever it lies).
    """
    try:
        contents = read_archive(archive_path)
    except BackupError as error:
        return [str(error)]
    problems = _consistent(contents)
    by_name: dict[str, set[str]] = {}
    for entry in contents.members.values():
        by_name.setdefault(entry.filename, set()).add(entry.sha256)
    for dist in inventory.files:
        held = by_name.get(dist.filename)
        if not held:
            problems.append(f"{dist.filename}: missing from the backup")
        elif dist.sha256 not in held:
            problems.append(f"{dist.filename}: different bytes in the backup (sha256"
                            f" {sorted(held)[0][:12]}… in the archive, {dist.sha256[:12]}…"
                            " served)")
    return problems


# -- restoring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    restored: tuple[str, ...]
    present: tuple[str, ...]  # already in the folder with the same bytes


def restore_backup(
    archive_path: Path, packages_dir: Path, *, dry_run: bool = False
) -> RestoreResult:
    """Put every file of the archive back into the folder; a file that is there with other
    bytes stops the restore before anything is written."""
    contents = read_archive(archive_path)
    problems = _consistent(contents)
    if problems:
        raise BackupError(f"{archive_path}: the archive is damaged: {'; '.join(problems[:3])}")
    missing, present, conflicts = [], [], []
    for entry in contents.manifest:
        target = _inside(packages_dir, entry.path, archive_path)
        if not target.exists():
            missing.append(entry)
        elif sha256_of(target) == entry.sha256:
            present.append(entry.path)
        else:
            conflicts.append(entry.path)
    if conflicts:
        raise BackupError(
            f"{packages_dir}: {len(conflicts)} file(s) differ from the backup and would be"
            f" overwritten: {', '.join(conflicts[:5])}; move them away and run again"
        )
    if not dry_run and missing:
        _extract(archive_path, packages_dir, {entry.path: entry for entry in missing})
    return RestoreResult(tuple(e.path for e in missing), tuple(present))


def _inside(root: Path, relative: str, archive_path: Path) -> Path:
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise BackupError(f"{archive_path}: member {relative!r} points outside the folder")
    return target


def _extract(archive_path: Path, packages_dir: Path, wanted: dict[str, ManifestEntry]) -> None:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive:
                relative = member.name.removeprefix(f"{ARCHIVE_ROOT}/")
                entry = wanted.get(relative)
                stream = archive.extractfile(member) if entry and member.isfile() else None
                if entry is None or stream is None:
                    continue
                target = _inside(packages_dir, relative, archive_path)
                with atomic_path(target, 0o644) as temporary:
                    with temporary.open("wb") as out:
                        digest = _copy(stream, out)
                    if digest != entry.sha256:
                        raise BackupError(f"{archive_path}: {relative}: restored bytes differ")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{archive_path}: cannot restore: {error}") from None


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
