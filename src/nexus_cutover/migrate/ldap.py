"""The guide's optional LDAP step: Settings > Security > LDAP, then directory groups mapped to
Nexus roles, through the REST API; part of `migrate provision` when `[expected.ldap]` is set.

Idempotent: the server is created when missing and updated when it drifted (the rules are in
`ldapconfig`, which LDAP-1 uses too); a server that matches but whose stored bind password no
longer binds, while the configured one does, gets the configured one. Each expected group gets
a local role of the same id with the expected privileges; `LdapRealm` is added to the active
realms (after the local realm). Nothing is ever deleted. The bind password comes from
NEXUS_CUTOVER_LDAP_BIND_PASSWORD or expected.ldap.bind_password_file and is never shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.nexus_ldap import NexusLdap
from nexus_cutover.config import LdapExpectation
from nexus_cutover.errors import CutoverError
from nexus_cutover.ldapconfig import (
    LDAP_REALM,
    realms_with_ldap,
    role_body,
    role_drift,
    server_body,
    server_drift,
)
from nexus_cutover.migrate.errors import ProvisionError

STALE_BIND = "authPassword: the stored one does not bind -> the configured one"


@dataclass(frozen=True)
class LdapPlan:
    drift: tuple[str, ...]  # "what: field: actual -> expected"
    actions: tuple[str, ...]  # "create LDAP server 'x'", "update role 'g'", ...


@dataclass(frozen=True)
class LdapProvisionResult:
    drift: tuple[str, ...]
    actions: tuple[str, ...]
    dry_run: bool


def _server(ldap: NexusLdap, name: str) -> dict[str, Any] | None:
    return next((s for s in ldap.servers() if str(s.get("name", "")).lower() == name.lower()), None)


def _binds(ldap: NexusLdap, body: dict[str, Any], stored: bool) -> bool:
    try:
        if stored:
            ldap.verify_connection(body)
        else:
            ldap.verify_configuration(body)
    except CutoverError:
        return False
    return True


def plan_ldap(ldap: NexusLdap, expected: LdapExpectation, bind_password: str | None) -> LdapPlan:
    """What differs from `expected` and what provisioning would do about it."""
    drift: list[str] = []
    actions: list[str] = []
    server = _server(ldap, expected.name)
    if server is None:
        drift.append(f"LDAP server '{expected.name}': missing")
        actions.append(f"create LDAP server '{expected.name}'")
    else:
        changes = server_drift(expected, server)
        if not changes and bind_password is not None and expected.auth_scheme != "NONE":
            configured = server_body(expected, bind_password, server)
            if not _binds(ldap, server, stored=True) and _binds(ldap, configured, stored=False):
                changes.append(STALE_BIND)
        drift += [f"LDAP server '{expected.name}': {change}" for change in changes]
        if changes:
            actions.append(f"update LDAP server '{expected.name}'")
    local = {str(r.get("id")): r for r in ldap.roles("default")}
    for group, mapping in sorted(expected.groups.items()):
        role = local.get(group)
        if role is None:
            drift.append(f"role '{group}' (maps LDAP group '{group}'): missing")
            actions.append(f"create role '{group}'")
        elif changes := role_drift(mapping, role):
            drift += [f"role '{group}': {change}" for change in changes]
            actions.append(f"update role '{group}'")
    realms = ldap.active_realms()
    if LDAP_REALM not in realms:
        drift.append(f"active realms: {realms} -> {realms_with_ldap(realms)}")
        actions.append(f"activate {LDAP_REALM}")
    return LdapPlan(tuple(drift), tuple(actions))


def provision_ldap(
    client: NexusClient,
    expected: LdapExpectation,
    bind_password: str | None,
    dry_run: bool = False,
    *,
    show_drift: Callable[[Sequence[str]], None] | None = None,
) -> LdapProvisionResult:
    """Bring the LDAP server, the group roles and the realms to `expected`."""
    ldap = NexusLdap(client)
    plan = plan_ldap(ldap, expected, bind_password)
    if show_drift:
        show_drift(plan.drift)
    server_actions = [a for a in plan.actions if "LDAP server" in a]
    if server_actions and bind_password is None and expected.auth_scheme != "NONE":
        raise ProvisionError(
            f"cannot {server_actions[0]} without its bind password: set"
            " NEXUS_CUTOVER_LDAP_BIND_PASSWORD or expected.ldap.bind_password_file"
        )
    if dry_run or not plan.actions:
        return LdapProvisionResult(plan.drift, plan.actions, dry_run)
    _apply(ldap, expected, bind_password, plan)
    left = plan_ldap(ldap, expected, bind_password)
    if left.drift:
        raise ProvisionError(
            "Nexus accepted the LDAP changes but still differs: " + "; ".join(left.drift)
        )
    return LdapProvisionResult(plan.drift, plan.actions, dry_run)


def _apply(
    ldap: NexusLdap, expected: LdapExpectation, bind_password: str | None, plan: LdapPlan
) -> None:
    for action in plan.actions:
        verb, _, what = action.partition(" ")
        if what.startswith("LDAP server"):
            existing = _server(ldap, expected.name)
            body = server_body(expected, bind_password, existing)
            if existing is None:
                ldap.create_server(body)
            else:
                ldap.update_server(str(existing["name"]), body)
        elif what.startswith("role"):
            group = what.split("'")[1]
            ldap.save_role(role_body(group, expected.groups[group]), update=verb == "update")
        else:
            ldap.set_active_realms(realms_with_ldap(ldap.active_realms()))
