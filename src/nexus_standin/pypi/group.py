"""PyPI group repositories: merged index pages, cached as the group's own assets, and
first-member-wins downloads.

Merging follows 3.30 `PyPiGroupUtils`: the first member (in memberNames order) wins a file name
(compared lower-cased) and the links are sorted by file name; a project no member knows is an
empty 200 page (3.30 `PyPiIndexGroupHandler`). The merged page is saved as the group's asset at the
requested path (kind INDEX, 3.30 `PyPiGroupFacet.saveToCache`) and served from there until a
member's answer changes (3.30 `PyPiGroupFacet.isStale` compares the members' last-modified times;
here each cached page remembers a digest of every member's answer) or the group's cache is
invalidated.

A member that fails (remote down, blocked) is skipped like a member without the file. Offline
members: Nexus dispatches to members without looking at `online` up to 3.88 (3.77
`GroupFacetImpl.members()`, `GroupHandler.getAll`) and skips offline members from 3.89.0 on
(https://github.com/sonatype/nexus-public/issues/991); `skip_offline` follows `--nexus-version`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Protocol

from ..errors import FrozenError, NexusError
from ..store.blobs import BlobStore
from ..store.content import INDEX, Asset, ContentStore, NewAsset
from ..store.db import Database
from ..store.repos import GROUP, Repository, RepositoryStore
from .simple_html import Link, parse_local_page, render_project_page, render_root_page

ROOT_PATH = "/simple/"
MEMBERS_ATTRIBUTE = "member_pages"


class PypiReader(Protocol):
    def project_page(self, repo: Repository, name: str) -> bytes | None: ...

    def root_page(self, repo: Repository) -> bytes: ...

    def package(self, repo: Repository, path: str) -> Asset | None: ...


class GroupPypi:
    def __init__(
        self,
        db: Database,
        content: ContentStore,
        blobs: BlobStore,
        repos: RepositoryStore,
        reader_for: Callable[[Repository], PypiReader],
        skip_offline: bool,
    ) -> None:
        self._db = db
        self._content = content
        self._blobs = blobs
        self._repos = repos
        self._reader_for = reader_for
        self._skip_offline = skip_offline

    # -- the three reads -----------------------------------------------------------------------

    def project_page(self, repo: Repository, name: str) -> bytes:
        answers = [(m.name, self._member_page(m, name)) for m in self.members(repo)]
        return self._cached_merge(
            repo,
            f"/simple/{name}/",
            answers,
            lambda: render_project_page(name, _merge_links(answers)),
        )

    def root_page(self, repo: Repository) -> bytes:
        answers = [(m.name, self._member_page(m, None)) for m in self.members(repo)]
        return self._cached_merge(
            repo, ROOT_PATH, answers, lambda: render_root_page(_merge_names(answers))
        )

    def package(self, repo: Repository, path: str) -> Asset | None:
        for member in self.members(repo):
            try:
                asset = self._reader_for(member).package(member, path)
            except NexusError:
                continue
            if asset is not None:
                return asset
        return None

    def invalidate(self, repo: Repository) -> None:
        """Drop the group's cached pages (3.77 `GroupFacetImpl.invalidateGroupCaches`)."""
        pages = [a for a in self._content.page_assets(repo.name, 0, 1_000_000) if a.kind == INDEX]
        with self._db.write() as conn:
            refs = [ref for page in pages for ref in self._content.delete_asset(conn, page)]
        self._blobs.delete(refs)

    def members(
        self, group: Repository, seen: frozenset[str] = frozenset()
    ) -> Iterator[Repository]:
        """Members in memberNames order; nested groups are flattened, cycles cut."""
        for name in group.members:
            member = self._repos.get(name)
            if member is None or member.name in seen | {group.name}:
                continue
            if self._skip_offline and not member.online:
                continue
            if member.type == GROUP:
                yield from self.members(member, seen | {group.name})
            else:
                yield member

    # -- caching -------------------------------------------------------------------------------

    def _member_page(self, member: Repository, name: str | None) -> bytes | None:
        """A member's project page (root page for None); None when it has none or fails."""
        reader = self._reader_for(member)
        try:
            return reader.root_page(member) if name is None else reader.project_page(member, name)
        except NexusError:
            return None

    def _cached_merge(
        self,
        repo: Repository,
        path: str,
        answers: list[tuple[str, bytes | None]],
        merge: Callable[[], bytes],
    ) -> bytes:
        fingerprint = _fingerprint(answers)
        cached = self._content.find_asset(repo.name, path)
        if cached is not None and cached.attributes.get(MEMBERS_ATTRIBUTE) == fingerprint:
            return self._blobs.read_bytes(cached.blob_ref)
        page = merge()
        # A read-only node still serves the merged page; it just cannot cache it.
        with contextlib.suppress(FrozenError):
            self._save(repo, path, page, fingerprint)
        return page

    def _save(self, repo: Repository, path: str, page: bytes, fingerprint: str) -> None:
        blob = self._blobs.write_bytes(page)
        try:
            with self._db.write() as conn:
                replaced = self._content.save_asset(
                    conn,
                    NewAsset(
                        repo.name,
                        path,
                        INDEX,
                        blob,
                        "text/html",
                        attributes={MEMBERS_ATTRIBUTE: fingerprint},
                    ),
                )
        except BaseException:
            self._blobs.delete([blob.ref])
            raise
        if replaced:
            self._blobs.delete([replaced])


def _fingerprint(answers: list[tuple[str, bytes | None]]) -> str:
    digests = [
        (name, hashlib.sha256(page).hexdigest() if page is not None else None)
        for name, page in answers
    ]
    return json.dumps(digests)


def _merge_links(answers: list[tuple[str, bytes | None]]) -> list[Link]:
    merged: dict[str, Link] = {}
    for _, page in answers:
        for link in parse_local_page(page.decode()) if page else []:
            merged.setdefault(link.filename.lower(), link)
    return [merged[key] for key in sorted(merged)]


def _merge_names(answers: list[tuple[str, bytes | None]]) -> list[str]:
    names: set[str] = set()
    for _, page in answers:
        if page is not None:
            names.update(link.filename for link in parse_local_page(page.decode()))
    return sorted(names)
