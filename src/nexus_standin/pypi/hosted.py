"""PyPI hosted repositories: uploads under the write policy, generated simple index pages."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from packaging.utils import canonicalize_name

from ..errors import FrozenError, NexusError
from ..logs import AppLog
from ..store.blobs import BlobInfo, BlobStore
from ..store.content import (
    INDEX,
    PACKAGE,
    ROOT_INDEX,
    SIGNATURE,
    Asset,
    Component,
    ContentStore,
    NewAsset,
)
from ..store.db import Database
from ..store.repos import Repository
from ..store.usage import UsageLimits
from .files import content_type, package_path
from .simple_html import Link, render_project_page, render_root_page

ROOT_PATH = "/simple/"
LOG_SOURCE = "org.sonatype.nexus.repository.pypi.PyPiHostedFacet"


@dataclass
class Upload:
    """One distribution file (and optional signature) with its name and version."""

    filename: str
    source: BinaryIO
    name: str
    version: str
    uploader: str
    uploader_ip: str
    attributes: dict[str, Any] = field(default_factory=dict)
    md5_digest: str | None = None
    signature: tuple[str, BinaryIO] | None = None


def project_path(name: str) -> str:
    return f"/simple/{name}/"


def check_write_allowed(repo: Repository, path: str, exists: bool) -> None:
    """The write policy (3.77 `ContentFacetSupport.checkAttachAllowed`): a new file needs
    create rights ("is read-only" under DENY), an existing one update rights ("cannot be updated"
    under ALLOW_ONCE and DENY)."""
    policy = repo.write_policy
    if not exists and policy == "DENY":
        raise NexusError(400, f"{repo.name}{path} is read-only")
    if exists and policy in ("ALLOW_ONCE", "DENY"):
        raise NexusError(400, f"{repo.name}{path} cannot be updated")


def check_delete_allowed(repo: Repository, path: str) -> None:
    """3.77 `ContentFacetSupport.checkDeleteAllowed`: only DENY refuses deletes."""
    if repo.write_policy == "DENY":
        raise NexusError(400, f"{repo.name}{path} cannot be deleted")


class HostedPypi:
    def __init__(
        self, db: Database, content: ContentStore, blobs: BlobStore, log: AppLog, usage: UsageLimits
    ) -> None:
        self._db = db
        self._content = content
        self._blobs = blobs
        self._log = log
        self._usage = usage

    # -- reads ---------------------------------------------------------------------------------

    def project_page(self, repo: Repository, name: str) -> bytes | None:
        """The cached index page, or a fresh one; None (404) when no component has that name."""
        cached = self._content.find_asset(repo.name, project_path(name))
        if cached is not None:
            return self._blobs.read_bytes(cached.blob_ref)
        if not self._content.component_exists(repo.name, name):
            return None
        try:
            with self._db.write() as conn:
                # Generated inside the write transaction so an upload cannot slip in between
                # reading the packages and caching the page.
                page = self._render_project(repo, name)
                if page is not None:
                    self._cache_page(conn, repo, project_path(name), INDEX, page)
        except FrozenError:
            # A read-only node still serves the index; it cannot cache it (and nothing can
            # change the packages meanwhile).
            page = self._render_project(repo, name)
        return page

    def _render_project(self, repo: Repository, name: str) -> bytes | None:
        assets = [a for a in self._content.package_assets(repo.name, name) if a.kind == PACKAGE]
        if not assets:
            return None
        return render_project_page(name, [_link(asset) for asset in assets])

    def root_page(self, repo: Repository) -> bytes:
        cached = self._content.find_asset(repo.name, ROOT_PATH)
        if cached is not None:
            return self._blobs.read_bytes(cached.blob_ref)
        try:
            with self._db.write() as conn:
                page = render_root_page(self._content.component_names(repo.name))
                self._cache_page(conn, repo, ROOT_PATH, ROOT_INDEX, page)
        except FrozenError:
            page = render_root_page(self._content.component_names(repo.name))
        return page

    def package(self, repo: Repository, path: str) -> Asset | None:
        return self._content.find_asset(repo.name, path) if path.startswith("/packages/") else None

    def _cache_page(
        self, conn: sqlite3.Connection, repo: Repository, path: str, kind: str, page: bytes
    ) -> None:
        blob = self._blobs.write_bytes(page)
        replaced = self._content.save_asset(
            conn, NewAsset(repo.name, path, kind, blob, "text/html")
        )
        if replaced:
            self._blobs.delete([replaced])

    # -- writes --------------------------------------------------------------------------------

    def upload(self, repo: Repository, upload: Upload) -> None:
        if not upload.name or not upload.version:
            raise NexusError(400, "Metadata is missing the name or version attribute")
        if self._is_new_component_over_limit(repo, upload):
            raise NexusError(403, self._usage.message)
        written: list[BlobInfo] = []
        try:
            written.append(self._blobs.write(upload.source))
            self._check_digest(upload, written[0])
            items = [self._new_asset(repo, upload, upload.filename, written[0], PACKAGE)]
            if upload.signature is not None:
                written.append(self._blobs.write(upload.signature[1]))
                items.append(
                    self._new_asset(repo, upload, upload.signature[0], written[1], SIGNATURE)
                )
            replaced = self._store(repo, items, canonicalize_name(upload.name))
        except BaseException:
            self._blobs.delete(blob.ref for blob in written)
            raise
        self._blobs.delete(replaced)
        for item in items:
            self._log.info(LOG_SOURCE, f"Uploaded {repo.name}{item.path}", upload.uploader)

    def _is_new_component_over_limit(self, repo: Repository, upload: Upload) -> bool:
        """Over the usage limits no new component is published (the message says so; where
        Nexus checks hosted uploads is not public). Files of existing components still go in."""
        if not self._usage.enabled:
            return False
        name = canonicalize_name(upload.name)
        return not self._content.component_exists(repo.name, name, upload.version) and (
            self._usage.over_limit()
        )

    def _check_digest(self, upload: Upload, blob: BlobInfo) -> None:
        expected = (upload.md5_digest or "").strip().lower()
        if expected and expected != blob.md5:
            raise NexusError(400, f"Digests do not match, found: {blob.md5}, expected: {expected}")

    def _new_asset(
        self, repo: Repository, upload: Upload, filename: str, blob: BlobInfo, kind: str
    ) -> NewAsset:
        component = (canonicalize_name(upload.name), upload.version)
        return NewAsset(
            repo.name,
            package_path(upload.name, upload.version, filename),
            kind,
            blob,
            content_type(filename),
            upload.uploader,
            upload.uploader_ip,
            dict(upload.attributes),
            component,
        )

    def _store(self, repo: Repository, items: list[NewAsset], name: str) -> list[str]:
        replaced: list[str] = []
        with self._db.write() as conn:
            for item in items:
                exists = (
                    conn.execute(
                        "SELECT 1 FROM asset WHERE repository = ? AND path = ?",
                        (repo.name, item.path),
                    ).fetchone()
                    is not None
                )
                check_write_allowed(repo, item.path, exists)
            for item in items:
                old = self._content.save_asset(conn, item)
                replaced.extend([old] if old else [])
            replaced.extend(self.drop_pages(conn, repo, name))
        return replaced

    def drop_pages(self, conn: sqlite3.Connection, repo: Repository, name: str) -> list[str]:
        """Forget cached index pages after the project's files changed."""
        return [
            *self._content.delete_path(conn, repo.name, project_path(name)),
            *self._content.delete_path(conn, repo.name, ROOT_PATH),
        ]

    def delete_asset(self, repo: Repository, asset: Asset) -> None:
        check_delete_allowed(repo, asset.path)
        with self._db.write() as conn:
            refs = self._content.delete_asset(conn, asset)
            name = asset.path.split("/")[2] if asset.path.startswith("/packages/") else None
            refs.extend(self.drop_pages(conn, repo, name) if name else [])
        self._blobs.delete(refs)

    def delete_component(self, repo: Repository, component: Component) -> None:
        for asset in self._content.assets_of([component.id])[component.id]:
            check_delete_allowed(repo, asset.path)
        with self._db.write() as conn:
            refs = self._content.delete_component(conn, component)
            refs.extend(self.drop_pages(conn, repo, component.name))
        self._blobs.delete(refs)


def _link(asset: Asset) -> Link:
    filename = asset.path.rsplit("/", 1)[-1]
    requires = asset.attributes.get("requires_python")
    return Link(
        filename, f"../..{asset.path}#sha256={asset.sha256}", str(requires) if requires else None
    )
