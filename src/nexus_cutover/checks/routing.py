"""SEC-1: no internal project can be shadowed by a public one, today or tomorrow.

Two halves, both required:
1. today: for every internal project, each file the group serves is a hosted file (the public
   index may not publish the name yet, so this alone proves nothing lasting);
2. by rule: the proxy refuses every internal name itself. Each name's project page is asked of
   the proxy directly, the way pip would through the group, and must be refused with 403
   "Routing rules block the requested item from this repository" (3.77 `RoutingRuleHandler`).
   A project published to hosted after provisioning fails here until `migrate provision`
   extends the rule.
"""

from __future__ import annotations

from collections.abc import Iterable

import requests
from packaging.utils import canonicalize_name

from nexus_cutover.checks import Proof
from nexus_cutover.checks.security import internal_names_not_shadowed
from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.config import Expected
from nexus_cutover.errors import ServerError
from nexus_cutover.guardrails.routing import BLOCKED_MESSAGE, attached_rule
from nexus_cutover.target import NexusEndpoint

PROVISION = "run `nexus-cutover migrate provision` (it adds every internal name to the rule)"


def internal_names_protected(
    session: requests.Session,
    admin: NexusAdmin,
    projects: Iterable[str],
    endpoint: NexusEndpoint,
    expected: Expected,
) -> Proof:
    names: list[str] = sorted({canonicalize_name(p) for p in projects})
    if not names:
        return Proof.failed("no internal project found (old index and hosted are empty)")
    shadowed = internal_names_not_shadowed(
        session,
        names,
        endpoint.simple(expected.group.name),
        endpoint.simple(expected.hosted.name),
        endpoint.timeout,
    )
    proxy = endpoint.simple(expected.proxy.name)
    answers = {name: _proxy_answer(session, proxy, name, endpoint.timeout) for name in names}
    unblocked = sorted(name for name, answer in answers.items() if answer != "blocked")
    problems = list(shadowed.problems)
    if unblocked:
        rule = _rule_of(admin, expected.proxy.name)
        problems.append(
            f"the proxy '{expected.proxy.name}' does not refuse {len(unblocked)} internal"
            f" names by routing rule ({_listing(unblocked, answers)}; its rule:"
            f" {rule or 'none'}): a public project of the same name would be served through"
            f" the group; {PROVISION}"
        )
    if problems:
        return Proof(problems)
    rule = _rule_of(admin, expected.proxy.name)
    return Proof.passed(
        f"{shadowed.evidence}; the proxy '{expected.proxy.name}' refuses all {len(names)}"
        f" with 403 '{BLOCKED_MESSAGE}' (routing rule {rule or 'attached'})"
    )


def _proxy_answer(session: requests.Session, simple: str, name: str, timeout: float) -> str:
    """ "blocked" when a routing rule refused the page, else what the proxy answered."""
    try:
        response = session.get(f"{simple}{name}/", timeout=timeout, allow_redirects=False)
    except requests.RequestException as error:
        return f"no answer: {type(error).__name__}"
    if response.status_code == 403 and (
        response.reason == BLOCKED_MESSAGE or BLOCKED_MESSAGE in response.text
    ):
        return "blocked"
    return f"{response.status_code}"


def _rule_of(admin: NexusAdmin, proxy: str) -> str | None:
    try:
        found = attached_rule(admin.pypi_repository("proxy", proxy))
    except ServerError:
        return None
    return f"'{found}'" if found else None


def _listing(names: list[str], answers: dict[str, str]) -> str:
    shown = [f"{name} answered {answers[name]}" for name in names[:5]]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return ", ".join(shown) + more
