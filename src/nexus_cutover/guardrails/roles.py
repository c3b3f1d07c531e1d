"""The read-only role a health check needs: exactly these privileges, nothing more.

What the health phase reads and the privilege each needs (3.77 resources):
- `v1/status/check` (credentials, TS-5): `nexus:metrics:read` (`StatusResource`); the
  narrowest built-in privilege holding it is `nx-metrics-all` (`MetricsSecurityContributor`);
- `v1/repositories/pypi/<type>/<name>` (REPO-1..3) and `v1/routing-rules` (SEC-1):
  repository-admin `read` on the repository (`AbstractRepositoriesApiResource.getRepository`,
  `RoutingRuleHelperImpl.ensureUserHasPermissionToRead`);
- `v1/repositories` (TS-2) and `v1/components`, `v1/assets`, `v1/search` (PARITY, INSTALL-3,
  TS-8): repository-view `browse` (`RepositoryManagerRESTAdapterImpl`, `ComponentsResource`);
- `/repository/<name>/...` downloads (pip, PARITY-2, INSTALL, SEC-1's probe): repository-view
  `read` (`SecurityFacetSupport`: GET is read).
- only where `expected.ldap` says Nexus must use LDAP (LDAP-1 is not applicable otherwise):
  `v1/security/ldap` needs `nexus:ldap:read` (`nx-ldap-read`; the LDAP plugin is not public, so
  it is added only where the target lists it), the role listing `nexus:roles:read`
  (`nx-roles-read`, 3.77 `RoleApiResource`), the active realms `nexus:settings:read`
  (`nx-settings-read`, 3.77 `RealmApiResource`) and the directory user's groups
  `nexus:users:read` (`nx-users-read`, 3.77 `UserApiResource`). LDAP's verify-connection needs
  `nexus:ldap:update`, which a read-only role never holds: LDAP-1 then proves the connection
  by the probe user's login.
Privilege ids: `nx-repository-admin-<format>-<repo>-<action>`, `nx-repository-view-<format>-
<repo>-<action>` (`RepositoryAdminPrivilegeDescriptor`, `RepositoryViewPrivilegeDescriptor`),
made for every repository when it is created, which is why the role comes after them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

METRICS = "nx-metrics-all"
# Where LDAP is expected, for LDAP-1: its servers (added where Nexus lists the privilege, the
# LDAP plugin being closed) and the roles its groups map to.
LDAP = ("nx-ldap-read", "nx-roles-read", "nx-settings-read", "nx-users-read")
DESCRIPTION = "Read-only account for the nexus-cutover health check (managed by nexus-cutover)"


def health_privileges(
    repositories: Iterable[str],
    ldap: bool = False,
    available: Iterable[str] = (),
    format: str = "pypi",
) -> list[str]:
    """`nx-metrics-all`, the LDAP reads when `ldap` (each where `available` lists it), then
    admin read, view browse and view read for each repository."""
    present = set(available)
    privileges = [METRICS, *(p for p in LDAP if ldap and p in present)]
    for repository in repositories:
        privileges += [
            f"nx-repository-admin-{format}-{repository}-read",
            f"nx-repository-view-{format}-{repository}-browse",
            f"nx-repository-view-{format}-{repository}-read",
        ]
    return privileges


def health_role(
    role_id: str, repositories: Iterable[str], ldap: bool = False, available: Iterable[str] = ()
) -> dict[str, Any]:
    """The role as `POST v1/security/roles` takes it (`RoleXORequest`)."""
    return {
        "id": role_id,
        "name": role_id,
        "description": DESCRIPTION,
        "privileges": health_privileges(repositories, ldap, available),
        "roles": [],
    }
