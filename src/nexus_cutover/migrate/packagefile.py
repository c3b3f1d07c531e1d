"""A distribution file, checked end to end and described as twine uploads it.

twine's own `PackageFile.from_filename` knows only .whl, .tar.gz and .zip and refuses
Metadata-Version 2.0; an old index also holds .egg, .tar.bz2 and 2.0 wheels, and Nexus
accepts them all (it reads only the name and version: nexus-public release-3.30.1-01,
PyPiInfoUtils). So the
metadata is read here and handed to twine's `PackageFile` constructor unvalidated: the
migration carries files as they are. Reading every member also proves the archive is whole,
so a truncated file is reported instead of uploaded.
"""

from __future__ import annotations

import lzma
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from packaging.metadata import parse_email
from twine.package import PackageFile

from nexus_cutover.dists import parse_filename
from nexus_cutover.errors import DistributionError

_WHEEL_METADATA = re.compile(r"^[^/]+\.dist-info/METADATA$")
_SDIST_METADATA = re.compile(r"^[^/]+/PKG-INFO$")
_EGG_METADATA = re.compile(r"^EGG-INFO/PKG-INFO$")
_EGG_PYVERSION = re.compile(r"-py(\d+(?:\.\d+)?)")
_TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
    EOFError,
    OSError,
    zlib.error,
    lzma.LZMAError,
    RuntimeError,
)


def package_file(path: Path) -> PackageFile:
    """The file as twine uploads it; DistributionError (one line, naming it) if unusable."""
    parse_filename(path.name)  # a name Nexus cannot place is refused before reading
    filetype, pyversion, read = _kind(path.name)
    try:
        data = read(path)
    except _BROKEN as error:
        raise DistributionError(f"{path.name}: corrupt or unreadable archive: {error}") from None
    raw, _unparsed = parse_email(data)
    if not raw.get("name") or not raw.get("version"):
        raise DistributionError(f"{path.name}: its metadata has no Name or Version")
    return PackageFile(str(path), None, raw, pyversion, filetype)


def _kind(filename: str) -> tuple[str, str, Callable[[Path], bytes]]:
    lower = filename.lower()
    if lower.endswith(".whl"):
        return "bdist_wheel", filename.split("-")[-3], _zip_reader(_WHEEL_METADATA)
    if lower.endswith(".egg"):
        match = _EGG_PYVERSION.search(filename)
        return "bdist_egg", match.group(1) if match else "any", _zip_reader(_EGG_METADATA)
    if lower.endswith(".zip"):
        return "sdist", "source", _zip_reader(_SDIST_METADATA)
    if lower.endswith(_TAR_SUFFIXES):
        return "sdist", "source", _read_tar
    raise DistributionError(f"{filename}: not a distribution format this tool uploads")


def _zip_reader(pattern: re.Pattern[str]) -> Callable[[Path], bytes]:
    def read(path: Path) -> bytes:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()  # reads every member and checks its CRC
            if damaged is not None:
                raise zipfile.BadZipFile(f"member {damaged} is damaged")
            names = [n for n in archive.namelist() if pattern.match(n)]
            if not names:
                raise DistributionError(f"{path.name}: no metadata file in the archive")
            return archive.read(min(names, key=len))

    return read


def _read_tar(path: Path) -> bytes:
    found: bytes | None = None
    with tarfile.open(path, "r:*") as archive:
        for member in archive:  # walking to the end decompresses it all: truncation shows
            if found is None and member.isfile() and _SDIST_METADATA.match(member.name):
                stream = archive.extractfile(member)
                found = stream.read() if stream else None
    if found is None:
        raise DistributionError(f"{path.name}: no PKG-INFO in the archive")
    return found
