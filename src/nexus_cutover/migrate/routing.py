"""Step 2, beyond the guide: a BLOCK routing rule on the proxy for every internal project.

Without it, the group answers a request for an internal name from the proxy as soon as the
public index publishes that name (dependency confusion); with it the proxy refuses the name
outright. The internal names are those of the old index plus every project in hosted, so a
project published later is covered by the next `provision`. Idempotent: the rule is created,
or gets the matchers it lacks (none is ever removed), and is attached to the proxy; drift is
shown before anything changes. A proxy that already uses another rule is left alone, with a
message: a repository takes one rule only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from packaging.utils import canonicalize_name

from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.clients.simple import fetch, parse_links
from nexus_cutover.config import Expected
from nexus_cutover.dists import is_distribution, parse_filename
from nexus_cutover.errors import DistributionError, NotFoundError
from nexus_cutover.guardrails.routing import RuleDrift, attached_rule, expected_rule, rule_drift
from nexus_cutover.guardrails.stragglers import tool_agent
from nexus_cutover.migrate.errors import ProvisionError
from nexus_cutover.target import NexusEndpoint, PypiserverEndpoint, Target


@dataclass(frozen=True)
class RoutingResult:
    drift: RuleDrift | None  # None: no rule is configured (expected.routing_rule = "")
    actions: tuple[str, ...]
    projects: int
    dry_run: bool


def internal_projects(target: Target, client: NexusClient) -> list[str]:
    """Normalised names of the old index's projects and of every project in hosted."""
    names = set(old_project_names(target.pypiserver, target.clients.archive_dir))
    # No hosted repository yet (a dry run before the first provision): the old index alone.
    with contextlib.suppress(NotFoundError):
        names |= {c.name for c in client.components(target.expected.hosted.name)}
    return sorted({canonicalize_name(name) for name in names if name})


def old_project_names(endpoint: PypiserverEndpoint, archive_dir: Path | None = None) -> set[str]:
    """Project names of the old index: its packages folder (or the archive after
    decommissioning) when readable, else its `/simple/` page; empty when neither is there."""
    for folder in (endpoint.packages_dir, archive_dir):
        if folder is not None and folder.is_dir():
            return {
                name for path in folder.rglob("*") if (name := _project_of(path.name)) is not None
            }
    if endpoint.simple is None:
        return set()
    with requests.Session() as session:
        session.headers["User-Agent"] = tool_agent()  # not a client, in pypiserver's log
        if endpoint.credentials:
            session.auth = endpoint.credentials.as_tuple()
        page = fetch(session, endpoint.simple, "pypiserver project list")
    return {link.filename for link in parse_links(page.text, page.url)}


def _project_of(filename: str) -> str | None:
    if not is_distribution(filename):
        return None
    try:
        return parse_filename(filename)[0]
    except DistributionError:
        return None


def keep_routing_rule(
    endpoint: NexusEndpoint, kind: str, name: str, before: dict[str, Any] | None
) -> None:
    """Re-attach the rule a proxy had before `provision` updated it: the update's body comes
    through the 3.97 model, which names it `routingRuleName`, a field 3.77 ignores, dropping
    the rule (sonatype/nexus-public#464)."""
    rule = attached_rule(before) if kind == "proxy" and before is not None else None
    if rule is None:
        return
    admin = NexusAdmin(endpoint)
    if attached_rule(admin.pypi_repository("proxy", name)) != rule:
        admin.attach_routing_rule(name, rule)


def routing_drift(client: NexusAdmin, expected: Expected, projects: Iterable[str]) -> RuleDrift:
    """How the rule and the proxy differ (a proxy not created yet has no rule attached)."""
    proxy = expected.proxy.name
    try:
        attached = attached_rule(client.pypi_repository("proxy", proxy))
    except NotFoundError:
        attached = None
    rule = client.routing_rule(expected.routing_rule)
    return rule_drift(expected.routing_rule, proxy, projects, rule, attached)


def provision_routing(
    client: NexusAdmin, expected: Expected, projects: Iterable[str], dry_run: bool = False
) -> RoutingResult:
    """Create or complete the rule and attach it to the proxy (which must exist already)."""
    names = sorted(set(projects))
    if not expected.routing_rule:
        return RoutingResult(None, (), len(names), dry_run)
    drift = routing_drift(client, expected, names)
    if drift.attached not in (None, expected.routing_rule):
        raise ProvisionError(
            f"proxy '{expected.proxy.name}' already uses routing rule '{drift.attached}' and a"
            f" repository takes one rule only: add the matchers of '{expected.routing_rule}'"
            " to it and set expected.routing_rule to its name, or detach it"
        )
    actions = _plan(drift)
    if dry_run or not actions:
        return RoutingResult(drift, actions, len(names), dry_run)
    if drift.rule_changes:
        existing = client.routing_rule(expected.routing_rule)
        body = expected_rule(
            expected.routing_rule, names, existing.get("matchers", []) if existing else ()
        )
        client.save_routing_rule(body, update=expected.routing_rule if existing else None)
    if drift.detached:
        client.attach_routing_rule(expected.proxy.name, expected.routing_rule)
    left = routing_drift(client, expected, names)
    if not left.empty:
        raise ProvisionError(
            "Nexus accepted the routing rule but still differs: " + "; ".join(left.lines())
        )
    return RoutingResult(drift, actions, len(names), dry_run)


def _plan(drift: RuleDrift) -> tuple[str, ...]:
    actions = []
    if drift.missing_rule:
        actions.append(f"create routing rule '{drift.rule}' (BLOCK)")
    elif drift.rule_changes:
        actions.append(f"update routing rule '{drift.rule}'")
    if drift.detached:
        actions.append(f"attach routing rule '{drift.rule}' to proxy '{drift.proxy}'")
    return tuple(actions)
