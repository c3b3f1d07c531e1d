"""Components and assets of every repository (the content store), with paging and search."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from packaging.utils import canonicalize_name

from .blobs import BlobInfo
from .db import Database

PACKAGE, SIGNATURE, INDEX, ROOT_INDEX = "PACKAGE", "PACKAGE_SIGNATURE", "INDEX", "ROOT_INDEX"
# A component name as PEP 503 normalises it (runs of separators aside): proxied components keep
# their metadata Name, and search matches either spelling.
NORMALISED_NAME = "LOWER(REPLACE(REPLACE(c.name, '_', '-'), '.', '-'))"
# Nexus records lastDownloaded at most this often per asset.
DOWNLOAD_MARK_INTERVAL = timedelta(hours=12)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Component:
    id: int
    ext_id: str
    repository: str
    name: str
    version: str
    created: str


@dataclass(frozen=True)
class Asset:
    id: int
    ext_id: str
    repository: str
    path: str
    component_id: int | None
    kind: str
    blob_ref: str
    size: int
    content_type: str
    md5: str
    sha1: str
    sha256: str
    created: str
    blob_created: str
    blob_updated: str
    last_downloaded: str | None
    uploader: str | None
    uploader_ip: str | None
    attributes: dict[str, Any]

    @property
    def checksums(self) -> dict[str, str]:
        return {"sha1": self.sha1, "sha256": self.sha256, "md5": self.md5}


@dataclass(frozen=True)
class NewAsset:
    repository: str
    path: str
    kind: str
    blob: BlobInfo
    content_type: str
    uploader: str | None = None
    uploader_ip: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    # (name, version): hosted components are named by the normalised name, proxied ones by the
    # file's metadata Name (3.30 PyPiHostedFacet / PyPiProxyFacet).
    component: tuple[str, str] | None = None


@dataclass(frozen=True)
class SearchQuery:
    repositories: Sequence[str]
    name: str | None = None
    version: str | None = None
    keyword: str | None = None
    checksums: dict[str, str] = field(default_factory=dict)


class ContentStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- reads ---------------------------------------------------------------------------------

    def find_asset(self, repository: str, path: str) -> Asset | None:
        row = (
            self._db.read()
            .execute("SELECT * FROM asset WHERE repository = ? AND path = ?", (repository, path))
            .fetchone()
        )
        return _asset(row) if row else None

    def asset_by_ext_id(self, repository: str, ext_id: str) -> Asset | None:
        row = (
            self._db.read()
            .execute(
                "SELECT * FROM asset WHERE repository = ? AND ext_id = ?", (repository, ext_id)
            )
            .fetchone()
        )
        return _asset(row) if row else None

    def component_by_ext_id(self, repository: str, ext_id: str) -> Component | None:
        row = (
            self._db.read()
            .execute(
                "SELECT * FROM component WHERE repository = ? AND ext_id = ?", (repository, ext_id)
            )
            .fetchone()
        )
        return _component(row) if row else None

    def page_components(self, repository: str, after: int, limit: int) -> list[Component]:
        rows = (
            self._db.read()
            .execute(
                "SELECT * FROM component WHERE repository = ? AND id > ? ORDER BY id LIMIT ?",
                (repository, after, limit),
            )
            .fetchall()
        )
        return [_component(row) for row in rows]

    def page_assets(self, repository: str, after: int, limit: int) -> list[Asset]:
        rows = (
            self._db.read()
            .execute(
                "SELECT * FROM asset WHERE repository = ? AND id > ? ORDER BY id LIMIT ?",
                (repository, after, limit),
            )
            .fetchall()
        )
        return [_asset(row) for row in rows]

    def assets_of(self, component_ids: Iterable[int]) -> dict[int, list[Asset]]:
        ids = list(component_ids)
        result: dict[int, list[Asset]] = {cid: [] for cid in ids}
        if not ids:
            return result
        marks = ",".join("?" * len(ids))
        rows = (
            self._db.read()
            .execute(f"SELECT * FROM asset WHERE component_id IN ({marks}) ORDER BY path", ids)
            .fetchall()
        )
        for row in rows:
            result[row["component_id"]].append(_asset(row))
        return result

    def package_assets(self, repository: str, name: str) -> list[Asset]:
        rows = (
            self._db.read()
            .execute(
                "SELECT a.* FROM asset a JOIN component c ON a.component_id = c.id"
                " WHERE c.repository = ? AND c.name = ? ORDER BY a.path",
                (repository, name),
            )
            .fetchall()
        )
        return [_asset(row) for row in rows]

    def component_exists(self, repository: str, name: str, version: str | None = None) -> bool:
        query = "SELECT 1 FROM component WHERE repository = ? AND name = ?"
        params = [repository, name]
        if version is not None:
            query += " AND version = ?"
            params.append(version)
        return self._db.read().execute(query + " LIMIT 1", params).fetchone() is not None

    def component_names(self, repository: str) -> list[str]:
        rows = (
            self._db.read()
            .execute(
                "SELECT DISTINCT name FROM component WHERE repository = ? ORDER BY name",
                (repository,),
            )
            .fetchall()
        )
        return [row["name"] for row in rows]

    def blob_refs(self) -> set[str]:
        rows = self._db.read().execute("SELECT blob_ref FROM asset").fetchall()
        return {row["blob_ref"] for row in rows}

    def repository_size(self, repository: str) -> int:
        row = (
            self._db.read()
            .execute(
                "SELECT COALESCE(SUM(size), 0) AS total FROM asset WHERE repository = ?",
                (repository,),
            )
            .fetchone()
        )
        return int(row["total"])

    def search_components(self, query: SearchQuery, after: int, limit: int) -> list[Component]:
        where, params = _search_clause(query)
        rows = (
            self._db.read()
            .execute(
                f"SELECT c.* FROM component c WHERE {where} AND c.id > ? ORDER BY c.id LIMIT ?",
                [*params, after, limit],
            )
            .fetchall()
        )
        return [_component(row) for row in rows]

    def search_assets(self, query: SearchQuery, after: int, limit: int) -> list[Asset]:
        where, params = _search_clause(query)
        checks, check_params = _checksum_clause(query.checksums, "a")
        rows = (
            self._db.read()
            .execute(
                "SELECT a.* FROM asset a JOIN component c ON a.component_id = c.id"
                f" WHERE {where} AND {checks} AND a.id > ? ORDER BY a.id LIMIT ?",
                [*params, *check_params, after, limit],
            )
            .fetchall()
        )
        return [_asset(row) for row in rows]

    # -- writes (the caller owns the transaction) ----------------------------------------------

    def save_asset(self, conn: sqlite3.Connection, new: NewAsset) -> str | None:
        """Create or replace the asset at `new.path`; returns the replaced blob's ref, if any."""
        component_id = self._component_id(conn, new) if new.component else None
        stamp = now_iso()
        old = conn.execute(
            "SELECT id, blob_ref FROM asset WHERE repository = ? AND path = ?",
            (new.repository, new.path),
        ).fetchone()
        values = (
            component_id,
            new.kind,
            new.blob.ref,
            new.blob.size,
            new.content_type,
            new.blob.md5,
            new.blob.sha1,
            new.blob.sha256,
            new.uploader,
            new.uploader_ip,
            json.dumps(new.attributes),
        )
        if old is None:
            conn.execute(
                "INSERT INTO asset (component_id, kind, blob_ref, size, content_type, md5, sha1,"
                " sha256, uploader, uploader_ip, attributes, ext_id, repository, path, created,"
                " blob_created, blob_updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*values, uuid.uuid4().hex, new.repository, new.path, stamp, stamp, stamp),
            )
            return None
        conn.execute(
            "UPDATE asset SET component_id = ?, kind = ?, blob_ref = ?, size = ?,"
            " content_type = ?, md5 = ?, sha1 = ?, sha256 = ?, uploader = ?, uploader_ip = ?,"
            " attributes = ?, blob_created = ?, blob_updated = ? WHERE id = ?",
            (*values, stamp, stamp, old["id"]),
        )
        return str(old["blob_ref"])

    def _component_id(self, conn: sqlite3.Connection, new: NewAsset) -> int:
        assert new.component is not None
        name, version = new.component
        conn.execute(
            "INSERT OR IGNORE INTO component (ext_id, repository, name, version, created)"
            " VALUES (?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, new.repository, name, version, now_iso()),
        )
        row = conn.execute(
            "SELECT id FROM component WHERE repository = ? AND name = ? AND version = ?",
            (new.repository, name, version),
        ).fetchone()
        return int(row["id"])

    def delete_asset(self, conn: sqlite3.Connection, asset: Asset) -> list[str]:
        """Delete one asset (and its component once empty); returns blob refs to remove."""
        conn.execute("DELETE FROM asset WHERE id = ?", (asset.id,))
        if asset.component_id is not None:
            conn.execute(
                "DELETE FROM component WHERE id = ? AND NOT EXISTS"
                " (SELECT 1 FROM asset WHERE component_id = ?)",
                (asset.component_id, asset.component_id),
            )
        return [asset.blob_ref]

    def delete_path(self, conn: sqlite3.Connection, repository: str, path: str) -> list[str]:
        row = conn.execute(
            "SELECT * FROM asset WHERE repository = ? AND path = ?", (repository, path)
        ).fetchone()
        return self.delete_asset(conn, _asset(row)) if row else []

    def delete_component(self, conn: sqlite3.Connection, component: Component) -> list[str]:
        rows = conn.execute(
            "SELECT blob_ref FROM asset WHERE component_id = ?", (component.id,)
        ).fetchall()
        conn.execute("DELETE FROM asset WHERE component_id = ?", (component.id,))
        conn.execute("DELETE FROM component WHERE id = ?", (component.id,))
        return [row["blob_ref"] for row in rows]

    def delete_repository(self, conn: sqlite3.Connection, repository: str) -> list[str]:
        rows = conn.execute(
            "SELECT blob_ref FROM asset WHERE repository = ?", (repository,)
        ).fetchall()
        conn.execute("DELETE FROM asset WHERE repository = ?", (repository,))
        conn.execute("DELETE FROM component WHERE repository = ?", (repository,))
        conn.execute("DELETE FROM remote_link WHERE repository = ?", (repository,))
        return [row["blob_ref"] for row in rows]

    def remote_url(self, repository: str, filename: str) -> str | None:
        row = (
            self._db.read()
            .execute(
                "SELECT url FROM remote_link WHERE repository = ? AND filename = ?",
                (repository, filename),
            )
            .fetchone()
        )
        return str(row["url"]) if row else None

    def save_remote_urls(
        self, conn: sqlite3.Connection, repository: str, urls: Iterable[tuple[str, str]]
    ) -> None:
        """Remember where a proxy's remote serves each file (filename -> absolute URL)."""
        conn.executemany(
            "INSERT OR REPLACE INTO remote_link (repository, filename, url) VALUES (?, ?, ?)",
            [(repository, filename, url) for filename, url in urls],
        )

    def mark_downloaded(self, asset: Asset) -> None:
        if self._db.frozen:
            return  # a read-only node still serves downloads; it just records nothing
        if asset.last_downloaded is not None:
            last = datetime.fromisoformat(asset.last_downloaded)
            if datetime.now(UTC) - last < DOWNLOAD_MARK_INTERVAL:
                return
        with self._db.write() as conn:
            conn.execute("UPDATE asset SET last_downloaded = ? WHERE id = ?", (now_iso(), asset.id))


