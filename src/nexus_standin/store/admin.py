"""Scheduled tasks and cleanup policies: JSON documents keyed by id or name."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from .db import Database

# Tasks a fresh instance lists (names and type ids as Nexus shows them; the set is a choice).
DEFAULT_TASKS = (
    ("Cleanup service", "repository.cleanup"),
    ("Storage facet cleanup", "repository.storage-facet-cleanup"),
    ("Cleanup unused asset blobs", "assetBlob.cleanup"),
)


class _JsonTable:
    def __init__(self, db: Database, table: str, key: str) -> None:
        self._db = db
        self._table = table
        self._key = key

    def get(self, key: str) -> dict[str, Any] | None:
        row = (
            self._db.read()
            .execute(f"SELECT config FROM {self._table} WHERE {self._key} = ?", (key,))
            .fetchone()
        )
        return dict(json.loads(row["config"])) if row else None

    def all(self) -> list[dict[str, Any]]:
        rows = (
            self._db.read()
            .execute(f"SELECT config FROM {self._table} ORDER BY {self._key}")
            .fetchall()
        )
        return [dict(json.loads(row["config"])) for row in rows]

    def put(self, key: str, config: dict[str, Any]) -> None:
        with self._db.write() as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO {self._table} ({self._key}, config) VALUES (?, ?)",
                (key, json.dumps(config)),
            )

    def delete(self, key: str) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute(f"DELETE FROM {self._table} WHERE {self._key} = ?", (key,))
            return cursor.rowcount > 0


class CleanupPolicyStore(_JsonTable):
    def __init__(self, db: Database) -> None:
        super().__init__(db, "cleanup_policy", "name")


class TaskStore(_JsonTable):
    def __init__(self, db: Database) -> None:
        super().__init__(db, "task", "id")

    def seed(self) -> None:
        if self.all():
            return
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(
            hour=1, minute=0, second=0, microsecond=0
        )
        for name, type_id in DEFAULT_TASKS:
            task_id = str(uuid.uuid4())
            self.put(
                task_id,
                {
                    "id": task_id,
                    "name": name,
                    "type": type_id,
                    "message": None,
                    "currentState": "WAITING",
                    "lastRunResult": None,
                    "nextRun": tomorrow.isoformat(timespec="milliseconds"),
                    "lastRun": None,
                },
            )

    def record_run(self, task_id: str) -> None:
        task = self.get(task_id)
        if task is not None:
            task.update(
                lastRun=datetime.now(UTC).isoformat(timespec="milliseconds"), lastRunResult="OK"
            )
            self.put(task_id, task)
