"""The proxy's routing rule for internal names: what it must hold, how a proxy differs from it.

A BLOCK rule on the proxy repository refuses every request path one of its matchers matches in
full, with 403 "Routing rules block the requested item from this repository", before the proxy
looks at its cache or the public index (3.77 `RoutingRuleHandler`, `RoutingRuleHelperImpl`;
3.30 `PyPiProxyRecipe`: the routing handler sits on the index, root index and packages routes).
One matcher per internal project covers both of the proxy's paths for it, `/simple/<name>/` and
`/packages/<name>/...`, in every spelling a client may use: PEP 503 normalisation makes
`Acme.Utils`, `acme_utils` and `ACME-utils` one project, so the matcher ignores case and treats
runs of `-`, `_` and `.` alike. The syntax is the common subset of Java's and Python's regular
expressions (Nexus compiles matchers with `java.util.regex.Pattern`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_name

BLOCK = "BLOCK"
BLOCKED_MESSAGE = "Routing rules block the requested item from this repository"
DESCRIPTION = (
    "Internal project names: served from the hosted repository only, never fetched from the"
    " public index (managed by nexus-cutover)"
)


def project_matcher(project: str) -> str:
    """The matcher that blocks `project` on a PyPI proxy, whatever spelling a client uses."""
    words = canonicalize_name(project).split("-")
    name = "[-_.]+".join(re.escape(word) for word in words)
    return f"(?i)/(simple|packages)/{name}([/?].*)?"


def expected_rule(
    name: str, projects: Iterable[str], existing: Iterable[str] = ()
) -> dict[str, Any]:
    """The rule body: one matcher per project, plus any matcher the rule already has (names
    are added, never removed, like repositories are never deleted)."""
    matchers = {project_matcher(project) for project in projects} | set(existing)
    return {"name": name, "description": DESCRIPTION, "mode": BLOCK, "matchers": sorted(matchers)}


def blocks(matchers: Iterable[str], project: str) -> bool:
    """True when a BLOCK rule with `matchers` refuses the project page of `project` (as pip
    asks for it) — how Nexus decides, to compare a stored rule with the internal names."""
    path = f"/simple/{canonicalize_name(project)}/"
    return any(_fullmatch(matcher, path) for matcher in matchers)


def _fullmatch(matcher: str, path: str) -> bool:
    try:
        return re.fullmatch(matcher, path) is not None
    except re.error:
        return False


@dataclass(frozen=True)
class RuleDrift:
    """How the proxy's routing differs from the rule for the internal names."""

    rule: str
    missing_rule: bool = False
    mode: str | None = None  # the rule's mode when it is not BLOCK
    unblocked: tuple[str, ...] = ()  # internal projects no matcher blocks
    attached: str | None = None  # the rule the proxy uses now (None: none)
    proxy: str = ""

    @property
    def rule_changes(self) -> bool:
        return self.missing_rule or self.mode is not None or bool(self.unblocked)

    @property
    def detached(self) -> bool:
        return self.attached != self.rule

    @property
    def empty(self) -> bool:
        return not self.rule_changes and not self.detached

    def lines(self) -> list[str]:
        """One line per difference, in the drift display's `field: actual -> expected` form."""
        lines = []
        if self.missing_rule:
            lines.append(f"routing rule '{self.rule}': missing -> created (BLOCK)")
        if self.mode is not None:
            lines.append(f"routing rule '{self.rule}': mode: {self.mode!r} -> 'BLOCK'")
        if self.unblocked:
            shown = ", ".join(self.unblocked[:10])
            more = f" and {len(self.unblocked) - 10} more" if len(self.unblocked) > 10 else ""
            lines.append(
                f"routing rule '{self.rule}': not blocked: {shown}{more} -> matchers added"
            )
        if self.detached:
            lines.append(f"proxy '{self.proxy}': routing rule: {self.attached!r} -> {self.rule!r}")
        return lines


def rule_drift(
    rule_name: str,
    proxy: str,
    projects: Iterable[str],
    rule: Mapping[str, Any] | None,
    attached: str | None,
) -> RuleDrift:
    """Compare the stored rule (None: absent) and the proxy's attached rule with what blocks
    every internal project."""
    names = sorted({canonicalize_name(p) for p in projects})
    if rule is None:
        return RuleDrift(rule_name, True, None, tuple(names), attached, proxy)
    mode = str(rule.get("mode") or "")
    matchers = [str(m) for m in rule.get("matchers") or []]
    unblocked = tuple(name for name in names if not blocks(matchers, name))
    return RuleDrift(rule_name, False, None if mode == BLOCK else mode, unblocked, attached, proxy)


def attached_rule(proxy_config: Mapping[str, Any]) -> str | None:
    """The rule a proxy's configuration names: 3.77 answers `routingRuleName`; tolerate the
    request spelling `routingRule` from servers or tools that echo it."""
    for field in ("routingRuleName", "routingRule"):
        value = proxy_config.get(field)
        if isinstance(value, str) and value:
            return value
    return None
