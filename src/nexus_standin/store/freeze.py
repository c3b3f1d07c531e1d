"""Read-only (frozen) mode: the administrator's freeze request, kept in the database.

As in Nexus (3.77 `FreezeService`, `ReadOnlyState`), a frozen node refuses every database write
(`Database.write` raises FrozenError) while reads and downloads go on. Only administrator
requests exist here (no system tasks freeze the node), so `systemInitiated` is always false.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .db import Database

SETTING_KEY = "read-only"


@dataclass(frozen=True)
class FreezeRequest:
    frozen_at: datetime
    requested_by: str
    reason: str


class FreezeService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._request = self._load()
        db.frozen = self._request is not None

    @property
    def request(self) -> FreezeRequest | None:
        return self._request

    def freeze(self, user: str, reason: str) -> bool:
        """True when the node became read-only; False when it already was."""
        with self._lock:
            if self._request is not None:
                return False
            request = FreezeRequest(datetime.now(UTC), user, reason)
            self._save(
                {"frozenAt": request.frozen_at.isoformat(), "requestedBy": user, "reason": reason}
            )
            self._request = request
            self._db.frozen = True
            return True

    def release(self) -> bool:
        """True when the node became writable; False when it was not read-only."""
        with self._lock:
            if self._request is None:
                return False
            self._save(None)
            self._request = None
            self._db.frozen = False
            return True

    def state(self, detailed: bool) -> dict[str, Any]:
        """ReadOnlyState as Jackson writes it: frozen, summaryReason, systemInitiated."""
        request = self._request
        reason = ""
        if detailed and request is not None:
            # Joda's "yyyy-MM-dd HH:mm:ss ZZ" in the server's zone (UTC here).
            stamp = request.frozen_at.strftime("%Y-%m-%d %H:%M:%S +00:00")
            reason = f"Requested by an administrator at {stamp}"
        return {"frozen": request is not None, "summaryReason": reason, "systemInitiated": False}

    def _load(self) -> FreezeRequest | None:
        row = (
            self._db.read()
            .execute("SELECT value FROM setting WHERE key = ?", (SETTING_KEY,))
            .fetchone()
        )
        value = json.loads(row["value"]) if row else None
        if not isinstance(value, dict):
            return None
        return FreezeRequest(
            datetime.fromisoformat(str(value["frozenAt"])),
            str(value.get("requestedBy", "")),
            str(value.get("reason", "")),
        )

    def _save(self, value: dict[str, Any] | None) -> None:
        with self._db.write(ignore_freeze=True) as conn:
            if value is None:
                conn.execute("DELETE FROM setting WHERE key = ?", (SETTING_KEY,))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)",
                    (SETTING_KEY, json.dumps(value)),
                )
