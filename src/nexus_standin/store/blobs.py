"""The `default` file blob store: one file per stored asset version, hashed while written."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
# A replaced or deleted blob stays readable this long: a request that looked the asset up just
# before may still be about to open it.
DELETE_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class BlobInfo:
    ref: str
    size: int
    md5: str
    sha1: str
    sha256: str


class BlobStore:
    name = "default"

    def __init__(self, root: Path) -> None:
        self._root = root
        self._tmp = root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)
        (root / "content").mkdir(parents=True, exist_ok=True)
        self._doomed: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def path(self, ref: str) -> Path:
        return self._root / "content" / ref[:2] / f"{ref}.bytes"

    def write(self, source: BinaryIO) -> BlobInfo:
        return self.write_chunks(iter(lambda: source.read(CHUNK), b""))

    def write_bytes(self, data: bytes) -> BlobInfo:
        return self.write_chunks([data])

    def write_chunks(self, chunks: Iterable[bytes]) -> BlobInfo:
        ref = uuid.uuid4().hex
        tmp = self._tmp / f"{ref}.part"
        digests = [
            hashlib.md5(usedforsecurity=False),
            hashlib.sha1(usedforsecurity=False),
            hashlib.sha256(),
        ]
        size = 0
        try:
            with tmp.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    size += len(chunk)
                    for digest in digests:
                        digest.update(chunk)
            target = self.path(ref)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        md5, sha1, sha256 = (digest.hexdigest() for digest in digests)
        return BlobInfo(ref=ref, size=size, md5=md5, sha1=sha1, sha256=sha256)

    def read_bytes(self, ref: str) -> bytes:
        return self.path(ref).read_bytes()

    def delete(self, refs: Iterable[str]) -> None:
        now = time.monotonic()
        with self._lock:
            self._doomed.extend((now + DELETE_GRACE_SECONDS, ref) for ref in refs)
            due = [ref for deadline, ref in self._doomed if deadline <= now]
            self._doomed = [(deadline, ref) for deadline, ref in self._doomed if deadline > now]
        for ref in due:
            self.path(ref).unlink(missing_ok=True)

    def collect_garbage(self, live: set[str]) -> int:
        """Remove blob files no asset refers to (deletions a stopped process left pending)."""
        removed = 0
        for blob in (self._root / "content").glob("*/*.bytes"):
            if blob.stem not in live:
                blob.unlink(missing_ok=True)
                removed += 1
        for part in self._tmp.glob("*.part"):
            part.unlink(missing_ok=True)
        return removed

    def usage(self) -> tuple[int, int]:
        """(blob count, total bytes)."""
        count = total = 0
        for blob in (self._root / "content").glob("*/*.bytes"):
            count += 1
            total += blob.stat().st_size
        return count, total

    def available_bytes(self) -> int:
        stat = os.statvfs(self._root)
        return stat.f_bavail * stat.f_frsize
