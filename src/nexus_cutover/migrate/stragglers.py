"""Step 8's second gate: pypiserver is not retired while clients still fetch from it.

Stragglers are read from pypiserver's request log (guardrails/stragglers.py): any client within
the window, after `configure` last rewrote the client files, refuses decommissioning and is
named, so the team can find the forgotten job before it breaks.
"""

from __future__ import annotations

from datetime import UTC, datetime

from nexus_cutover.guardrails.stragglers import clients, read_log, window_start
from nexus_cutover.migrate.errors import RefusedError
from nexus_cutover.migrate.state import StatePaths
from nexus_cutover.target import Target


def cutover_time(target: Target) -> datetime | None:
    """When `configure` last rewrote client files (its journal's time), None if it never did."""
    journal = StatePaths(target.state_dir).journal
    if not journal.is_file():
        return None
    return datetime.fromtimestamp(journal.stat().st_mtime, UTC)


def refuse_while_stragglers(target: Target, hours: float, now: datetime | None = None) -> None:
    """RefusedError naming each client seen; nothing to do when no log is configured."""
    log = target.pypiserver.log_file
    if log is None or not log.exists():
        return
    since = window_start(now or datetime.now(UTC), hours, cutover_time(target))
    seen = clients(read_log(log).requests, since)
    if seen:
        named = "; ".join(client.describe() for client in seen[:5])
        raise RefusedError(
            f"decommission refused: {len(seen)} client(s) still fetched from pypiserver since"
            f" {since:%Y-%m-%d %H:%M} UTC ({log}): {named}; point them at the group and wait"
            f" until none shows up for {hours:g} h, or give --force --reason TEXT"
        )
