"""Where the files to upload come from: a packages folder, or what a pypiserver serves."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import requests

from nexus_cutover.clients.http import fetch, pypiserver_session, status_error, unreachable
from nexus_cutover.clients.simple import parse_links
from nexus_cutover.dists import is_distribution, iter_dist_paths, sha256_of
from nexus_cutover.errors import DistributionError, ServerError
from nexus_cutover.migrate.errors import MigrationError
from nexus_cutover.target import PypiserverEndpoint, Target


@dataclass(frozen=True)
class SourceFile:
    filename: str
    location: str  # a path (folder) or a URL (server)
    sha256: str | None = None  # when known without reading the bytes (index hash fragment)


class Source(Protocol):
    description: str

    def files(self) -> list[SourceFile]: ...

    def fetch(self, file: SourceFile, scratch: Path) -> Path:
        """A local path holding the file's bytes (inside `scratch` when it had to be fetched)."""
        ...


class FolderSource:
    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise MigrationError(f"{folder}: packages folder not found")
        self.folder = folder
        self.description = str(folder)

    def files(self) -> list[SourceFile]:
        return [SourceFile(p.name, str(p)) for p in iter_dist_paths(self.folder)]

    def fetch(self, file: SourceFile, scratch: Path) -> Path:
        return Path(file.location)


class ServerSource:
    """The files pypiserver lists on `/packages/`, downloaded by the upload workers on one
    keep-alive session (a connection per worker, transient faults retried)."""

    def __init__(self, endpoint: PypiserverEndpoint, timeout: float = 60.0) -> None:
        self.url = (endpoint.url or "").rstrip("/")
        self.description = self.url
        self._timeout = timeout
        self._session = pypiserver_session(endpoint)

    def files(self) -> list[SourceFile]:
        response = fetch(
            self._session, f"{self.url}/packages/", "pypiserver package list", self._timeout
        )
        return [
            SourceFile(link.filename, link.url, link.sha256)
            for link in parse_links(response.text, response.url)
            if is_distribution(link.filename)
        ]

    def fetch(self, file: SourceFile, scratch: Path) -> Path:
        destination = scratch / file.filename
        digest = hashlib.sha256()
        try:
            with self._session.get(file.location, stream=True, timeout=self._timeout) as answer:
                if answer.status_code >= 400:
                    raise status_error("download", file.location, answer, "pypiserver")
                with destination.open("wb") as out:
                    for block in answer.iter_content(1 << 16):
                        digest.update(block)
                        out.write(block)
        except requests.RequestException as error:
            raise unreachable("download", file.location, error) from None
        except ServerError as error:
            raise MigrationError(f"{file.filename}: download failed: {error}") from None
        if file.sha256 and digest.hexdigest() != file.sha256:
            raise DistributionError(
                f"{file.filename}: the download does not match the index's sha256"
            )
        return destination


def resolve_source(target: Target, source: Path | str | None) -> Source:
    """A folder path or a pypiserver URL; by default the configured packages folder, else the
    configured pypiserver (reading the folder is faster and needs no pypiserver running)."""
    if isinstance(source, Path):
        return FolderSource(source)
    old = target.pypiserver
    if isinstance(source, str):
        return ServerSource(replace(old, url=source))
    if old.packages_dir is not None and old.packages_dir.is_dir():
        return FolderSource(old.packages_dir)
    if old.url:
        return ServerSource(old)
    raise MigrationError("no source: configure pypiserver.packages_dir or pypiserver.url")


def unique_by_name(
    files: Iterable[SourceFile], source: Source, scratch: Path
) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """One file per name; names held twice with different bytes come back as (name, problem)."""
    groups: dict[str, list[SourceFile]] = {}
    for file in files:
        groups.setdefault(file.filename, []).append(file)
    unique, clashes = [], []
    for name, group in groups.items():
        if len(group) == 1:  # nothing to compare: its bytes are read once, when it is sent
            unique.append(group[0])
            continue
        digests = {f.sha256 or sha256_of(source.fetch(f, scratch)) for f in group}
        if len(digests) == 1:
            unique.append(group[0])
        else:
            clashes.append((name, f"the source holds {len(group)} different files of this name"))
    return unique, clashes
