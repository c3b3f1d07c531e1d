"""LDAP server configurations: stored as the API request (bind password included), in order.

The bind password stays in the database (as Nexus keeps it, encrypted, in its own); it is never
returned by the API (3.97 `ReadLdapServerXo` has no `authPassword`) nor logged.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from .db import Database


@dataclass(frozen=True)
class LdapServer:
    id: str
    name: str
    order: int  # 1-based position in the list
    config: dict[str, Any]  # the request's JSON (camelCase keys), authPassword included

    @property
    def password(self) -> str | None:
        value = self.config.get("authPassword")
        return str(value) if value is not None else None


class LdapStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self) -> list[LdapServer]:
        rows = (
            self._db.read().execute("SELECT * FROM ldap_server ORDER BY position, name").fetchall()
        )
        return [_server(row, index + 1) for index, row in enumerate(rows)]

    def configs(self) -> list[dict[str, Any]]:
        """Every server's configuration, in order (what the LDAP realm asks)."""
        return [server.config for server in self.all()]

    def get(self, name: str) -> LdapServer | None:
        return next((server for server in self.all() if server.name == name), None)

    def get_ignoring_case(self, name: str) -> LdapServer | None:
        return next((s for s in self.all() if s.name.lower() == name.lower()), None)

    def create(self, config: dict[str, Any]) -> LdapServer:
        with self._db.write() as conn:
            last = conn.execute("SELECT MAX(position) AS last FROM ldap_server").fetchone()
            position = int(last["last"] or 0) + 1
            server_id = uuid.uuid4().hex
            conn.execute(
                "INSERT INTO ldap_server (name, id, position, config) VALUES (?, ?, ?, ?)",
                (config["name"], server_id, position, json.dumps(config)),
            )
        created = self.get(str(config["name"]))
        assert created is not None
        return created

    def update(self, existing: LdapServer, config: dict[str, Any]) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE ldap_server SET name = ?, config = ? WHERE id = ?",
                (config["name"], json.dumps(config), existing.id),
            )

    def delete(self, name: str) -> bool:
        with self._db.write() as conn:
            return conn.execute("DELETE FROM ldap_server WHERE name = ?", (name,)).rowcount > 0

    def reorder(self, names: list[str]) -> None:
        """The named servers first, in the given order; any others keep their order after them."""
        current = [server.name for server in self.all()]
        ordered = names + [name for name in current if name not in names]
        with self._db.write() as conn:
            for position, name in enumerate(ordered, start=1):
                conn.execute("UPDATE ldap_server SET position = ? WHERE name = ?", (position, name))


def _server(row: sqlite3.Row, order: int) -> LdapServer:
    return LdapServer(
        id=row["id"], name=row["name"], order=order, config=dict(json.loads(row["config"]))
    )
