"""A corpus of distinct distribution files for the benchmarks: N files in P projects.

Each release of each project is a wheel and an sdist (.tar.gz), written as the sample
distributions are (`nexus_cutover.samples`: core metadata, file names, archive layout) with
one more member, a payload of random bytes: sizes follow a log-normal spread around a median
of 10 KB, as a real index holds many small files and a few large ones. Random bytes do not
compress, so the payload size is the file size. The same arguments give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import random
import tarfile
import zipfile
from base64 import urlsafe_b64encode
from pathlib import Path

from nexus_cutover.samples import SampleRelease, core_metadata, sdist_name, wheel_name

MEDIAN_BYTES = 10_000
_EPOCH = (2024, 1, 1, 0, 0, 0)


def write_corpus(folder: Path, files: int, projects: int, seed: int = 0) -> list[Path]:
    """`files` files (rounded up to whole releases) spread evenly over `projects` projects."""
    folder.mkdir(parents=True, exist_ok=True)
    draw = random.Random(seed)
    releases = -(-files // 2)
    written: list[Path] = []
    for number in range(releases):
        project, release = number % projects, number // projects
        sample = SampleRelease(f"bench-project-{project:03d}", f"1.{release}.0")
        payload = draw.randbytes(_size(draw))
        written.append(_wheel(sample, payload, folder))
        written.append(_sdist(sample, payload, folder))
    return written[:files] if len(written) > files else written


def _size(draw: random.Random) -> int:
    return max(200, min(int(draw.lognormvariate(0.0, 0.8) * MEDIAN_BYTES), 2_000_000))


def _module(release: SampleRelease) -> str:
    return release.name.replace("-", "_")


def _wheel(release: SampleRelease, payload: bytes, folder: Path) -> Path:
    name = wheel_name(release)
    info = f"{name.split('-py3-')[0]}.dist-info"
    members = {
        f"{_module(release)}/__init__.py": f'__version__ = "{release.version}"\n'.encode(),
        f"{_module(release)}/payload.bin": payload,
        f"{info}/METADATA": core_metadata(release).encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = [f"{path},sha256={_record_hash(data)},{len(data)}" for path, data in members.items()]
    members[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for member, data in members.items():
            archive.writestr(zipfile.ZipInfo(member, date_time=_EPOCH), data)
    return path


def _sdist(release: SampleRelease, payload: bytes, folder: Path) -> Path:
    name = sdist_name(release)
    top = name.removesuffix(".tar.gz")
    members = {
        f"{top}/PKG-INFO": core_metadata(release).encode(),
        f"{top}/{_module(release)}/__init__.py": f'__version__ = "{release.version}"\n'.encode(),
        f"{top}/{_module(release)}/payload.bin": payload,
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for member, data in members.items():
            entry = tarfile.TarInfo(member)
            entry.size, entry.mtime, entry.mode = len(data), 1704067200, 0o644
            archive.addfile(entry, io.BytesIO(data))
    path = folder / name
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    return path


def _record_hash(data: bytes) -> str:
    return urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
