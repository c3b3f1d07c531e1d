"""Advanced: LDAP integration (where expected.ldap says Nexus must use LDAP)."""

from collections.abc import Callable

import pytest

from nexus_cutover.checks import Proof, ldap
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Expected
from nexus_cutover.plugin import NOT_APPLICABLE


@pytest.mark.check("LDAP-1")
def test_ldap_connection_and_role_mapping(
    nexus: NexusClient, expected: Expected, prove: Callable[[Proof], None]
) -> None:
    """Settings > Security > LDAP: each server verifies; LDAP groups map to Nexus roles."""
    if not expected.ldap:
        pytest.skip(f"{NOT_APPLICABLE}: LDAP is not expected (expected.ldap = false)")
    servers = ldap.configured_servers(nexus)
    prove(ldap.ldap_works(nexus, servers) if servers else ldap.ldap_expected_but_missing())
