"""PRE-3's client list and DECOM-4: who still fetches from pypiserver, from its request log.

PRE-3 (an inventory) lists every client the log shows within the window, before and after the
cutover; DECOM-4 fails while any client fetched after it (format and window in
guardrails/stragglers.py).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from nexus_cutover.checks import Proof
from nexus_cutover.guardrails.stragglers import (
    LOG_LINE_FORMAT,
    REQUEST_LOG_FORMAT,
    Client,
    RequestLog,
    clients,
    read_log,
)

HOW_TO_LOG = (
    f"start pypiserver with -v --log-file FILE --log-frmt '{LOG_LINE_FORMAT}'"
    f" --log-req-frmt '{REQUEST_LOG_FORMAT}'"
    " (and HTTP_USER_AGENT=- in its environment), or point pypiserver.log_file at a"
    " combined-format access log (gunicorn's accesslog, or a reverse proxy's)"
)


def _read(log: Path) -> tuple[RequestLog | None, list[str]]:
    if not log.exists():
        return None, [f"pypiserver.log_file {log} does not exist: {HOW_TO_LOG}"]
    found = read_log(log)
    if found.problems:
        return None, list(found.problems)
    if found.wrong_format:
        return None, [
            f"{log} records {found.other_request_lines} requests but not which client sent"
            f" them: {HOW_TO_LOG}"
        ]
    return found, []


def inventory(scanned: Proof, log: Path | None, since: datetime, cutover: datetime | None) -> Proof:
    """PRE-3: the scanner's inventory, and the clients pypiserver served since `since`."""
    if log is None:
        return scanned.then(
            Proof.passed(
                "pypiserver's request log not configured (pypiserver.log_file): clients"
                " outside these projects are not seen"
            )
        )
    found, unreadable = _read(log)
    if found is None:
        return scanned.then(Proof(unreadable))
    seen = clients(found.requests, since)
    listing = "; ".join(_with_cutover(c, cutover) for c in seen) or "none"
    return scanned.then(
        Proof.passed(
            f"clients that fetched from pypiserver since {since:%Y-%m-%d %H:%M} UTC"
            f" ({log}): {listing}"
        )
    )


def _with_cutover(client: Client, cutover: datetime | None) -> str:
    after = cutover is not None and client.last >= cutover
    return client.describe() + (" (after the cutover)" if after else "")


def no_stragglers(log: Path, since: datetime, cutover: datetime | None, hours: float) -> Proof:
    """DECOM-4: no client fetched from (or uploaded to) pypiserver since `since`."""
    found, unreadable = _read(log)
    if found is None:
        return Proof(unreadable)
    window = _window(since, cutover, hours)
    seen = clients(found.requests, since)
    if seen:
        return Proof.failed(
            f"{_clients(len(seen))} pypiserver {window}: "
            + "; ".join(c.describe() for c in seen[:5])
            + ("; ..." if len(seen) > 5 else "")
            + ": find each host and point it at the group (`nexus-cutover migrate configure"
            " PATH` for its files, or its pip.conf / PIP_INDEX_URL), then check again"
        )
    total = sum(1 for r in found.requests if r.when >= since)
    return Proof.passed(
        f"{log}: {len(found.requests)} requests read, {total} of them {window}, none from a client"
    )


def _clients(count: int) -> str:
    return "1 client still uses" if count == 1 else f"{count} clients still use"


def _window(since: datetime, cutover: datetime | None, hours: float) -> str:
    if cutover is not None and cutover >= since:
        return f"since the client files were rewritten ({since:%Y-%m-%d %H:%M} UTC)"
    return f"in the last {hours:g} h (since {since:%Y-%m-%d %H:%M} UTC)"
