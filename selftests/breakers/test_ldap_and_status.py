"""Breakers for PRE-1 (Nexus frozen) and LDAP-1 (a server that does not answer)."""

import socket
import threading
from collections.abc import Iterator

import pytest

from nexus_cutover.backends.processes import LOOPBACK, free_port
from selftests.breakers.lab import Lab, only_failure


def test_frozen_nexus_fails_pre_1(lab: Lab) -> None:
    assert lab.rest("POST", "/v1/read-only/freeze").status_code == 204
    only_failure(lab.run("PRE-1,TS-1"), "PRE-1", "status/writable answered 503", "read-only")


def _ldap_server(port: int) -> dict[str, object]:
    return {
        "name": "corp-ldap",
        "protocol": "LDAP",
        "host": LOOPBACK,
        "port": port,
        "searchBase": "dc=example,dc=com",
        "authScheme": "NONE",
        "connectionTimeoutSeconds": 3,
        "connectionRetryDelaySeconds": 1,
        "maxIncidentsCount": 1,
        "userObjectClass": "inetOrgPerson",
        "userIdAttribute": "uid",
        "userRealNameAttribute": "cn",
        "userEmailAddressAttribute": "mail",
        "ldapGroupsAsRoles": True,
        "groupType": "STATIC",
        "groupBaseDn": "ou=groups",
        "groupObjectClass": "groupOfNames",
        "groupIdAttribute": "cn",
        "groupMemberAttribute": "member",
        "groupMemberFormat": "uid=${username},ou=people,dc=example,dc=com",
    }


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP listener on loopback standing where an LDAP server would answer."""
    server = socket.create_server((LOOPBACK, 0))
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
                connection.close()
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    server.close()


LDAP_EXPECTED = ("ldap = true",)


def test_ldap_not_expected_is_not_applicable(lab: Lab) -> None:
    verdicts = lab.run("LDAP-1,TS-1")
    assert verdicts["LDAP-1"].outcome == "skipped"
    assert verdicts["LDAP-1"].message.startswith("not applicable")


def test_ldap_expected_but_not_configured_fails_ldap_1(lab: Lab) -> None:
    verdicts = lab.run("LDAP-1,TS-1", expected=LDAP_EXPECTED)
    only_failure(verdicts, "LDAP-1", "expected.ldap = true", "no LDAP server configured")


def test_ldap_configured_and_mapped_passes(lab: Lab, listener: int) -> None:
    assert lab.rest("POST", "/v1/security/ldap", json=_ldap_server(listener)).status_code == 201
    role = {
        "id": "developers",
        "name": "developers",
        "description": "LDAP group",
        "privileges": [],
        "roles": ["nx-anonymous"],
    }
    response = lab.rest("POST", "/v1/security/roles", params={"source": "LDAP"}, json=role)
    assert response.status_code == 200, response.text
    verdicts = lab.run("LDAP-1,TS-1", expected=LDAP_EXPECTED)
    assert verdicts["LDAP-1"].outcome == "passed", verdicts


def test_unreachable_ldap_fails_ldap_1(lab: Lab) -> None:
    dead = free_port()  # nothing listens there
    assert lab.rest("POST", "/v1/security/ldap", json=_ldap_server(dead)).status_code == 201
    only_failure(
        lab.run("LDAP-1,TS-1", expected=LDAP_EXPECTED),
        "LDAP-1",
        "corp-ldap",
        "does not verify",
        "no LDAP group is mapped",
    )
