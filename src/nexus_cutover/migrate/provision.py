"""Step 2: the proxy, hosted and group repositories, brought to `Expected` through the REST API.

`repository_drift` reads how each repository differs from the expected state (the rules are
in `repoconfig`, which REPO-1..3 use too); `provision` creates what is missing and updates
what drifted, and never deletes: a repository of the right name but another format or type
stops it before any change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Expected
from nexus_cutover.migrate.errors import ProvisionError
from nexus_cutover.migrate.routing import keep_routing_rule
from nexus_cutover.repoconfig import (
    KINDS,
    Drift,
    Kind,
    compute_drift,
    desired_body,
    identity_drift,
    repository_name,
)


@dataclass(frozen=True)
class Action:
    kind: Kind
    repository: str
    verb: Literal["create", "update"]

    def __str__(self) -> str:
        return f"{self.verb} {self.kind} repository '{self.repository}'"


@dataclass(frozen=True)
class ProvisionResult:
    drift: tuple[Drift, ...]
    actions: tuple[Action, ...]
    dry_run: bool

    @property
    def changed(self) -> bool:
        return bool(self.actions) and not self.dry_run


def repository_drift(client: NexusClient, expected: Expected) -> list[Drift]:
    """How the three repositories differ from `expected`; [] when they match."""
    repositories = client.repositories()
    configs: dict[Kind, Mapping[str, Any]] = {}
    for kind in KINDS:
        name = repository_name(kind, expected)
        found = next((r for r in repositories if r.get("name") == name), None)
        if found is not None and identity_drift(kind, name, found) is None:
            configs[kind] = client.pypi_repository(kind, name)
    return compute_drift(expected, repositories, configs)


# -- provisioning ---------------------------------------------------------------------------


def plan(drift: Sequence[Drift]) -> tuple[Action, ...]:
    actions = []
    for kind in KINDS:
        of_kind = [d for d in drift if d.kind == kind]
        if of_kind:
            verb: Literal["create", "update"] = "create" if of_kind[0].missing else "update"
            actions.append(Action(kind, of_kind[0].repository, verb))
    return tuple(actions)


def member_problems(expected: Expected, repositories: Sequence[Mapping[str, Any]]) -> list[str]:
    """Group members that provisioning does not create must already exist as PyPI repos."""
    ours = {expected.proxy.name, expected.hosted.name}
    by_name = {r.get("name"): r for r in repositories}
    problems = []
    for member in expected.group.members:
        if member in ours:
            continue
        found = by_name.get(member)
        if found is None:
            problems.append(f"group member '{member}' does not exist")
        elif found.get("format") != "pypi":
            problems.append(f"group member '{member}' is a {found.get('format')} repository")
    return problems


def provision(
    client: NexusClient,
    expected: Expected,
    dry_run: bool = False,
    *,
    show_drift: Callable[[Sequence[Drift]], None] | None = None,
) -> ProvisionResult:
    """Create or update the repositories until no drift is left; `show_drift` sees the drift
    before anything changes."""
    drift = repository_drift(client, expected)
    if show_drift:
        show_drift(drift)
    blocked = [d for d in drift if not d.fixable]
    if blocked:
        raise ProvisionError(
            "cannot provision without deleting or renaming a repository (never done here): "
            + "; ".join(map(str, blocked))
        )
    problems = member_problems(expected, client.repositories()) if drift else []
    if problems:
        raise ProvisionError("cannot provision the group: " + "; ".join(problems))
    actions = plan(drift)
    if dry_run or not actions:
        return ProvisionResult(tuple(drift), actions, dry_run)
    for action in actions:
        existing = (
            client.pypi_repository(action.kind, action.repository)
            if action.verb == "update"
            else None
        )
        body = desired_body(action.kind, expected, existing)
        client.save_repository(action.kind, action.repository, body, update=existing is not None)
        keep_routing_rule(client.endpoint, action.kind, action.repository, existing)
    left = repository_drift(client, expected)
    if left:
        raise ProvisionError(
            "Nexus accepted the changes but still differs: " + "; ".join(map(str, left))
        )
    return ProvisionResult(tuple(drift), actions, dry_run)
