"""Small real distribution files written with the standard library (wheel spec, sdist, egg).

Hand-written rather than built with `python -m build`: tests and the benchmark need many
distinct project-versions, odd metadata versions and formats the build backends no longer
produce (.egg, .tar.bz2), in milliseconds each.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Literal


def _metadata(name: str, version: str, metadata_version: str) -> str:
    return (
        f"Metadata-Version: {metadata_version}\nName: {name}\nVersion: {version}\n"
        f"Summary: test distribution {name}\n"
    )


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def wheel_stem(name: str, version: str) -> str:
    return f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}"


def write_wheel(
    folder: Path, name: str, version: str, *, metadata_version: str = "2.1", payload: bytes = b""
) -> Path:
    """A wheel as the wheel spec describes it: module, METADATA, WHEEL and RECORD."""
    stem = wheel_stem(name, version)
    module = stem.split("-")[0]
    info = f"{stem}.dist-info"
    files = {
        f"{module}/__init__.py": f"VERSION = {version!r}\n".encode() + payload,
        f"{info}/METADATA": _metadata(name, version, metadata_version).encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = [_record_line(path, data) for path, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    path = folder / f"{stem}-py3-none-any.whl"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


Compression = Literal["gz", "bz2", "xz"]
_TAR_MODES: dict[Compression, Literal["w:gz", "w:bz2", "w:xz"]] = {
    "gz": "w:gz",
    "bz2": "w:bz2",
    "xz": "w:xz",
}


def write_sdist(folder: Path, name: str, version: str, *, compression: Compression = "gz") -> Path:
    root = f"{name}-{version}"
    members = {
        f"{root}/PKG-INFO": _metadata(name, version, "2.1").encode(),
        f"{root}/setup.py": b"from setuptools import setup\nsetup()\n",
    }
    path = folder / f"{root}.tar.{compression}"
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, _TAR_MODES[compression]) as archive:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def write_egg(folder: Path, name: str, version: str) -> Path:
    path = folder / f"{name}-{version}-py3.11.egg"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("EGG-INFO/PKG-INFO", _metadata(name, version, "1.1"))
        archive.writestr(f"{name}/__init__.py", "")
    return path


def truncate(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path
