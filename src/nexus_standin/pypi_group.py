"""PyPI group repositories: merged index pages and first-member-wins downloads.

A member that fails (offline, remote down, blocked) is skipped like a member without the file.
A project no member knows gets an empty 200 page, as the 3.30 merge code produces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from .content import Asset
from .errors import NexusError
from .repos import Repository, RepositoryStore
from .simple_html import Link, parse_local_page, render_project_page, render_root_page


class PypiReader(Protocol):
    def project_page(self, repo: Repository, name: str) -> bytes | None: ...

    def root_page(self, repo: Repository) -> bytes: ...

    def package(self, repo: Repository, path: str) -> Asset | None: ...


class GroupPypi:
    def __init__(
        self, repos: RepositoryStore, reader_for: Callable[[Repository], PypiReader]
    ) -> None:
        self._repos = repos
        self._reader_for = reader_for

    def project_page(self, repo: Repository, name: str) -> bytes:
        merged: dict[str, Link] = {}
        for member in self._members(repo):
            try:
                page = self._reader_for(member).project_page(member, name)
            except NexusError:
                continue
            for link in parse_local_page(page.decode()) if page else []:
                merged.setdefault(link.filename.lower(), link)
        return render_project_page(name, [merged[key] for key in sorted(merged)])

    def root_page(self, repo: Repository) -> bytes:
        names: set[str] = set()
        for member in self._members(repo):
            try:
                page = self._reader_for(member).root_page(member)
            except NexusError:
                continue
            names.update(link.filename for link in parse_local_page(page.decode()))
        return render_root_page(sorted(names))

    def package(self, repo: Repository, path: str) -> Asset | None:
        for member in self._members(repo):
            try:
                asset = self._reader_for(member).package(member, path)
            except NexusError:
                continue
            if asset is not None:
                return asset
        return None

    def _members(
        self, group: Repository, seen: frozenset[str] = frozenset()
    ) -> Iterator[Repository]:
        """Members in memberNames order; nested groups are flattened, cycles cut."""
        for name in group.members:
            member = self._repos.get(name)
            if member is None or not member.online or member.name in seen | {group.name}:
                continue
            if member.type == "group":
                yield from self._members(member, seen | {group.name})
            else:
                yield member
