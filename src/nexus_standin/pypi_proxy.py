"""PyPI proxy repositories: fetch from the remote index, rewrite, cache, negative cache, block.

Blocking and negative caching live in memory (as in Nexus, they do not survive a restart);
cached pages, files and the remote URL of every file are in the database and blob store.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from packaging.utils import canonicalize_name

from .blobs import CHUNK, BlobInfo, BlobStore
from .content import INDEX, PACKAGE, ROOT_INDEX, Asset, ContentStore, NewAsset
from .db import Database
from .errors import FrozenError, NexusError
from .logs import AppLog, redact_url
from .pypi_files import content_type, name_and_version
from .repos import Repository
from .simple_html import (
    Link,
    RemoteLink,
    parse_project_page,
    parse_root_page,
    render_project_page,
    render_root_page,
)

LOG_SOURCE = "org.sonatype.nexus.repository.pypi.PyPiProxyFacet"
FIRST_BLOCK_SECONDS = 40.0
MAX_BLOCK_SECONDS = 20 * 60.0
DEFAULT_TIMEOUT_SECONDS = 60
DEFAULT_RETRIES = 2


class RemoteUnavailable(Exception):
    """The remote failed: `status` is what a client gets when nothing is cached."""

    def __init__(self, status: int, blocks: bool) -> None:
        super().__init__(status)
        self.status = status
        self.blocks = blocks


@dataclass
class _Block:
    until: float
    seconds: float


class ProxyPypi:
    def __init__(
        self, db: Database, content: ContentStore, blobs: BlobStore, log: AppLog, user_agent: str
    ) -> None:
        self._db = db
        self._content = content
        self._blobs = blobs
        self._log = log
        self._user_agent = user_agent
        self._negative: dict[tuple[str, str], float] = {}
        self._blocks: dict[str, _Block] = {}
        self._invalidated: dict[str, float] = {}
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self._local = threading.local()

    # -- the three reads ---------------------------------------------------------------------

    def project_page(self, repo: Repository, name: str) -> bytes | None:
        key = f"/simple/{name}/"
        asset = self._get(
            repo, key, repo.metadata_max_age, lambda: self._fetch_project(repo, name, key)
        )
        return self._blobs.read_bytes(asset.blob_ref) if asset else None

    def root_page(self, repo: Repository) -> bytes:
        asset = self._get(repo, "/simple/", repo.metadata_max_age, lambda: self._fetch_root(repo))
        return self._blobs.read_bytes(asset.blob_ref) if asset else render_root_page([])

    def package(self, repo: Repository, path: str) -> Asset | None:
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
        with self._guard:
            self._blocks.pop(name, None)
            self._invalidated.pop(name, None)
            for key in [k for k in self._negative if k[0] == name]:
                del self._negative[key]

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
            blocked = self._blocked_reason(repo)
            if blocked:
                if cached is None:
                    raise NexusError(404, blocked)
                return cached
            if self._db.frozen:
                # Caching what the remote sends is a write, which a read-only node refuses:
                # do not even ask the remote.
                raise FrozenError()
            try:
                fetched = fetch()
            except RemoteUnavailable as failure:
                self._record_failure(repo, failure)
                if cached is None:
                    raise NexusError(failure.status) from None
                return cached
            self._blocks.pop(repo.name, None)
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

    def _blocked_reason(self, repo: Repository) -> str | None:
        if repo.blocked:
            return "Remote Manually Blocked"
        block = self._blocks.get(repo.name)
        if block is None or block.until <= time.time():
            return None
        until = datetime.fromtimestamp(block.until, UTC).isoformat(timespec="seconds")
        return f"Remote Auto Blocked until {until}"

    def _record_failure(self, repo: Repository, failure: RemoteUnavailable) -> None:
        if not (failure.blocks and repo.auto_block):
            return
        previous = self._blocks.get(repo.name)
        seconds = min(previous.seconds * 2, MAX_BLOCK_SECONDS) if previous else FIRST_BLOCK_SECONDS
        self._blocks[repo.name] = _Block(time.time() + seconds, seconds)
        self._log.warning(
            LOG_SOURCE,
            f"Repository {repo.name} auto-blocked for {seconds:.0f}s:"
            f" remote {redact_url(repo.remote_url)} unavailable",
        )

    # -- fetching ------------------------------------------------------------------------------

    def _index_url(self, repo: Repository, tail: str) -> str:
        return f"{repo.remote_url.rstrip('/')}/{repo.simple_suffix.strip('/')}/{tail}"

    def _fetch_project(self, repo: Repository, name: str, key: str) -> Asset | None:
        response = self._remote_get(repo, self._index_url(repo, f"{name}/"))
        if response is None:
            return None
        remote_links = parse_project_page(response.text, response.url)
        links = [link for link in map(lambda r: _local_link(name, r), remote_links) if link]
        page = render_project_page(name, links)
        urls = [(remote.filename, remote.url) for remote in remote_links]
        return self._save(repo, key, INDEX, self._blobs.write_bytes(page), response.url, urls)

    def _fetch_root(self, repo: Repository) -> Asset | None:
        response = self._remote_get(repo, self._index_url(repo, ""))
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
        response = self._remote_get(repo, url, stream=True)
        if response is None:
            return None
        with response:
            blob = self._blobs.write_chunks(response.iter_content(CHUNK))
        return self._save(
            repo, path, PACKAGE, blob, url, [], component=(canonicalize_name(name), version)
        )

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

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # never route through this machine's proxy settings
            session.verify = (
                os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or True
            )
            self._local.session = session
        return session

    def _remote_get(self, repo: Repository, url: str, stream: bool = False) -> Any:
        """The 200 response, None for a missing file; RemoteUnavailable when the remote fails."""
        connection = repo.connection
        timeout = int(connection.get("timeout") or DEFAULT_TIMEOUT_SECONDS)
        configured = connection.get("retries")
        retries = DEFAULT_RETRIES if configured is None else int(configured)
        agent = f"{self._user_agent} {connection.get('userAgentSuffix') or ''}".strip()
        headers = {"User-Agent": agent, "Accept": "text/html" if not stream else "*/*"}
        started = time.monotonic()
        for attempt in range(retries + 1):
            try:
                response = self._session().get(
                    url,
                    headers=headers,
                    timeout=timeout,
                    stream=stream,
                    auth=repo.remote_credentials,
                )
                break
            except requests.RequestException as exc:
                if attempt == retries:
                    self._log.warning(
                        LOG_SOURCE,
                        f"{repo.name}: GET {redact_url(url)} failed: {type(exc).__name__}",
                    )
                    raise RemoteUnavailable(502, blocks=True) from None
        elapsed = int((time.monotonic() - started) * 1000)
        self._log.info(
            LOG_SOURCE,
            f"{repo.name}: GET {redact_url(url)} -> {response.status_code} ({elapsed} ms)",
        )
        return _accept(response)


def _accept(response: requests.Response) -> requests.Response | None:
    status = response.status_code
    if status == 200:
        return response
    response.close()
    if status >= 500:
        raise RemoteUnavailable(503, blocks=True)
    if status in (401, 402, 407):
        raise RemoteUnavailable(503, blocks=False)
    return None


def _local_link(project: str, remote: RemoteLink) -> Link | None:
    """../../packages/<project>/<version-from-filename>/<file>, keeping #hash and requires."""
    parsed = name_and_version(remote.filename)
    if parsed is None:
        return None
    href = f"../../packages/{canonicalize_name(project)}/{parsed[1]}/{remote.filename}"
    if remote.fragment:
        href += f"#{remote.fragment}"
    return Link(remote.filename, href, remote.requires_python)
