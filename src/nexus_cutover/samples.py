"""Sample internal distributions for the local backend, the demo and the self-tests.

Big enough to exercise every code path of a migration: more than 100 files (several pages
of every listing API), wheels and sdists in .tar.gz and .zip, names that normalise
differently (dots, underscores, capitals, runs of separators), legacy sdist names,
pre-releases, post releases, local versions, Requires-Python and dependencies between the
projects, and core metadata 2.1 and 2.4.

The files are written directly (zipfile, tarfile, core metadata as RFC 822 headers) rather
than built with a build backend: nothing beyond the standard library is needed at run time,
and the whole set takes well under a second.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import re
import tarfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.utils import canonicalize_name

from nexus_cutover.dists import iter_dist_paths

SdistFormat = Literal["tar.gz", "zip", "none"]
# A fixed time for archive members, so the same sample is the same bytes on every run.
_EPOCH = (2024, 1, 1, 0, 0, 0)
_MTIME = 1704067200


@dataclass(frozen=True)
class SampleRelease:
    name: str  # as its metadata spells it
    version: str
    requires_python: str | None = None
    dependencies: tuple[str, ...] = ()
    sdist: SdistFormat = "tar.gz"
    wheel: bool = True
    legacy_sdist_name: bool = False  # `Acme.Widgets-1.0.tar.gz` instead of `acme_widgets-...`
    metadata_version: str = "2.1"


def _series(name: str, versions: Iterable[str], **kwargs: object) -> tuple[SampleRelease, ...]:
    return tuple(SampleRelease(name, version, **kwargs) for version in versions)  # type: ignore[arg-type]


SAMPLE_RELEASES: tuple[SampleRelease, ...] = (
    *_series("acme-utils", ("1.0.0", "1.1.0", "1.1.0.post1", "1.2.0rc1")),
    *_series(
        "Acme.Widgets",
        ("2.0.0", "2.0.1"),
        dependencies=("acme-utils>=1.0",),
        metadata_version="2.4",
    ),
    SampleRelease(
        "Acme.Widgets", "2.1.0b2", dependencies=("acme-utils>=1.1",), legacy_sdist_name=True
    ),
    *_series("acme_data", ("0.9.0", "1.0.0"), requires_python=">=3.9", sdist="zip"),
    SampleRelease("acme_data", "1.0.0+acme.1", requires_python=">=3.9", sdist="none"),
    *_series("ACME-Auth", ("0.1.0", "0.2.0", "0.3.0", "0.3.1")),
    *_series("acme__legacy", ("0.5", "0.6", "0.7"), legacy_sdist_name=True),
    *_series("Acme_Report.Tools", ("3.0.0", "3.1.0", "3.2.0.dev1")),
    *_series(
        "acme-billing-client",
        (f"1.{minor}.0" for minor in range(8)),
        dependencies=("acme-utils>=1.0",),
    ),
    *_series("acme-ledger", (f"0.{minor}.0" for minor in range(1, 9)), sdist="zip"),
    *_series("acme-events", (f"2024.{month}" for month in range(1, 10))),
    *_series("acme-schemas", (f"4.{minor}.1" for minor in range(6)), metadata_version="2.4"),
    *_series("acme-cli", ("0.9.0", "1.0.0", "1.0.1", "1.1.0")),
    # Old releases as sdists only (as old indexes hold them); the newest has a wheel too, so
    # resolving the project never needs a build.
    *_series("acme-hive-plugins", (f"0.0.{patch}" for patch in range(1, 7)), wheel=False),
    SampleRelease("acme-hive-plugins", "0.0.7"),
)


def build_samples(
    cache_dir: Path, releases: tuple[SampleRelease, ...] = SAMPLE_RELEASES
) -> list[Path]:
    """Write the sample distributions once into `cache_dir/dist` and return their paths."""
    dist = cache_dir / "dist"
    marker = cache_dir / "complete"
    if not marker.exists():
        for release in releases:
            write_release(release, dist)
        marker.write_text("ok\n", encoding="utf-8")
    return list(iter_dist_paths(dist))


def build_canary(
    folder: Path, name: str, version: str, dependencies: tuple[str, ...] = ()
) -> list[Path]:
    """A fresh canary distribution (wheel and sdist) under a reserved project name."""
    return write_release(SampleRelease(name, version, dependencies=dependencies), folder / "dist")


def write_release(release: SampleRelease, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if release.wheel:
        written.append(write_wheel(release, folder))
    if release.sdist != "none":
        written.append(write_sdist(release, folder))
    return written


def core_metadata(release: SampleRelease) -> str:
    """PKG-INFO / METADATA: core metadata as the packaging specifications describe it."""
    lines = [
        f"Metadata-Version: {release.metadata_version}",
        f"Name: {release.name}",
        f"Version: {release.version}",
        f"Summary: Sample internal package {release.name}",
    ]
    if release.metadata_version == "2.4":
        lines.append("License-Expression: MIT")
    if release.requires_python:
        lines.append(f"Requires-Python: {release.requires_python}")
    lines += [f"Requires-Dist: {dependency}" for dependency in release.dependencies]
    return "\n".join(lines) + "\n\n"


def _module(release: SampleRelease) -> str:
    return re.sub(r"[^a-z0-9]+", "_", release.name.lower()).strip("_")


def wheel_name(release: SampleRelease) -> str:
    """The binary distribution file name: normalised name, `-` escaped (wheel spec)."""
    stem = str(canonicalize_name(release.name)).replace("-", "_")
    return f"{stem}-{release.version}-py3-none-any.whl"


def sdist_name(release: SampleRelease) -> str:
    """PEP 625 names (normalised); legacy ones keep the name as the metadata spells it."""
    stem = (
        release.name
        if release.legacy_sdist_name
        else str(canonicalize_name(release.name)).replace("-", "_")
    )
    suffix = ".zip" if release.sdist == "zip" else ".tar.gz"
    return f"{stem}-{release.version}{suffix}"


def write_wheel(release: SampleRelease, folder: Path) -> Path:
    """A pure-Python wheel: one module, METADATA, WHEEL and a RECORD of both."""
    name = wheel_name(release)
    info = f"{name.split('-py3-')[0]}.dist-info"
    files = {
        f"{_module(release)}/__init__.py": f'__version__ = "{release.version}"\n'.encode(),
        f"{info}/METADATA": core_metadata(release).encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: nexus-cutover\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = [f"{path},sha256={_digest(data)},{len(data)}" for path, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(zipfile.ZipInfo(member, date_time=_EPOCH), data)
    return path


def write_sdist(release: SampleRelease, folder: Path) -> Path:
    """A source distribution: `<name>-<version>/` with PKG-INFO and pyproject.toml."""
    name = sdist_name(release)
    top = name.removesuffix(".zip").removesuffix(".tar.gz")
    members = {
        f"{top}/PKG-INFO": core_metadata(release).encode(),
        f"{top}/pyproject.toml": _pyproject(release).encode(),
        f"{top}/{_module(release)}/__init__.py": f'__version__ = "{release.version}"\n'.encode(),
    }
    path = folder / name
    if release.sdist == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, data in members.items():
                archive.writestr(zipfile.ZipInfo(member, date_time=_EPOCH), data)
        return path
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for member, data in members.items():
            entry = tarfile.TarInfo(member)
            entry.size, entry.mtime, entry.mode = len(data), _MTIME, 0o644
            archive.addfile(entry, io.BytesIO(data))
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    return path


def _pyproject(release: SampleRelease) -> str:
    dependencies = ", ".join(f'"{d}"' for d in release.dependencies)
    python = f'requires-python = "{release.requires_python}"\n' if release.requires_python else ""
    return (
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        f'[project]\nname = "{release.name}"\nversion = "{release.version}"\n{python}'
        f"dependencies = [{dependencies}]\n"
    )


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
