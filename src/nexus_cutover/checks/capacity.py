"""CAP-1 and CAP-2: Nexus Community Edition usage limits, before the migration and after it.

CAP-1 (pre-cutover) adds up the components the target holds, those the upload will create in
hosted and the proxy cache's expected growth, and the requests a day pypiserver's clients will
bring, and compares them with the target's limits (guardrails/capacity.py): over a limit it
fails, close to one it passes with a warning. CAP-2 (post-cutover, health) reads the usage the
target reports (`v1/usage-history`, Nexus 3.9x), else counts components, fails before a limit is
reached, and asks the proxy for a project it has never cached: an instance over its limits
answers 403 "PAYMENT REQUIRED: ..." there (3.77 `ProxyHandler`), which fails CAP-2 saying what
to do.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from nexus_cutover.checks import Proof
from nexus_cutover.checks.warnings import passed
from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.config import CapacitySettings, Expected
from nexus_cutover.dists import Inventory
from nexus_cutover.errors import NotFoundError, ServerError
from nexus_cutover.guardrails.capacity import (
    PAYMENT_REQUIRED,
    WHAT_TO_DO,
    Limits,
    Measure,
    assess,
    limits_for,
    no_limits_reason,
)
from nexus_cutover.guardrails.stragglers import clients, read_log
from nexus_cutover.target import NexusEndpoint

PROBE_PROJECT = "nexus-cutover-capacity-probe"


def _version(text: str) -> str:
    try:
        return str(Version(text))
    except InvalidVersion:
        return text


def current_components(admin: NexusAdmin) -> tuple[int, str]:
    """What the target holds: as it reports it, else counted over what this account sees."""
    with contextlib.suppress(ServerError):
        history = admin.usage_history("components")
        if history:
            return history[-1][1], "reported by v1/usage-history"
    repositories = [r["name"] for r in admin.repositories() if r.get("type") != "group"]
    total = sum(1 for name in repositories for _ in admin.components(name))
    return total, f"counted in the {len(repositories)} repositories this account can browse"


def busiest_day(admin: NexusAdmin) -> tuple[int, str] | None:
    """Requests on the busiest of the last 7 days, as the target reports it; None: not reported."""
    try:
        history = admin.usage_history("requests")
    except ServerError:
        return None
    if not history:
        return None
    day, value = max(history, key=lambda point: point[1])
    return value, f"busiest of the last 7 days ({day}), reported by v1/usage-history"


def _count(admin: NexusAdmin, repository: str) -> int:
    try:
        return sum(1 for _ in admin.components(repository))
    except NotFoundError:
        return 0


def _pypiserver_day(log: Path | None, now: datetime) -> int | None:
    if log is None or not log.exists():
        return None
    found = read_log(log)
    seen = clients(found.requests, now - timedelta(hours=24))
    return sum(client.requests for client in seen)


def migration_fits(
    admin: NexusAdmin,
    old_index: Inventory,
    expected: Expected,
    settings: CapacitySettings,
    log: Path | None,
) -> Proof:
    """CAP-1: after the migration the target stays under its usage limits."""
    header = admin.server_header()
    limits = limits_for(header, settings)
    if limits is None:
        return Proof.passed(no_limits_reason(header))
    now, basis = current_components(admin)
    hosted: set[tuple[str, str]] = set()
    with contextlib.suppress(NotFoundError):
        hosted = {
            (canonicalize_name(c.name), _version(c.version))
            for c in admin.components(expected.hosted.name)
        }
    planned = {(f.project, _version(f.version)) for f in old_index.files} - hosted
    growth = 0
    if settings.proxy_components is not None:
        growth = max(0, settings.proxy_components - _count(admin, expected.proxy.name))
    measures = [
        Measure(
            "components after the migration",
            now + len(planned) + growth,
            limits.components or 0,
            f"{now:,} now, {basis}; {len(planned):,} to upload to hosted;"
            f" {growth:,} more expected in the proxy cache",
        )
    ]
    notes = []
    moving = _pypiserver_day(log, datetime.now(UTC))
    reported = busiest_day(admin)
    if moving is None and reported is None:
        notes.append("requests a day not assessed: no pypiserver log and no reported usage")
    else:
        value = (moving or 0) + (reported[0] if reported else 0)
        parts = [f"{moving:,} client requests to pypiserver in the last 24 h" if moving else ""]
        parts.append(reported[1] if reported else "Nexus's own requests not reported")
        measures.append(
            Measure(
                "requests a day after the cutover",
                value,
                limits.requests_per_day or 0,
                "; ".join(p for p in parts if p),
            )
        )
    lead = "after the migration Nexus would be at or over its usage limits"
    return _verdict(measures, limits, settings.warn_at, 1.0, notes, lead)


def usage_below_limits(
    admin: NexusAdmin,
    session: requests.Session,
    endpoint: NexusEndpoint,
    expected: Expected,
    settings: CapacitySettings,
) -> Proof:
    """CAP-2: the target is below its limits, with room to spare, and does not refuse."""
    header = admin.server_header()
    limits = limits_for(header, settings)
    if limits is None:
        return Proof.passed(no_limits_reason(header))
    refusal = _refusal(session, endpoint.simple(expected.proxy.name), endpoint.timeout)
    if refusal:
        return Proof.failed(
            f"Nexus refuses to cache new components: the proxy answered 403 '{refusal}':"
            f" it is over its Community Edition usage limits ({limits.source}); {WHAT_TO_DO};"
            " it caches and publishes again once usage is below the limits"
        )
    components, basis = current_components(admin)
    measures = [Measure("components", components, limits.components or 0, basis)]
    notes = []
    reported = busiest_day(admin)
    if reported is None:
        notes.append("requests a day not reported by this Nexus (v1/usage-history)")
    else:
        measures.append(
            Measure("requests a day", reported[0], limits.requests_per_day or 0, reported[1])
        )
    lead = f"Nexus is past {settings.fail_at:.0%} of its usage limits"
    proof = _verdict(measures, limits, settings.warn_at, settings.fail_at, notes, lead)
    if proof.ok:
        return Proof(
            proof.problems, proof.evidence + "; a proxy fetch of a new project is not refused"
        )
    return proof


def _refusal(session: requests.Session, simple: str, timeout: float) -> str | None:
    """The PAYMENT REQUIRED message when the proxy refuses to fetch a project it never cached."""
    url = f"{simple}{PROBE_PROJECT}-{uuid.uuid4().hex[:12]}/"
    try:
        response = session.get(url, timeout=timeout)
    except requests.RequestException:
        return None  # unreachable proxies are REPO-4's and INSTALL-1's to report
    if response.status_code != 403:
        return None
    for text in (response.reason or "", response.text):
        start = text.find(PAYMENT_REQUIRED)
        if start >= 0:
            return " ".join(text[start:].split("<", 1)[0].split())[:300]
    return None


def _verdict(
    measures: list[Measure],
    limits: Limits,
    warn_at: float,
    fail_at: float,
    notes: list[str],
    lead: str,
) -> Proof:
    measures = [m for m in measures if m.limit > 0]
    problems, warnings = assess(measures, warn_at, fail_at)
    if problems:
        return Proof.failed(
            f"{lead} ({limits.source}): {'; '.join(problems)}; at a limit Community Edition"
            f" refuses to cache or publish new components: {WHAT_TO_DO}"
        )
    evidence = "; ".join([f"limits: {limits.source}", *(m.describe() for m in measures), *notes])
    return passed(
        evidence,
        [f"{w} is past {warn_at:.0%} of the limit: {WHAT_TO_DO}" for w in warnings],
    )
