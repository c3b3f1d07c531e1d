"""Distribution files: project, version and sha256 from names and bytes, via `packaging`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from nexus_cutover.errors import DistributionError

# What pypiserver serves and the migration carries over (pypiserver 2.4.2, pkg_helpers.py).
DIST_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".egg")


@dataclass(frozen=True)
class DistFile:
    project: NormalizedName
    version: str
    filename: str
    sha256: str
    size: int
    path: Path | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What parity compares on: normalized project and filename."""
        return (self.project, self.filename)


@dataclass(frozen=True)
class Inventory:
    files: tuple[DistFile, ...]
    problems: tuple[str, ...]  # one readable line per file that could not be read

    def projects(self) -> dict[str, set[str]]:
        versions: dict[str, set[str]] = {}
        for dist in self.files:
            versions.setdefault(dist.project, set()).add(dist.version)
        return versions


def is_distribution(filename: str) -> bool:
    return filename.lower().endswith(DIST_SUFFIXES)


def parse_filename(filename: str) -> tuple[NormalizedName, str]:
    """(normalized project, version) of a distribution file name."""
    try:
        if filename.endswith(".whl"):
            name, version, _build, _tags = parse_wheel_filename(filename)
            return name, str(version)
        if filename.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(filename)
            return name, str(version)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion) as error:
        raise DistributionError(
            f"{filename}: not a valid distribution file name: {error}"
        ) from None
    return _parse_legacy(filename)


def _parse_legacy(filename: str) -> tuple[NormalizedName, str]:
    # .egg, .tgz, .tar.bz2, .tar.xz: packaging has no parser; name-version[-pyX.Y...]
    stem = filename
    for suffix in DIST_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    parts = stem.split("-")
    if len(parts) < 2:
        raise DistributionError(f"{filename}: not a valid distribution file name")
    try:
        version = Version(parts[1])
    except InvalidVersion:
        raise DistributionError(f"{filename}: cannot read a version from the name") from None
    return canonicalize_name(parts[0]), str(version)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_file(path: Path) -> DistFile:
    project, version = parse_filename(path.name)
    return DistFile(project, version, path.name, sha256_of(path), path.stat().st_size, path)


def iter_dist_paths(folder: Path) -> Iterator[Path]:
    """Every distribution file below `folder`, skipping dot names as pypiserver does."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative):
            continue
        if path.is_file() and is_distribution(path.name):
            yield path


def inventory_folder(folder: Path) -> Inventory:
    if not folder.is_dir():
        raise DistributionError(f"{folder}: packages folder not found")
    return inventory_paths(iter_dist_paths(folder))


def inventory_paths(paths: Iterable[Path]) -> Inventory:
    files, problems = [], []
    for path in paths:
        try:
            files.append(read_file(path))
        except DistributionError as error:
            problems.append(str(error))
    return Inventory(tuple(files), tuple(problems))
