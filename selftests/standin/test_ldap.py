"""/v1/security/ldap: CRUD, order, verify-connection against real sockets, LDAP role mappings."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from .conftest import StandInFactory
from .support import LOOPBACK, StandIn, free_port, stop_process

LDAP = "v1/security/ldap"
SECRET = "bind-s3cret-never-shown"


def ldap_body(name: str, port: int, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "protocol": "LDAP",
        "host": LOOPBACK,
        "port": port,
        "searchBase": "dc=example,dc=com",
        "authScheme": "SIMPLE",
        "authUsername": "cn=nexus,dc=example,dc=com",
        "authPassword": SECRET,
        "connectionTimeoutSeconds": 2,
        "connectionRetryDelaySeconds": 300,
        "maxIncidentsCount": 3,
        "userBaseDn": "ou=people",
        "userObjectClass": "inetOrgPerson",
        "userIdAttribute": "uid",
        "userRealNameAttribute": "cn",
        "userEmailAddressAttribute": "mail",
        "ldapGroupsAsRoles": True,
        "groupType": "STATIC",
        "groupBaseDn": "ou=groups",
        "groupObjectClass": "groupOfUniqueNames",
        "groupIdAttribute": "cn",
        "groupMemberAttribute": "uniqueMember",
        "groupMemberFormat": "uid=${username},ou=people,dc=example,dc=com",
    }
    body.update(changes)
    return body


class FakeLdapServer:
    """A TCP listener on loopback that answers any LDAP request with a successful BindResponse."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    request = conn.recv(4096)
                except OSError:
                    continue
                if request:
                    conn.sendall(_bind_success(request))
                    with contextlib.suppress(OSError):
                        conn.recv(4096)  # the client's unbind, or EOF

    def wait_for(self, count: int, timeout: float = 5.0) -> int:
        """The connections counted so far, once `count` arrived or the time ran out.

        The stand-in answers the HTTP call as soon as its own socket closes; this thread may
        count that connection a moment later.
        """
        deadline = time.monotonic() + timeout
        while self.connections < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.connections

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def _bind_success(request: bytes) -> bytes:
    """LDAPMessage { messageID (copied), BindResponse { success, "", "" } } in BER."""
    index = 2 if request[1] < 0x80 else 2 + (request[1] & 0x7F)
    id_length = request[index + 1]
    message_id = request[index : index + 2 + id_length]
    body = message_id + b"\x61\x07\x0a\x01\x00\x04\x00\x04\x00"
    return b"\x30" + bytes([len(body)]) + body


@pytest.fixture
def fake_ldap() -> Iterator[FakeLdapServer]:
    server = FakeLdapServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def instance(standin_factory: StandInFactory) -> StandIn:
    return standin_factory()


def _create(instance: StandIn, body: dict[str, Any]) -> requests.Response:
    return requests.post(instance.rest(LDAP), json=body, auth=instance.admin, timeout=5)


def test_ldap_servers_crud_order_and_restart(standin_factory: StandInFactory) -> None:
    first = standin_factory()
    created = _create(first, ldap_body("corp-a", 389, protocol="ldap", authScheme="simple"))
    assert (created.status_code, created.content) == (201, b"")
    assert _create(first, ldap_body("corp-b", 636, protocol="LDAPS")).status_code == 201
    assert _create(first, ldap_body("CORP-A", 389)).status_code == 400

    servers = requests.get(first.rest(LDAP), auth=first.admin, timeout=5).json()
    assert [(s["name"], s["order"], s["protocol"], s["authScheme"]) for s in servers] == [
        ("corp-a", 1, "LDAP", "SIMPLE"),
        ("corp-b", 2, "LDAPS", "SIMPLE"),
    ]
    assert all(s["id"] and "authPassword" not in s for s in servers)
    assert servers[0]["groupType"] == "STATIC"

    # The typed 3.97 client reads the same (ReadLdapServerXo), order included.
    from nexus_api_client.api.security_management_ldap_api import SecurityManagementLDAPApi

    typed = SecurityManagementLDAPApi(first.api()).get_security_ldap("corp-b")
    assert (typed.name, typed.port, typed.order) == ("corp-b", 636, 2)

    url = first.rest(f"{LDAP}/corp-a")
    one = requests.get(url, auth=first.admin, timeout=5).json()
    update = {**one, "host": "127.0.0.2", "authPassword": SECRET, "ldapGroupsAsRoles": False}
    assert requests.put(url, json=update, auth=first.admin, timeout=5).status_code == 204
    without_password = {key: value for key, value in update.items() if key != "authPassword"}
    refused = requests.put(url, json=without_password, auth=first.admin, timeout=5)
    assert refused.status_code == 400
    assert refused.json() == [{"id": "PARAMETER authPassword", "message": "may not be empty"}]
    updated = requests.get(url, auth=first.admin, timeout=5).json()
    assert updated["host"] == "127.0.0.2"
    assert "groupType" not in updated

    order = first.rest(f"{LDAP}/change-order")
    assert (
        requests.post(order, json=["corp-b", "corp-a"], auth=first.admin, timeout=5).status_code
        == 204
    )
    assert requests.post(order, json=["nope"], auth=first.admin, timeout=5).status_code == 400
    stop_process(first.process)

    second = standin_factory(data_dir=first.data_dir)
    servers = requests.get(second.rest(LDAP), auth=second.admin, timeout=5).json()
    assert [(s["name"], s["order"]) for s in servers] == [("corp-b", 1), ("corp-a", 2)]
    assert (
        requests.delete(second.rest(f"{LDAP}/corp-a"), auth=second.admin, timeout=5).status_code
        == 204
    )
    assert (
        requests.get(second.rest(f"{LDAP}/corp-a"), auth=second.admin, timeout=5).status_code == 404
    )
    assert (
        requests.delete(second.rest(f"{LDAP}/corp-a"), auth=second.admin, timeout=5).status_code
        == 404
    )
    for log in (second.nexus_log, second.request_log):
        assert SECRET not in log.read_text()


