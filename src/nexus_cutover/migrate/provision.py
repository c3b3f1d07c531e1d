"""Step 2: the proxy, hosted and group repositories, brought to `Expected` through the REST API.

`repository_drift` says how each repository differs from the expected state (REPO-1..3 reuse
it); `provision` creates what is missing and updates what drifted, and never deletes: a
repository of the right name but another format or type stops it before any change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from nexus_cutover.config import Expected
from nexus_cutover.migrate.errors import ProvisionError
from nexus_cutover.nexus import NexusClient, expected_settings, repository_name

Kind = Literal["proxy", "hosted", "group"]
KINDS: tuple[Kind, ...] = ("proxy", "hosted", "group")  # members before the group
EXISTS = "exists"
FORMAT_TYPE = "format/type"
NAME = "name"


@dataclass(frozen=True)
class Drift:
    kind: Kind
    repository: str
    field: str  # a dotted path of the REST configuration, or EXISTS / FORMAT_TYPE / NAME
    actual: object
    expected: object

    @property
    def missing(self) -> bool:
        return self.field == EXISTS

    @property
    def fixable(self) -> bool:
        """False when only deleting or renaming a repository would fix it."""
        return self.field not in (FORMAT_TYPE, NAME)

    def __str__(self) -> str:
        if self.missing:
            return f"{self.kind} '{self.repository}': missing -> created"
        where = f"{self.kind} '{self.repository}'"
        return f"{where}: {self.field}: {self.actual!r} -> {self.expected!r}"


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


# -- drift ----------------------------------------------------------------------------------


def expected_fields(expected: Expected, kind: Kind) -> dict[str, object]:
    """The configuration fields the guide fixes, as (dotted REST path -> value)."""
    fields = _flatten(expected_settings(kind, expected))
    fields.pop("name", None)
    if kind == "hosted":
        fields["storage.writePolicy"] = expected.hosted.write_policy
    return fields


def _flatten(nested: Mapping[str, Any], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in nested.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def name_of(expected: Expected, kind: Kind) -> str:
    return repository_name(kind, expected)


def compute_drift(
    expected: Expected,
    repositories: Sequence[Mapping[str, Any]],
    configs: Mapping[Kind, Mapping[str, Any]],
) -> list[Drift]:
    """Pure: drift from the repository list and the configurations read for each kind."""
    by_name = {str(r.get("name", "")).casefold(): r for r in repositories}
    drift: list[Drift] = []
    for kind in KINDS:
        name = name_of(expected, kind)
        found = by_name.get(name.casefold())
        if found is None:
            drift.append(Drift(kind, name, EXISTS, None, True))
            continue
        clash = _clash(kind, name, found)
        if clash:
            drift.append(clash)
            continue
        config = configs.get(kind, {})
        for field, want in expected_fields(expected, kind).items():
            have = _lookup(config, field)
            if not _same(field, have, want):
                drift.append(Drift(kind, name, field, have, want))
    return drift


def _clash(kind: Kind, name: str, found: Mapping[str, Any]) -> Drift | None:
    actual_name = str(found.get("name"))
    if actual_name != name:
        return Drift(kind, name, NAME, actual_name, name)
    actual = f"{found.get('format')} {found.get('type')}"
    if actual != f"pypi {kind}":
        return Drift(kind, name, FORMAT_TYPE, actual, f"pypi {kind}")
    return None


def _lookup(config: Mapping[str, Any], dotted: str) -> object:
    node: object = config
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _same(field: str, have: object, want: object) -> bool:
    if field == "proxy.remoteUrl" and isinstance(have, str) and isinstance(want, str):
        return have.rstrip("/") == want.rstrip("/")
    if field == "storage.writePolicy" and isinstance(have, str) and isinstance(want, str):
        return have.upper() == want.upper()  # the API echoes the case it was sent
    return have == want


def repository_drift(client: NexusClient, expected: Expected) -> list[Drift]:
    """How the three repositories differ from `expected`; [] when they match."""
    repositories = client.repositories()
    configs: dict[Kind, Mapping[str, Any]] = {}
    for kind in KINDS:
        name = name_of(expected, kind)
        found = next((r for r in repositories if r.get("name") == name), None)
        if found is not None and _clash(kind, name, found) is None:
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
        existing = (client.pypi_repository(action.kind, action.repository)
                    if action.verb == "update" else None)
        client.save_repository(action.kind, expected, existing)
    left = repository_drift(client, expected)
    if left:
        raise ProvisionError(
            "Nexus accepted the changes but still differs: " + "; ".join(map(str, left))
        )
    return ProvisionResult(tuple(drift), actions, dry_run)
