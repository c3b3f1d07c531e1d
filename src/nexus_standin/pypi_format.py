"""The PyPI format: picks the hosted, proxy or group behaviour for a repository."""

from __future__ import annotations

from .blobs import BlobStore
from .content import Asset, Component, ContentStore
from .db import Database
from .pypi_group import GroupPypi, PypiReader
from .pypi_hosted import HostedPypi
from .pypi_proxy import ProxyPypi
from .repos import GROUP, HOSTED, PROXY, Repository, RepositoryStore


class PypiFormat:
    def __init__(
        self,
        db: Database,
        repos: RepositoryStore,
        content: ContentStore,
        blobs: BlobStore,
        hosted: HostedPypi,
        proxy: ProxyPypi,
    ) -> None:
        self._db = db
        self._content = content
        self._blobs = blobs
        self.hosted = hosted
        self.proxy = proxy
        self.group = GroupPypi(repos, self.reader)

    def reader(self, repo: Repository) -> PypiReader:
        readers: dict[str, PypiReader] = {HOSTED: self.hosted, PROXY: self.proxy, GROUP: self.group}
        return readers[repo.type]

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
