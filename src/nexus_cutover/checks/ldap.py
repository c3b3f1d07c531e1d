"""LDAP-1 (the guide's "Advanced: LDAP Integration"): connection verifies, groups map to roles."""

from __future__ import annotations

from nexus_cutover.checks import Problems
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.errors import ServerError


def configured_servers(client: NexusClient) -> list[dict[str, object]]:
    return [dict(server) for server in client.ldap_servers()]


def ldap_works(client: NexusClient, servers: list[dict[str, object]]) -> Problems:
    problems = []
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
    # Mapped LDAP groups are Nexus roles of source "LDAP" in the security configuration; the
    # filtered listing (?source=LDAP) would list the directory's groups, mapped or not.
    mapped = [role for role in client.roles() if str(role.get("source", "")).upper() == "LDAP"]
    if not mapped:
        problems.append(
            "no LDAP group is mapped to a Nexus role: map groups under Settings >"
            " Security > Roles > Create role > External role mapping (LDAP)"
        )
    return problems
