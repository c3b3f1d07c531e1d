"""The PyPI format: picks the hosted, proxy or group behaviour for a repository."""

from __future__ import annotations

from ..store.blobs import BlobStore
from ..store.content import Asset, Component, ContentStore
from ..store.db import Database
from ..store.repos import GROUP, HOSTED, PROXY, Repository, RepositoryStore
from .group import GroupPypi, PypiReader
from .hosted import HostedPypi
from .proxy import ProxyPypi


class PypiFormat:
    def __init__(
        self,
        db: Database,
        repos: RepositoryStore,
        content: ContentStore,
        blobs: BlobStore,
        hosted: HostedPypi,
        proxy: ProxyPypi,
        skip_offline_members: bool,
    ) -> None:
        self._db = db
        self._content = content
        self._blobs = blobs
        self.hosted = hosted
        self.proxy = proxy
        self.group = GroupPypi(db, content, blobs, repos, self.reader, skip_offline_members)

    def reader(self, repo: Repository) -> PypiReader:
        readers: dict[str, PypiReader] = {HOSTED: self.hosted, PROXY: self.proxy, GROUP: self.group}
        return readers[repo.type]

    def invalidate(self, repo: Repository) -> None:
        """POST invalidate-cache: a proxy's cache, or a group's pages and its members' caches."""
        if repo.type == PROXY:
            self.proxy.invalidate(repo)
        elif repo.type == GROUP:
            self.group.invalidate(repo)
            for member in self.group.members(repo):
                if member.type == PROXY:
                    self.proxy.invalidate(member)

    def delete_asset(self, repo: Repository, asset: Asset) -> None:
        if repo.type == HOSTED:
            self.hosted.delete_asset(repo, asset)
            return
        with self._db.write() as conn:
            refs = self._content.delete_asset(conn, asset)
        self._blobs.delete(refs)

    def delete_component(self, repo: Repository, component: Component) -> None:
        if repo.type == HOSTED:
            self.hosted.delete_component(repo, component)
            return
        with self._db.write() as conn:
            refs = self._content.delete_component(conn, component)
        self._blobs.delete(refs)
