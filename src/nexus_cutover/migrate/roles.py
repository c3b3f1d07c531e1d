"""Step 2, beyond the guide: the read-only role of the health-check account.

The role holds exactly the privileges the health phase needs (`guardrails.roles`) for the
proxy, hosted and group repositories; Nexus makes those privileges with the repositories and
refuses a role that names an unknown privilege, so the role is provisioned after them.
Idempotent: created when missing, brought back to exactly these privileges (and no nested
roles) when it drifted. The user itself is left to the administrator (its password is theirs
to choose); `user_instructions` says how.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.config import Expected
from nexus_cutover.guardrails.roles import health_role
from nexus_cutover.migrate.errors import ProvisionError


@dataclass(frozen=True)
class RoleResult:
    role: str  # "" when no role is configured
    drift: tuple[str, ...]
    action: str | None
    dry_run: bool


def expected_role(expected: Expected, available: set[str]) -> dict[str, Any]:
    return health_role(
        expected.health_role, expected.repository_names, expected.ldap is not False, available
    )


def role_drift(client: NexusAdmin, expected: Expected) -> tuple[str, ...]:
    want = expected_role(expected, client.privilege_names())
    have = client.role(expected.health_role)
    if have is None:
        return (f"role '{expected.health_role}': missing -> created",)
    drift = []
    extra = sorted(set(have.get("privileges") or []) - set(want["privileges"]))
    lacking = sorted(set(want["privileges"]) - set(have.get("privileges") or []))
    if lacking:
        drift.append(f"role '{expected.health_role}': lacks {', '.join(lacking)} -> added")
    if extra:
        drift.append(f"role '{expected.health_role}': also holds {', '.join(extra)} -> removed")
    if have.get("roles"):
        nested = ", ".join(map(str, have["roles"]))
        drift.append(f"role '{expected.health_role}': contains roles {nested} -> none")
    return tuple(drift)


def provision_health_role(
    client: NexusAdmin, expected: Expected, dry_run: bool = False
) -> RoleResult:
    if not expected.health_role:
        return RoleResult("", (), None, dry_run)
    drift = role_drift(client, expected)
    if not drift:
        return RoleResult(expected.health_role, drift, None, dry_run)
    exists = client.role(expected.health_role) is not None
    action = f"{'update' if exists else 'create'} role '{expected.health_role}'"
    if dry_run:
        return RoleResult(expected.health_role, drift, action, dry_run)
    available = client.privilege_names()
    want = expected_role(expected, available)
    unknown = sorted(set(want["privileges"]) - available)
    if unknown:
        raise ProvisionError(
            f"cannot create role '{expected.health_role}': Nexus has no privilege"
            f" {', '.join(unknown)} (the repositories must exist first)"
        )
    client.save_role(want, update=exists)
    left = role_drift(client, expected)
    if left:
        raise ProvisionError("Nexus accepted the role but it still differs: " + "; ".join(left))
    return RoleResult(expected.health_role, drift, action, dry_run)


def user_instructions(expected: Expected, rest_url: str) -> list[str]:
    """How an administrator creates the health user (the password stays theirs)."""
    role = expected.health_role
    body = (
        '{"userId": "nexus-health", "firstName": "nexus", "lastName": "health",'
        ' "emailAddress": "nexus-health@example.com", "password": "<password>",'
        f' "status": "active", "roles": ["{role}"]}}'
    )
    return [
        f"create a user that holds only role '{role}' (Security > Users in the UI, or):",
        f"  curl -u admin -X POST {rest_url}/v1/security/users"
        f" -H 'Content-Type: application/json' -d '{body}'",
        "then run the health check as that user:",
        "  NEXUS_USER=nexus-health NEXUS_PASSWORD=... nexus-cutover run --phase health",
    ]
