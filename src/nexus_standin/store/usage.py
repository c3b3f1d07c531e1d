"""Community Edition usage limits (opt-in) and the node id that Nexus's refusal names.

Nexus CE 3.77+ refuses to cache (proxy) or publish new components once the instance is over its
usage limits: 403 with `ThrottlerInterceptor.PAYMENT_REQUIRED_MESSAGE` + the node id (3.77
`ProxyHandler.buildPaymentRequiredResponse`, `ProxyFacetSupport.get`). The limits were 100,000
components and 200,000 requests a day, lowered to 40,000 and 100,000 in 3.87.0
(https://github.com/sonatype/nexus-public/issues/883). How Nexus counts and when it decides
(`ThrottlerInterceptor.shouldBlock`, the grace period) is not public: here an instance is over
its limits once its components reach the component limit or the requests to `/repository/` of
the last 24 hours reach the request limit, with no grace period. Off unless a limit is given.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import deque
from datetime import UTC, date, datetime, timedelta

from .db import Database

NODE_ID_KEY = "node-id"
DAY_SECONDS = 24 * 60 * 60.0
PAYMENT_REQUIRED_MESSAGE = (
    "PAYMENT REQUIRED: At current usage levels, Sonatype Nexus Repository Community Edition"
    " requires a paid license to publish or cache new components. Contact your repository"
    " administrator to resolve. INSTANCE ID: "
)


def node_id(db: Database) -> str:
    """The instance's node id, made once: a SHA-1 of a random UUID in groups of eight hex digits
    (3.77 `NodeIdStoreImpl.generateNodeId`, `NodeIdEncoding.nodeIdForSha1`)."""
    conn = db.read()
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (NODE_ID_KEY,)).fetchone()
    if row is not None:
        return str(row["value"]).strip('"')
    digest = hashlib.sha1(str(uuid.uuid4()).encode(), usedforsecurity=False).hexdigest()
    value = "-".join(digest[i : i + 8] for i in range(0, len(digest), 8))
    with db.write(ignore_freeze=True) as write:
        write.execute(
            "INSERT OR IGNORE INTO setting (key, value) VALUES (?, ?)", (NODE_ID_KEY, f'"{value}"')
        )
    return value


class UsageLimits:
    def __init__(
        self,
        db: Database,
        node: str,
        components: int | None = None,
        requests_per_day: int | None = None,
    ) -> None:
        self._db = db
        self._components = components
        self._requests_per_day = requests_per_day
        self._requests: deque[float] = deque()
        # Requests per UTC day, for `v1/usage-history` (kept whether limits apply or not).
        self._daily: dict[date, int] = {}
        self._lock = threading.Lock()
        self.message = PAYMENT_REQUIRED_MESSAGE + node

    @property
    def enabled(self) -> bool:
        return self._components is not None or self._requests_per_day is not None

    def count_request(self) -> None:
        now = time.time()
        with self._lock:
            day = datetime.fromtimestamp(now, UTC).date()
            self._daily[day] = self._daily.get(day, 0) + 1
            if self._requests_per_day is None:
                return
            self._requests.append(now)
            self._drop_old(now)

    def requests_on(self, day: date) -> int:
        with self._lock:
            return self._daily.get(day, 0)

    def components_at_end_of(self, day: date) -> int:
        """Components created up to the end of `day` (UTC) that still exist."""
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
        row = (
            self._db.read()
            .execute(
                "SELECT COUNT(*) AS total FROM component WHERE created < ?", (end.isoformat(),)
            )
            .fetchone()
        )
        return int(row["total"])

    def requests_last_day(self) -> int:
        with self._lock:
            self._drop_old(time.time())
            return len(self._requests)

    def component_count(self) -> int:
        row = self._db.read().execute("SELECT COUNT(*) AS total FROM component").fetchone()
        return int(row["total"])

    def over_limit(self) -> bool:
        if self._components is not None and self.component_count() >= self._components:
            return True
        limit = self._requests_per_day
        return limit is not None and self.requests_last_day() >= limit

    def _drop_old(self, now: float) -> None:
        while self._requests and self._requests[0] <= now - DAY_SECONDS:
            self._requests.popleft()
