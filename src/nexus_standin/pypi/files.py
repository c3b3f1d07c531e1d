"""PyPI distribution files: names, versions, storage paths, content types, archive metadata."""

from __future__ import annotations

import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

# Extensions the Nexus PyPI plugin recognises (3.30 `PyPiFileUtils`), longest first.
EXTENSIONS = sorted(
    (
        ".whl",
        ".egg",
        ".zip",
        ".tar.gz",
        ".tgz",
        ".tar.bz2",
        ".tbz",
        ".tar.xz",
        ".txz",
        ".tar.lz",
        ".tar.lzma",
        ".tlz",
        ".tar.z",
        ".tz",
        ".taz",
        ".tar",
    ),
    key=len,
    reverse=True,
)
SIGNATURE = ".asc"
CONTENT_TYPES = {
    ".whl": "application/zip",
    ".egg": "application/zip",
    ".zip": "application/zip",
    ".tar.gz": "application/x-gzip",
    ".tgz": "application/x-gzip",
    ".tar.bz2": "application/x-bzip2",
    ".tbz": "application/x-bzip2",
    ".tar.xz": "application/x-xz",
    ".txz": "application/x-xz",
    ".tar": "application/x-tar",
    SIGNATURE: "text/plain",
}


@dataclass(frozen=True)
class Metadata:
    name: str
    version: str
    requires_python: str | None = None
    summary: str | None = None


def package_path(name: str, version: str, filename: str) -> str:
    return f"/packages/{canonicalize_name(name)}/{version}/{filename}"


def extension(filename: str) -> str | None:
    lower = filename.lower()
    return next((ext for ext in EXTENSIONS if lower.endswith(ext)), None)


def content_type(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith(SIGNATURE):
        return CONTENT_TYPES[SIGNATURE]
    ext = extension(filename)
    return CONTENT_TYPES.get(ext or "", "application/octet-stream")


def name_and_version(filename: str) -> tuple[str, str] | None:
    """Project name and the version string as spelled in a distribution file's name."""
    base = filename[: -len(SIGNATURE)] if filename.lower().endswith(SIGNATURE) else filename
    ext = extension(base)
    if ext is None:
        return None
    stem = base[: -len(ext)]
    if ext in (".whl", ".egg"):
        parts = stem.split("-")
        if ext == ".whl":
            try:
                parse_wheel_filename(base)
            except InvalidWheelFilename:
                return None
        return (parts[0], parts[1]) if len(parts) >= 2 else None
    try:
        parse_sdist_filename(stem + ".tar.gz")
    except InvalidSdistFilename:
        return None
    name, _, version = stem.rpartition("-")
    return name, version


def read_metadata(path: Path, filename: str) -> Metadata | None:
    """Core metadata from a wheel, egg, zip or tar archive (PKG-INFO / METADATA)."""
    ext = extension(filename) or ""
    try:
        if ext in (".whl", ".egg", ".zip"):
            text = _zip_metadata(path)
        elif ext:
            text = _tar_metadata(path)
        else:
            return None
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError, UnicodeDecodeError):
        return None
    if text is None:
        return None
    message = HeaderParser().parsestr(text)
    return Metadata(
        name=message.get("Name", "").strip(),
        version=message.get("Version", "").strip(),
        requires_python=message.get("Requires-Python"),
        summary=message.get("Summary"),
    )


def _is_metadata_member(name: str) -> bool:
    parts = name.split("/")
    if parts[-1] == "METADATA":
        return len(parts) == 2 and parts[0].endswith(".dist-info")
    if parts[-1] == "PKG-INFO":
        return len(parts) <= 2 or (len(parts) == 3 and parts[1] == "EGG-INFO")
    return False


def _zip_metadata(path: Path) -> str | None:
    with zipfile.ZipFile(path) as archive:
        names = sorted((n for n in archive.namelist() if _is_metadata_member(n)), key=len)
        return archive.read(names[0]).decode("utf-8") if names else None


def _tar_metadata(path: Path) -> str | None:
    with tarfile.open(path) as archive:
        members = sorted(
            (m for m in archive.getmembers() if m.isfile() and _is_metadata_member(m.name)),
            key=lambda m: len(m.name),
        )
        if not members:
            return None
        extracted = archive.extractfile(members[0])
        return extracted.read().decode("utf-8") if extracted else None
