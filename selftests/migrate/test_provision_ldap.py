"""`migrate provision` for LDAP against the real stand-in and a real directory (slapd):
create from empty, idempotence, drift shown then fixed, a stale bind password, refusals."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from nexus_cutover import cli, migrate
from nexus_cutover.backends.directory import slapd_binary
from nexus_cutover.backends.local import LocalServices
from nexus_cutover.checks.ldap import ldap_setup
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.nexus_ldap import NexusLdap
from nexus_cutover.config import LdapExpectation, Settings
from nexus_cutover.migrate.errors import ProvisionError
from nexus_cutover.target import Target
from selftests.migrate.conftest import running


@pytest.fixture(scope="module")
def services(
    tmp_path_factory: pytest.TempPathFactory, sample_dists: list[Path]
) -> Iterator[LocalServices]:
    if slapd_binary() is None:
        if os.environ.get("NEXUS_CUTOVER_REQUIRE_SLAPD"):
            pytest.fail("slapd is not installed (apt-get install slapd) but CI requires it")
        pytest.skip("slapd is not installed (apt-get install slapd)")
    with running(tmp_path_factory.mktemp("state") / "local", sample_dists) as started:
        yield started


@pytest.fixture(scope="module")
def target(services: LocalServices) -> Target:
    """With the repositories provisioned: the group roles name their privileges."""
    target = services.target(Settings())
    migrate.provision(NexusClient(target.nexus), target.expected)
    return target


@pytest.fixture(scope="module")
def expected(target: Target) -> LdapExpectation:
    assert target.expected.ldap_details is not None, "the local backend expects LDAP (slapd)"
    return target.expected.ldap_details


def _put_server(target: Target, **changes: object) -> None:
    rest = f"{target.nexus.rest_url}/v1/security/ldap"
    auth = target.nexus.credentials.as_tuple() if target.nexus.credentials else None
    server = requests.get(rest, auth=auth, timeout=10).json()[0]
    body = {**server, "authPassword": target.ldap_passwords.bind, **changes}
    assert requests.put(f"{rest}/{server['name']}", json=body, auth=auth, timeout=10).ok


def test_from_empty_creates_server_roles_and_realm_then_changes_nothing(
    target: Target, expected: LdapExpectation
) -> None:
    client = NexusClient(target.nexus)
    dry = migrate.provision_ldap(client, expected, target.ldap_passwords.bind, dry_run=True)
    assert dry.actions == (
        "create LDAP server 'example-ldap'",
        "create role 'auditors'",
        "create role 'developers'",
        "activate LdapRealm",
    )
    assert NexusLdap(client).servers() == []  # a dry run changes nothing
    done = migrate.provision_ldap(client, expected, target.ldap_passwords.bind)
    assert done.actions == dry.actions
    again = migrate.provision_ldap(client, expected, target.ldap_passwords.bind)
    assert (again.drift, again.actions) == ((), ())
    proof = ldap_setup(NexusLdap(client), expected, target.ldap_passwords)
    assert proof.ok, proof.problems
    assert "user alice: login ok, roles developers from group developers" in proof.evidence


def test_drift_is_shown_then_fixed(target: Target, expected: LdapExpectation) -> None:
    client = NexusClient(target.nexus)
    migrate.provision_ldap(client, expected, target.ldap_passwords.bind)
    _put_server(target, groupBaseDn="ou=teams", userSubtree=True)
    shown: list[str] = []

    def show(drift: Sequence[str]) -> None:
        shown.extend(drift)

    result = migrate.provision_ldap(client, expected, target.ldap_passwords.bind, show_drift=show)
    assert shown == [
        "LDAP server 'example-ldap': userSubtree: True -> False",
        "LDAP server 'example-ldap': groupBaseDn: 'ou=teams' -> 'ou=groups'",
    ]
    assert result.actions == ("update LDAP server 'example-ldap'",)
    assert migrate.provision_ldap(client, expected, target.ldap_passwords.bind).actions == ()


def test_a_stored_bind_password_that_no_longer_binds_is_replaced(
    target: Target, expected: LdapExpectation
) -> None:
    client = NexusClient(target.nexus)
    migrate.provision_ldap(client, expected, target.ldap_passwords.bind)
    _put_server(target, authPassword="an-old-password")
    result = migrate.provision_ldap(client, expected, target.ldap_passwords.bind)
    assert result.drift == (
        "LDAP server 'example-ldap': authPassword: the stored one does not bind"
        " -> the configured one",
    )
    assert ldap_setup(NexusLdap(client), expected, target.ldap_passwords).ok


def test_without_a_bind_password_nothing_is_created(
    target: Target, expected: LdapExpectation
) -> None:
    client = NexusClient(target.nexus)
    other = expected.model_copy(update={"name": "second-ldap"})
    with pytest.raises(ProvisionError, match="NEXUS_CUTOVER_LDAP_BIND_PASSWORD"):
        migrate.provision_ldap(client, other, None)
    assert "second-ldap" not in {s["name"] for s in NexusLdap(client).servers()}


def test_the_cli_step_provisions_ldap_without_showing_the_password(
    services: LocalServices, target: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    _put_server(target, groupSubtree=True)
    state = Path(services.root).parent
    code = cli.main(["--state-dir", str(state), "migrate", "provision"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "groupSubtree: True -> False" in out.out
    assert "update LDAP server 'example-ldap'" in out.out
    assert "LDAP: 1 change(s) made" in out.out
    for secret in target.ldap_passwords.values():
        assert secret not in out.out + out.err
    again = cli.main(["--state-dir", str(state), "migrate", "provision"])
    assert again == 0
    assert "LDAP as expected" in capsys.readouterr().out


def test_a_target_without_ldap_is_left_alone(target: Target) -> None:
    plain = replace(target, expected=target.expected.model_copy(update={"ldap": False}))
    assert plain.expected.ldap_details is None
