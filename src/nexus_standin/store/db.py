"""SQLite access: one connection per thread, WAL mode, writes serialized by one lock."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import FrozenError

SCHEMA = """
CREATE TABLE IF NOT EXISTS repository (
    name TEXT PRIMARY KEY,
    name_key TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    format TEXT NOT NULL,
    config TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS component (
    id INTEGER PRIMARY KEY,
    ext_id TEXT NOT NULL UNIQUE,
    repository TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    created TEXT NOT NULL,
    UNIQUE (repository, name, version)
);
CREATE TABLE IF NOT EXISTS asset (
    id INTEGER PRIMARY KEY,
    ext_id TEXT NOT NULL UNIQUE,
    repository TEXT NOT NULL,
    path TEXT NOT NULL,
    component_id INTEGER REFERENCES component (id),
    kind TEXT NOT NULL,
    blob_ref TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    md5 TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created TEXT NOT NULL,
    blob_created TEXT NOT NULL,
    blob_updated TEXT NOT NULL,
    last_downloaded TEXT,
    uploader TEXT,
    uploader_ip TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',
    UNIQUE (repository, path)
);
CREATE INDEX IF NOT EXISTS asset_component ON asset (component_id);
CREATE INDEX IF NOT EXISTS asset_sha256 ON asset (sha256);
CREATE INDEX IF NOT EXISTS asset_sha1 ON asset (sha1);
CREATE INDEX IF NOT EXISTS asset_md5 ON asset (md5);
CREATE TABLE IF NOT EXISTS remote_link (
    repository TEXT NOT NULL,
    filename TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (repository, filename)
);
CREATE TABLE IF NOT EXISTS security_user (
    user_id TEXT PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS security_role (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    privileges TEXT NOT NULL,
    roles TEXT NOT NULL,
    read_only INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cleanup_policy (
    name TEXT PRIMARY KEY,
    config TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS task (
    id TEXT PRIMARY KEY,
    config TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS privilege (
    name TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    config TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ldap_server (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    config TEXT NOT NULL
);
"""
# Columns added after a data directory may already exist: (table, column, definition).
ADDED_COLUMNS = (("security_role", "source", "TEXT NOT NULL DEFAULT 'default'"),)


class Database:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        # Read-only (frozen) node: every write fails, as Nexus's data stores do when frozen.
        self.frozen = False
        with self._write_lock:
            conn = self.read()
            conn.executescript(SCHEMA)
            for table, column, definition in ADDED_COLUMNS:
                present = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    def read(self) -> sqlite3.Connection:
        """This thread's connection, in autocommit mode: each statement sees committed data."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, isolation_level=None, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def write(self, *, ignore_freeze: bool = False) -> Iterator[sqlite3.Connection]:
        """A write transaction; the process-wide lock avoids SQLITE_BUSY between our threads.

        Raises FrozenError while the node is read-only, unless `ignore_freeze` (the freeze
        state itself is written that way).
        """
        with self._write_lock:
            if self.frozen and not ignore_freeze:
                raise FrozenError()
            conn = self.read()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
