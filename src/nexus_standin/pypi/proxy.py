"""PyPI proxy repositories: fetch from the remote index, rewrite, cache, negative cache.

Negative caching lives in memory (as in Nexus, it does not survive a restart); cached pages, files
and the remote URL of every file are in the database and blob store. The HTTP client, its
outbound log and auto-blocking are in `remote.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from packaging.utils import canonicalize_name

from ..errors import FrozenError, NexusError
from ..logs import redact_url
from ..store.blobs import CHUNK, BlobInfo, BlobStore
from ..store.content import INDEX, PACKAGE, ROOT_INDEX, Asset, ContentStore, NewAsset
from ..store.db import Database
from ..store.repos import Repository
from ..store.usage import UsageLimits
from .files import content_type, name_and_version, read_metadata
from .remote import RemoteBlocked, RemoteClient, RemoteUnavailable
from .simple_html import (
    Link,
    RemoteLink,
    parse_project_page,
    parse_root_page,
    render_project_page,
    render_root_page,
)

# 3.77 `RoutingRuleHandler.PATH_IS_BLOCKED`.
PATH_IS_BLOCKED = "Routing rules block the requested item from this repository"


class ProxyPypi:
    def __init__(
        self,
        db: Database,
        content: ContentStore,
        blobs: BlobStore,
        remote: RemoteClient,
        usage: UsageLimits,
        blocks: Callable[[Repository, str], bool] = lambda repo, path: False,
    ) -> None:
        self._db = db
        self._blocks = blocks
        self._content = content
        self._blobs = blobs
        self._remote = remote
        self._usage = usage
        self._negative: dict[tuple[str, str], float] = {}
        self._invalidated: dict[str, float] = {}
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    # -- the three reads ---------------------------------------------------------------------

    def project_page(self, repo: Repository, name: str) -> bytes | None:
        key = f"/simple/{name}/"
        self._route(repo, key)
        asset = self._get(
            repo, key, repo.metadata_max_age, lambda: self._fetch_project(repo, name, key)
        )
        return self._blobs.read_bytes(asset.blob_ref) if asset else None

    def root_page(self, repo: Repository) -> bytes:
        self._route(repo, "/simple/")
        asset = self._get(repo, "/simple/", repo.metadata_max_age, lambda: self._fetch_root(repo))
        return self._blobs.read_bytes(asset.blob_ref) if asset else render_root_page([])

    def package(self, repo: Repository, path: str) -> Asset | None:
        self._route(repo, path)
        segments = path.split("/")  # "", "packages", name, version, ..., file
        if len(segments) < 5:
            return None
        return self._get(
            repo,
            path,
            repo.content_max_age,
            lambda: self._fetch_package(repo, path, segments[2], segments[3]),
        )

    def invalidate(self, repo: Repository) -> None:
        """POST invalidate-cache: cached content becomes stale, the negative cache is emptied."""
        with self._guard:
            self._invalidated[repo.name] = time.time()
            for key in [k for k in self._negative if k[0] == repo.name]:
                del self._negative[key]

    def forget(self, name: str) -> None:
        self._remote.forget(name)
        with self._guard:
            self._invalidated.pop(name, None)
            for key in [k for k in self._negative if k[0] == name]:
                del self._negative[key]

    def _route(self, repo: Repository, path: str) -> None:
        """The routing handler runs after security and before the caches and the remote
        (3.30 `PyPiProxyRecipe` handler order): a blocked path is 403 and never fetched."""
        if self._blocks(repo, path):
            raise NexusError(403, PATH_IS_BLOCKED)

    # -- cache logic ---------------------------------------------------------------------------

    def _get(
        self, repo: Repository, key: str, max_age: float, fetch: Callable[[], Asset | None]
    ) -> Asset | None:
        cached = self._content.find_asset(repo.name, key)
        if cached is not None and self._fresh(repo, cached, max_age):
            return cached
        with self._lock(repo.name, key):
            cached = self._content.find_asset(repo.name, key)
            if cached is not None and self._fresh(repo, cached, max_age):
                return cached
            if self._negatively_cached(repo, key):
                return cached
            if self._usage.enabled and self._usage.over_limit():
                # 3.77 ProxyFacetSupport.get: no remote fetch; a stale copy is still served,
                # otherwise ProxyHandler answers 403 PAYMENT REQUIRED.
                if cached is None:
                    raise NexusError(403, self._usage.message)
                return cached
            if self._db.frozen:
                # Caching what the remote sends is a write, which a read-only node refuses:
                # do not even ask the remote.
                raise FrozenError()
            try:
                fetched = fetch()
            except RemoteBlocked as blocked:
                if cached is None:
                    raise NexusError(404, str(blocked)) from None
                return cached
            except RemoteUnavailable as failure:
                if cached is None:
                    raise NexusError(failure.status) from None
                return cached
            if fetched is None:
                self._remember_missing(repo, key)
                return cached
            return fetched

    def _fresh(self, repo: Repository, asset: Asset, max_age: float) -> bool:
        cached_at = float(asset.attributes.get("cached_at", 0))
        if cached_at <= self._invalidated.get(repo.name, 0.0):
            return False
        return max_age < 0 or time.time() - cached_at < max_age

    def _lock(self, repo: str, key: str) -> threading.Lock:
        with self._guard:
            return self._key_locks.setdefault((repo, key), threading.Lock())

    def _negatively_cached(self, repo: Repository, key: str) -> bool:
        expires = self._negative.get((repo.name, key))
        return expires is not None and (expires < 0 or expires > time.time())

    def _remember_missing(self, repo: Repository, key: str) -> None:
        ttl = repo.negative_cache_ttl
        if ttl is not None:
            self._negative[(repo.name, key)] = -1.0 if ttl < 0 else time.time() + ttl

    # -- fetching ------------------------------------------------------------------------------

    def _index_url(self, repo: Repository, tail: str) -> str:
        return f"{repo.remote_url.rstrip('/')}/{repo.simple_suffix.strip('/')}/{tail}"

    def _fetch_project(self, repo: Repository, name: str, key: str) -> Asset | None:
        response = self._remote.get(repo, self._index_url(repo, f"{name}/"))
        if response is None:
            return None
        remote_links = parse_project_page(response.text, response.url)
        if not links_name_project(name, remote_links):
            return None  # 3.30 PyPiIndexUtils.validateIndexLinks: not cached, a 404
        links = [link for link in map(lambda r: _local_link(name, r), remote_links) if link]
        page = render_project_page(name, links)
        urls = [(remote.filename, remote.url) for remote in remote_links]
        return self._save(repo, key, INDEX, self._blobs.write_bytes(page), response.url, urls)

    def _fetch_root(self, repo: Repository) -> Asset | None:
        response = self._remote.get(repo, self._index_url(repo, ""))
        if response is None:
            return None
        page = render_root_page(parse_root_page(response.text))
        return self._save(
            repo, "/simple/", ROOT_INDEX, self._blobs.write_bytes(page), response.url, []
        )

    def _fetch_package(self, repo: Repository, path: str, name: str, version: str) -> Asset | None:
        filename = path.rsplit("/", 1)[-1]
        url = self._content.remote_url(repo.name, filename)
        if url is None:
            self.project_page(repo, name)  # learn the file URLs from the project's index
            url = self._content.remote_url(repo.name, filename)
        if url is None:
            return None
        response = self._remote.get(repo, url, stream=True)
        if response is None:
            return None
        with response:
            blob = self._blobs.write_chunks(response.iter_content(CHUNK))
        return self._save(repo, path, PACKAGE, blob, url, [], component=self._component(blob, path))

    def _component(self, blob: BlobInfo, path: str) -> tuple[str, str]:
        """3.30 PyPiProxyFacet.putPackage: the file's metadata Name (not normalised) and Version,
        each taken from the file name when the metadata lacks it."""
        filename = path.rsplit("/", 1)[-1]
        metadata = read_metadata(self._blobs.path(blob.ref), filename)
        from_name = name_and_version(filename) or (filename, "")
        name = metadata.name if metadata and metadata.name else from_name[0]
        version = metadata.version if metadata and metadata.version else from_name[1]
        return name, version

    def _save(
        self,
        repo: Repository,
        key: str,
        kind: str,
        blob: BlobInfo,
        url: str,
        urls: list[tuple[str, str]],
        component: tuple[str, str] | None = None,
    ) -> Asset:
        attributes = {"cached_at": time.time(), "remote_url": redact_url(url)}
        filename = key.rstrip("/").rsplit("/", 1)[-1]
        mime = "text/html" if kind != PACKAGE else content_type(filename)
        try:
            with self._db.write() as conn:
                replaced = self._content.save_asset(
                    conn,
                    NewAsset(
                        repo.name, key, kind, blob, mime, attributes=attributes, component=component
                    ),
                )
                self._content.save_remote_urls(conn, repo.name, urls)
        except BaseException:
            self._blobs.delete([blob.ref])
            raise
        if replaced:
            self._blobs.delete([replaced])
        asset = self._content.find_asset(repo.name, key)
        assert asset is not None
        return asset


def links_name_project(project: str, links: list[RemoteLink]) -> bool:
    """True when some file name, PEP 503-normalised, starts with the normalised project name."""
    wanted = canonicalize_name(project)
    return any(canonicalize_name(link.filename).startswith(wanted) for link in links)


def _local_link(project: str, remote: RemoteLink) -> Link | None:
    """../../packages/<project>/<version-from-filename>/<file>, keeping #hash and requires."""
    parsed = name_and_version(remote.filename)
    if parsed is None:
        return None
    href = f"../../packages/{canonicalize_name(project)}/{parsed[1]}/{remote.filename}"
    if remote.fragment:
        href += f"#{remote.fragment}"
    return Link(remote.filename, href, remote.requires_python)
