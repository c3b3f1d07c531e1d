"""Advanced: LDAP integration (only where LDAP is expected: [expected.ldap])."""

from collections.abc import Callable
from pathlib import Path

import pytest

from nexus_cutover.backends.directory import slapd_binary
from nexus_cutover.checks import Proof, ldap
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.nexus_ldap import NexusLdap
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.config import LdapExpectation
from nexus_cutover.plugin import NOT_APPLICABLE
from nexus_cutover.target import Target

Prove = Callable[[Proof], None]


def _expected(target: Target, nexus: NexusClient) -> LdapExpectation | None:
    """The [expected.ldap] table; None for `expected.ldap = true`; not applicable for false."""
    if target.expected.ldap is not False:
        return target.expected.ldap_details
    reason = ldap.not_expected(nexus)
    if target.backend == "local" and slapd_binary() is None:
        reason += "; the local backend found no slapd to run a directory (apt-get install slapd)"
    pytest.skip(f"{NOT_APPLICABLE}: {reason}")


@pytest.mark.check("LDAP-1")
def test_ldap_users_log_in_with_their_groups_roles(
    nexus: NexusClient, target: Target, prove: Prove
) -> None:
    """Settings > Security > LDAP as expected, verified; groups mapped; the probe user logs in."""
    expected = _expected(target, nexus)
    if expected is None:
        prove(ldap.any_ldap_works(NexusLdap(nexus)))
    else:
        prove(ldap.ldap_setup(NexusLdap(nexus), expected, target.ldap_passwords))


@pytest.mark.check("LDAP-2")
def test_ldap_roles_decide_who_publishes(
    nexus: NexusClient, target: Target, sandbox: Sandbox, canary: list[Path], prove: Prove
) -> None:
    """The probe user publishes to hosted through Nexus; the denied user gets 403."""
    expected = _expected(target, nexus)
    if expected is None or not (expected.probe_user or expected.denied_user):
        pytest.skip(f"{NOT_APPLICABLE}: no expected.ldap.probe_user or denied_user to try")
    hosted = target.nexus.repository(target.expected.hosted.name)
    prove(
        ldap.publishing_follows_roles(
            target.nexus, expected, target.ldap_passwords, sandbox, canary, hosted
        )
    )
