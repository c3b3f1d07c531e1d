"""Advanced: LDAP integration (only where LDAP is configured)."""

import pytest

from nexus_cutover.checks import ldap
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.plugin import NOT_APPLICABLE, require


@pytest.mark.check("LDAP-1")
def test_ldap_connection_and_role_mapping(nexus: NexusClient) -> None:
    """Settings > Security > LDAP: each server verifies; LDAP groups map to Nexus roles."""
    servers = ldap.configured_servers(nexus)
    if not servers:
        pytest.skip(f"{NOT_APPLICABLE}: no LDAP server is configured in Nexus")
    require(ldap.ldap_works(nexus, servers))
