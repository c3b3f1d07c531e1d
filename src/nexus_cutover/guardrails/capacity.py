"""Nexus Community Edition usage limits: which apply to a target, and how close it is to them.

Community Edition (from 3.77.0, when it replaced OSS: the usage tooltips of 3.77's
`WelcomeStrings.jsx`, absent from 3.76) refuses to cache or publish new components once an
instance is over its limits: 403 "PAYMENT REQUIRED: ..." (3.77 `ThrottlerInterceptor`,
`ProxyHandler.buildPaymentRequiredResponse`). The limits: 100,000 components and 200,000
requests a day up to 3.86 (3.77 `WelcomeStrings.jsx`), 40,000 and 100,000 from 3.87.0
(https://github.com/sonatype/nexus-public/issues/883). The version and edition come from the
`Server: Nexus/<version> (<edition>)` header (3.77 `EnvironmentFilter`); Pro has no such
limits. Configured limits (`capacity.*`) win over these defaults.

A measure at or above `warn_at` of its limit passes with a warning; at or above `fail_at`
(health: before the limit is reached) or, for the pre-cutover plan, at the limit itself, it
fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nexus_cutover.config import CapacitySettings

COMMUNITY_FROM = (3, 77, 0)
LOWER_LIMITS_FROM = (3, 87, 0)
LIMITS_BEFORE_3_87 = (100_000, 200_000)
LIMITS_FROM_3_87 = (40_000, 100_000)
PAYMENT_REQUIRED = "PAYMENT REQUIRED"
WHAT_TO_DO = (
    "delete what is not needed (cleanup policies on the proxy and hosted repositories, then the"
    " 'Admin - Compact blob store' task), keep requests down (CI caches, fewer index reads), or"
    " license Nexus Pro"
)
_SERVER = re.compile(r"Nexus/(?P<version>[0-9][0-9.]*)\S*\s*\((?P<edition>[^)]*)\)")


@dataclass(frozen=True)
class Limits:
    components: int | None
    requests_per_day: int | None
    source: str  # where the numbers come from, for the evidence line


def parse_server(header: str) -> tuple[tuple[int, ...] | None, str]:
    """(version, edition) from `Nexus/3.77.1-01 (COMMUNITY)`; (None, "") when unreadable."""
    found = _SERVER.search(header or "")
    if found is None:
        return None, ""
    parts = tuple(int(p) for p in found["version"].split(".") if p.isdigit())
    return parts, found["edition"].strip().upper()


def limits_for(header: str, settings: CapacitySettings) -> Limits | None:
    """The limits of the target; None when none apply (Pro, or a version before 3.77)."""
    version, edition = parse_server(header)
    name = f"{'.'.join(map(str, version))} ({edition})" if version else "unknown"
    if settings.components_limit and settings.requests_per_day_limit:
        return Limits(
            settings.components_limit,
            settings.requests_per_day_limit,
            "capacity.components_limit and capacity.requests_per_day_limit",
        )
    if edition == "PRO":
        return None
    if version is not None and version < COMMUNITY_FROM:
        return None
    if version is None:
        components, requests = LIMITS_FROM_3_87
        source = f"Server header {header!r} unreadable: the current Community Edition limits"
    elif version >= LOWER_LIMITS_FROM:
        components, requests = LIMITS_FROM_3_87
        source = f"Nexus {name}: Community Edition limits from 3.87.0 (sonatype/nexus-public#883)"
    else:
        components, requests = LIMITS_BEFORE_3_87
        source = f"Nexus {name}: Community Edition limits of 3.77-3.86"
    return Limits(
        settings.components_limit or components,
        settings.requests_per_day_limit or requests,
        source,
    )


def no_limits_reason(header: str) -> str:
    _, edition = parse_server(header)
    if edition == "PRO":
        return f"Nexus Pro ({header}) has no usage limits"
    return (
        f"Nexus {header or '(no Server header)'} predates Community Edition (3.77): no usage limits"
    )


@dataclass(frozen=True)
class Measure:
    what: str  # "components", "requests a day"
    value: int
    limit: int
    basis: str  # how the value was obtained

    @property
    def ratio(self) -> float:
        return self.value / self.limit

    def describe(self) -> str:
        return f"{self.what}: {self.value:,} of {self.limit:,} ({self.ratio:.0%}; {self.basis})"


def assess(measures: list[Measure], warn_at: float, fail_at: float) -> tuple[list[str], list[str]]:
    """(problems, warnings): each measure at or over `fail_at`, then `warn_at`, of its limit."""
    problems, warnings = [], []
    for measure in measures:
        if measure.ratio >= fail_at:
            problems.append(measure.describe())
        elif measure.ratio >= warn_at:
            warnings.append(measure.describe())
    return problems, warnings
