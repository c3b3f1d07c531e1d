"""`migrate provision`, beyond the guide: the proxy's routing rule and the health role.

Called by `migrate provision` after the repositories exist (the role names their privileges,
the rule is attached to the proxy); prints drift and actions like the repository part does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from nexus_cutover import migrate
from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.target import Target


class Output(Protocol):
    def line(self, text: str, style: str | None = None) -> None: ...
    def items(self, lines: Sequence[str], limit: int = 50) -> None: ...


def provision_guard_rails(target: Target, dry_run: bool, out: Output) -> str:
    """Provision both, print what changed (or would); a summary fragment for the last line."""
    client = NexusAdmin(target.nexus)
    verb = "would " if dry_run else ""
    projects = migrate.internal_projects(target, client)
    routing = migrate.provision_routing(client, target.expected, projects, dry_run)
    role = migrate.provision_health_role(client, target.expected, dry_run)
    drift = [*(routing.drift.lines() if routing.drift else []), *role.drift]
    if drift:
        out.line("drift (guard rails):")
        out.items(drift)
    for action in (*routing.actions, *([role.action] if role.action else [])):
        out.line(f"{verb}{action}")
    parts = []
    if routing.drift is not None:
        state = "changed" if routing.actions else "as expected"
        parts.append(
            f"routing rule '{target.expected.routing_rule}' ({routing.projects} internal names)"
            f" {verb + 'be ' if dry_run and routing.actions else ''}{state}"
        )
    if role.action:
        out.items(migrate.user_instructions(target.expected, target.nexus.rest_url), limit=10)
        parts.append(f"role '{role.role}' {'as expected' if not role.action else verb + 'set'}")
    return "; ".join(parts)
