"""LDAP-1 (the guide's "Advanced: LDAP Integration"): connection verifies, groups map to roles.

Whether LDAP is expected is a setting (`expected.ldap`): expected but not configured fails;
not expected is not applicable.
"""

from __future__ import annotations

from nexus_cutover.checks import Proof
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.errors import ServerError


def configured_servers(client: NexusClient) -> list[dict[str, object]]:
    return [dict(server) for server in client.ldap_servers()]


def ldap_expected_but_missing() -> Proof:
    return Proof.failed(
        "LDAP is expected (expected.ldap = true) but Nexus has no LDAP server configured:"
        " add it under Settings > Security > LDAP, or set expected.ldap = false"
    )


def ldap_works(client: NexusClient, servers: list[dict[str, object]]) -> Proof:
    problems = []
    verified = []
    for server in servers:
        name = server.get("name")
        try:
            client.verify_ldap_connection(dict(server))
        except ServerError as error:
            problems.append(
                f"LDAP server '{name}' ({server.get('host')}:{server.get('port')})"
                f" does not verify: {error}; check host, port, TLS and bind user"
                " under Settings > Security > LDAP"
            )
        else:
            verified.append(f"{name} ({server.get('host')}:{server.get('port')})")
    # Mapped LDAP groups are Nexus roles of source "LDAP" in the security configuration; the
    # filtered listing (?source=LDAP) would list the directory's groups, mapped or not.
    try:
        roles = client.roles()
    except ServerError as error:
        return Proof.failed(*problems, str(error))
    mapped = [str(r.get("id")) for r in roles if str(r.get("source", "")).upper() == "LDAP"]
    if not mapped:
        problems.append(
            "no LDAP group is mapped to a Nexus role: map groups under Settings >"
            " Security > Roles > Create role > External role mapping (LDAP)"
        )
    return Proof.of(
        problems,
        f"LDAP servers verified: {', '.join(verified)}; groups mapped to roles:"
        f" {', '.join(mapped)}",
    )