def _search_clause(query: SearchQuery) -> tuple[str, list[Any]]:
    clauses = [f"c.repository IN ({','.join('?' * len(query.repositories)) or 'NULL'})"]
    params: list[Any] = list(query.repositories)
    if query.name:
        if "*" in query.name:
            clauses.append(f"{NORMALISED_NAME} LIKE ? ESCAPE '\\'")
            params.append(_like_pattern(query.name.lower()))
        else:
            clauses.append(f"{NORMALISED_NAME} = ?")
            params.append(canonicalize_name(query.name))
    if query.version:
        if "*" in query.version:
            clauses.append("c.version LIKE ? ESCAPE '\\'")
            params.append(_like_pattern(query.version))
        else:
            clauses.append("c.version = ?")
            params.append(query.version)
    if query.keyword:
        clauses.append("c.name LIKE ? ESCAPE '\\'")
        params.append(_like_pattern(f"*{query.keyword.lower()}*"))
    if query.checksums:
        checks, check_params = _checksum_clause(query.checksums, "x")
        clauses.append(f"EXISTS (SELECT 1 FROM asset x WHERE x.component_id = c.id AND {checks})")
        params.extend(check_params)
    return " AND ".join(clauses), params


def _checksum_clause(checksums: dict[str, str], alias: str) -> tuple[str, list[Any]]:
    """Only stored algorithms can match: a PyPI asset carries sha1, sha256 and md5."""
    clauses: list[str] = []
    params: list[Any] = []
    for algorithm, value in checksums.items():
        if algorithm in ("sha1", "sha256", "md5"):
            clauses.append(f"{alias}.{algorithm} = ?")
            params.append(value.lower())
        else:
            clauses.append("0")
    return (" AND ".join(clauses) or "1"), params


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def _component(row: sqlite3.Row) -> Component:
    return Component(
        id=row["id"],
        ext_id=row["ext_id"],
        repository=row["repository"],
        name=row["name"],
        version=row["version"],
        created=row["created"],
    )


def _asset(row: sqlite3.Row) -> Asset:
    return Asset(
        id=row["id"],
        ext_id=row["ext_id"],
        repository=row["repository"],
        path=row["path"],
        component_id=row["component_id"],
        kind=row["kind"],
        blob_ref=row["blob_ref"],
        size=row["size"],
        content_type=row["content_type"],
        md5=row["md5"],
        sha1=row["sha1"],
        sha256=row["sha256"],
        created=row["created"],
        blob_created=row["blob_created"],
        blob_updated=row["blob_updated"],
        last_downloaded=row["last_downloaded"],
        uploader=row["uploader"],
        uploader_ip=row["uploader_ip"],
        attributes=json.loads(row["attributes"]),
    )