def test_ldap_requests_are_validated_and_need_an_admin(instance: StandIn) -> None:
    bad = _create(instance, ldap_body("bad", 389, protocol="FTP", authPassword=None))
    assert bad.status_code == 400
    assert {error["id"] for error in bad.json()} == {"PARAMETER protocol"}
    missing = _create(instance, ldap_body("bad", 389, authPassword=None))
    assert missing.json() == [{"id": "PARAMETER authPassword", "message": "may not be empty"}]
    static = _create(instance, ldap_body("bad", 389, groupObjectClass=None))
    assert static.json() == [{"id": "PARAMETER groupObjectClass", "message": "may not be empty"}]
    assert requests.get(instance.rest(LDAP), timeout=5).status_code == 401
    requests.post(
        instance.rest("v1/security/users"),
        auth=instance.admin,
        timeout=5,
        json={
            "userId": "no-ldap",
            "firstName": "N",
            "lastName": "L",
            "emailAddress": "n@example.org",
            "password": "no-ldap-pw",
            "status": "active",
            "roles": ["nx-anonymous"],
        },
    )
    assert (
        requests.get(instance.rest(LDAP), auth=("no-ldap", "no-ldap-pw"), timeout=5).status_code
        == 403
    )


def test_verify_connection_to_a_closed_port_fails_readably(instance: StandIn) -> None:
    port = free_port()  # bound then released: nothing listens there
    answer = requests.post(
        instance.rest(f"{LDAP}/verify-connection"),
        auth=instance.admin,
        json=ldap_body("probe", port),
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json() == (
        f"Failed to connect to LDAP Server. Please check the"
        f" {LOOPBACK}:{port} and authentication are correct."
    )
    assert (
        f"{LOOPBACK}:{port} failed at connect: ConnectionRefusedError"
        in instance.nexus_log.read_text()
    )


def test_verify_connection_reaches_a_listener(instance: StandIn, fake_ldap: FakeLdapServer) -> None:
    url = instance.rest(f"{LDAP}/verify-connection")
    anonymous = ldap_body(
        "probe", fake_ldap.port, authScheme="NONE", authUsername=None, authPassword=None
    )
    answer = requests.post(url, json=anonymous, auth=instance.admin, timeout=10)
    assert (answer.status_code, answer.content) == (200, b"")
    assert fake_ldap.wait_for(1) == 1
    # For a saved server the stored bind password is used when the request has none.
    assert _create(instance, ldap_body("saved", fake_ldap.port)).status_code == 201
    no_password = ldap_body("saved", fake_ldap.port, authPassword=None)
    assert requests.post(url, json=no_password, auth=instance.admin, timeout=10).status_code == 400
    reused = requests.post(
        url + "?existingServerName=saved", json=no_password, auth=instance.admin, timeout=10
    )
    assert reused.status_code == 200
    assert fake_ldap.wait_for(2) == 2


def test_ldap_roles_merge_the_directory_groups_with_local_mappings(
    standin_factory: StandInFactory,
) -> None:
    """3.77 RoleApiResource: a role made with `?source=LDAP` is stored in the default source;
    the unfiltered listing merges the LDAP directory's groups (source LDAP, mapped or not).
    The stand-in's directory holds the `--ldap-group` names."""
    from nexus_api_client.api.security_management_roles_api import SecurityManagementRolesApi

    instance = standin_factory("--ldap-group", "developers", "--ldap-group", "ops")
    roles = instance.rest("v1/security/roles")

    def listed(query: str = "") -> set[tuple[str, str]]:
        answer = requests.get(roles + query, auth=instance.admin, timeout=5)
        assert answer.status_code == 200, answer.text
        return {(role["id"], role["source"]) for role in answer.json()}

    assert listed("?source=LDAP") == set()  # no LDAP server maps groups as roles yet
    assert _create(instance, ldap_body("directory", free_port())).status_code == 201
    mapping = {"id": "developers", "name": "LDAP developers", "roles": ["nx-anonymous"]}
    created = requests.post(roles + "?source=LDAP", json=mapping, auth=instance.admin, timeout=5)
    assert (created.status_code, created.json()["source"]) == (200, "default")

    assert listed("?source=LDAP") == {("developers", "LDAP"), ("ops", "LDAP")}
    assert ("developers", "default") in listed("?source=default")
    assert {("developers", "default"), ("developers", "LDAP"), ("ops", "LDAP")} <= listed()
    local = requests.get(f"{roles}/developers", auth=instance.admin, timeout=5).json()
    assert (local["source"], local["roles"]) == ("default", ["nx-anonymous"])
    group = requests.get(f"{roles}/ops?source=LDAP", auth=instance.admin, timeout=5).json()
    assert group["source"] == "LDAP"
    missing = requests.get(f"{roles}/ops", auth=instance.admin, timeout=5)
    assert (missing.status_code, missing.json()) == (404, "Role 'ops' not found.")
    unknown = requests.get(roles + "?source=Nope", auth=instance.admin, timeout=5)
    assert (unknown.status_code, unknown.json()) == (400, "Source 'Nope' not found.")

    typed = SecurityManagementRolesApi(instance.api()).list_security_roles(source="LDAP")
    assert [(role.id, role.source) for role in typed] == [("developers", "LDAP"), ("ops", "LDAP")]
    sources = requests.get(
        instance.rest("v1/security/user-sources"), auth=instance.admin, timeout=5
    ).json()
    assert [source["id"] for source in sources] == ["default", "LDAP"]
