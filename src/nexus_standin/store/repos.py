"""Repository configurations: persistence and typed access to the stored API request."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .db import Database

HOSTED, PROXY, GROUP = "hosted", "proxy", "group"
MINUTE = 60.0


@dataclass(frozen=True)
class Repository:
    """One repository; `config` is the validated API request as JSON (camelCase keys)."""

    name: str
    type: str
    format: str
    config: dict[str, Any]

    def section(self, key: str) -> dict[str, Any]:
        value = self.config.get(key)
        return value if isinstance(value, dict) else {}

    @property
    def online(self) -> bool:
        return bool(self.config.get("online", True))

    @property
    def write_policy(self) -> str:
        """Upper-case policy; the API stores the string as sent and compares case-insensitively."""
        return str(self.section("storage").get("writePolicy") or "ALLOW").upper()

    @property
    def members(self) -> list[str]:
        return [str(name) for name in self.section("group").get("memberNames", [])]

    @property
    def remote_url(self) -> str:
        return str(self.section("proxy").get("remoteUrl", ""))

    @property
    def simple_suffix(self) -> str:
        return str(self.section("pypi").get("suffix") or "/simple")

    @property
    def content_max_age(self) -> float:
        """Seconds, or -1 for forever."""
        return _minutes(self.section("proxy").get("contentMaxAge", 1440))

    @property
    def metadata_max_age(self) -> float:
        return _minutes(self.section("proxy").get("metadataMaxAge", 1440))

    @property
    def negative_cache_ttl(self) -> float | None:
        """Seconds a remote 404 is remembered, None when the negative cache is off."""
        negative = self.section("negativeCache")
        if not negative.get("enabled", True):
            return None
        return _minutes(negative.get("timeToLive", 1440))

    @property
    def blocked(self) -> bool:
        return bool(self.section("httpClient").get("blocked", False))

    @property
    def auto_block(self) -> bool:
        return bool(self.section("httpClient").get("autoBlock", False))

    @property
    def connection(self) -> dict[str, Any]:
        connection = self.section("httpClient").get("connection")
        return connection if isinstance(connection, dict) else {}

    @property
    def remote_credentials(self) -> tuple[str, str] | None:
        auth = self.section("httpClient").get("authentication")
        if isinstance(auth, dict) and auth.get("type") == "username" and auth.get("username"):
            return str(auth["username"]), str(auth.get("password") or "")
        return None


def _minutes(value: Any) -> float:
    minutes = int(value)
    return -1.0 if minutes < 0 else minutes * MINUTE


class RepositoryStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, name: str) -> Repository | None:
        row = self._db.read().execute("SELECT * FROM repository WHERE name = ?", (name,)).fetchone()
        return _repository(row) if row else None

    def get_ignoring_case(self, name: str) -> Repository | None:
        row = (
            self._db.read()
            .execute("SELECT * FROM repository WHERE name_key = ?", (name.lower(),))
            .fetchone()
        )
        return _repository(row) if row else None

    def all(self) -> list[Repository]:
        rows = self._db.read().execute("SELECT * FROM repository ORDER BY name").fetchall()
        return [_repository(row) for row in rows]

    def create(self, repo: Repository) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO repository (name, name_key, type, format, config, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    repo.name,
                    repo.name.lower(),
                    repo.type,
                    repo.format,
                    json.dumps(repo.config),
                    datetime.now(UTC).isoformat(),
                ),
            )

    def update(self, conn: sqlite3.Connection, repo: Repository) -> None:
        conn.execute(
            "UPDATE repository SET config = ? WHERE name = ?", (json.dumps(repo.config), repo.name)
        )

    def delete(self, conn: sqlite3.Connection, name: str) -> None:
        conn.execute("DELETE FROM repository WHERE name = ?", (name,))


def _repository(row: sqlite3.Row) -> Repository:
    return Repository(
        name=row["name"], type=row["type"], format=row["format"], config=json.loads(row["config"])
    )
