"""Backup archives: their layout, reading them back, verifying and restoring them.

Layout (written by `migrate backup`): `nexus-cutover-manifest.json` first (path, size and
sha256 of every file), then every regular file of the packages folder under `packages/`, so
`tar -xzf` by hand gives back a `packages/` folder as the guide's own
`tar -czf ... packages/` would. Used by the backup and rollback steps and by PRE-2,
ROLLBACK-1 and DECOM-3.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from nexus_cutover.atomic import atomic_path
from nexus_cutover.dists import Inventory, sha256_of
from nexus_cutover.errors import ArchiveError

MANIFEST_NAME = "nexus-cutover-manifest.json"
MANIFEST_FORMAT = "nexus-cutover-backup/1"
ARCHIVE_ROOT = "packages"
_CHUNK = 1 << 20

Advance = Callable[[int], None]


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


# -- reading the folder ---------------------------------------------------------------------


def folder_files(packages_dir: Path) -> list[Path]:
    """Every regular file below the folder, in a stable order (tar keeps them all)."""
    if not packages_dir.is_dir():
        raise ArchiveError(f"{packages_dir}: packages folder not found")
    files = sorted(p for p in packages_dir.rglob("*") if p.is_file())
    if not files:
        raise ArchiveError(f"{packages_dir}: the packages folder holds no files")
    return files


def folder_entries(
    packages_dir: Path, files: Sequence[Path], advance: Advance
) -> tuple[ManifestEntry, ...]:
    entries = []
    for path in files:
        try:
            entries.append(
                ManifestEntry(_relative(path, packages_dir), path.stat().st_size, sha256_of(path))
            )
        except OSError as error:
            raise ArchiveError(f"{path}: cannot read: {error.strerror or error}") from None
        advance(1)
    return tuple(entries)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


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
        raise ArchiveError(f"{archive_path}: unreadable archive: {error}") from None
    if manifest is None:
        raise ArchiveError(f"{archive_path}: no {MANIFEST_NAME} in the archive")
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
        return tuple(
            ManifestEntry(str(f["path"]), int(f["size"]), str(f["sha256"]))
            for f in document["files"]
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ArchiveError(f"{archive_path}: unreadable manifest: {error}") from None


def consistency_problems(
    contents: ArchiveContents, expected: Sequence[ManifestEntry] | None = None
) -> list[str]:
    """Problems between the manifest (or `expected`) and the bytes the archive holds."""
    problems = []
    for entry in contents.manifest if expected is None else expected:
        held = contents.members.get(entry.path)
        if held is None:
            problems.append(f"{entry.path}: in the manifest but not in the archive")
        elif held.sha256 != entry.sha256 or held.size != entry.size:
            problems.append(
                f"{entry.path}: different bytes in the archive (sha256"
                f" {held.sha256[:12]}…, manifest {entry.sha256[:12]}…)"
            )
    return problems


def verify_backup(archive_path: Path, inventory: Inventory) -> list[str]:
    """Problems that keep the archive from restoring `inventory` byte for byte; [] when none.

    Files are matched by name (pypiserver serves each basename once, wherever it lies).
    """
    try:
        contents = read_archive(archive_path)
    except ArchiveError as error:
        return [str(error)]
    problems = consistency_problems(contents)
    by_name: dict[str, set[str]] = {}
    for entry in contents.members.values():
        by_name.setdefault(entry.filename, set()).add(entry.sha256)
    for dist in inventory.files:
        held = by_name.get(dist.filename)
        if not held:
            problems.append(f"{dist.filename}: missing from the backup")
        elif dist.sha256 not in held:
            problems.append(
                f"{dist.filename}: different bytes in the backup (sha256"
                f" {sorted(held)[0][:12]}… in the archive, {dist.sha256[:12]}…"
                " served)"
            )
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
    problems = consistency_problems(contents)
    if problems:
        raise ArchiveError(f"{archive_path}: the archive is damaged: {'; '.join(problems[:3])}")
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
        raise ArchiveError(
            f"{packages_dir}: {len(conflicts)} file(s) differ from the backup and would be"
            f" overwritten: {', '.join(conflicts[:5])}; move them away and run again"
        )
    if not dry_run and missing:
        _extract(archive_path, packages_dir, {entry.path: entry for entry in missing})
    return RestoreResult(tuple(e.path for e in missing), tuple(present))


def _inside(root: Path, relative: str, archive_path: Path) -> Path:
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ArchiveError(f"{archive_path}: member {relative!r} points outside the folder")
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
                        raise ArchiveError(f"{archive_path}: {relative}: restored bytes differ")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise ArchiveError(f"{archive_path}: cannot restore: {error}") from None
