"""/v1/usage-history: daily or monthly components and requests, as Nexus 3.9x reports them.

Shape from the 3.97 API description (nexus-api-client 3.97.1 `UsageHistoryApi`,
`UsageHistoryXO` {metric, period, data: [{date, value}]}, `UsageHistoryPointXO`): `metric` is
`requests` or `components`, `period` `daily` (the last 7 days, `yyyy-MM-dd`) or `monthly` (the
last 12 months, `yyyy-MM`), points oldest first; 400 for other values, 403 without the
privilege. Not in 3.77 (no such resource in nexus-public 3.77.1), so served from 3.91 on; the
first version that has it, its permission (here `nexus:metrics:read`, as `v1/status/check`) and
how Nexus counts are UNCONFIRMED. Here: components = those created by the end of the day (or
month) that still exist; requests = requests to `/repository/` per UTC day, kept in memory.
`v1/monthly-metrics` (3.97 `MonthlyMetricsApi`) is not served: month totals cannot tell how
close today is to a daily limit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from starlette.responses import Response
from starlette.routing import Route

from ..config import version_tuple
from ..errors import NexusError
from ..store.usage import UsageLimits
from .support import Call, json_response, rest

FIRST_VERSION = (3, 91, 0)
METRICS = ("requests", "components")
PERIODS = ("daily", "monthly")


def usage_history(call: Call) -> Response:
    if version_tuple(call.runtime.config.nexus_version) < FIRST_VERSION:
        raise NexusError(404)
    call.subject.require("nexus:metrics:read")
    metric, period = call.query("metric"), call.query("period")
    if metric not in METRICS or period not in PERIODS:
        raise NexusError(400)
    today = datetime.now(UTC).date()
    usage = call.runtime.usage
    if period == "daily":
        days = [today - timedelta(days=back) for back in range(6, -1, -1)]
        data = [{"date": day.isoformat(), "value": _daily(usage, metric, day)} for day in days]
    else:
        months = _last_months(today, 12)
        data = [
            {"date": f"{first:%Y-%m}", "value": _monthly(usage, metric, first, today)}
            for first in months
        ]
    return json_response({"metric": metric, "period": period, "data": data})


def _daily(usage: UsageLimits, metric: str, day: date) -> int:
    return usage.requests_on(day) if metric == "requests" else usage.components_at_end_of(day)


def _monthly(usage: UsageLimits, metric: str, first: date, today: date) -> int:
    last = min(_next_month(first) - timedelta(days=1), today)
    if metric == "components":
        return usage.components_at_end_of(last)
    days = (last - first).days + 1
    return sum(usage.requests_on(first + timedelta(days=n)) for n in range(days))


def _last_months(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = [first]
    for _ in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def _next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


routes = [Route("/v1/usage-history", rest(usage_history), methods=["GET"])]
