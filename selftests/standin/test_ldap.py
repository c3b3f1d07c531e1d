"""/v1/security/ldap and the LDAP realm against a real OpenLDAP directory (slapd).

CRUD and order; verify-connection, verify-user-mapping and verify-login; LDAP users logging in
through the active realms in their order; directory groups as roles (static and dynamic).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import requests

from nexus_cutover.backends.directory import BIND_DN, SUFFIX

from .conftest import Slapd, StandInFactory, create_repo, hosted_body
from .support import LOOPBACK, Dists, StandIn, free_port, stop_process, twine_upload

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


def directory_body(slapd: Slapd, name: str = "corp", **changes: Any) -> dict[str, Any]:
    """The seeded directory as Nexus would be configured for it (static groups by DN)."""
    seeded: dict[str, Any] = {
        "searchBase": SUFFIX,
        "authUsername": BIND_DN,
        "authPassword": slapd.password("bind"),
        "groupObjectClass": "groupOfNames",
        "groupMemberAttribute": "member",
        "groupMemberFormat": "${dn}",
    }
    return ldap_body(name, slapd.port, **{**seeded, **changes})


def _post(instance: StandIn, path: str, body: Any, query: str = "") -> requests.Response:
    return requests.post(
        instance.rest(f"{LDAP}/{path}") + query, json=body, auth=instance.admin, timeout=10
    )


def test_verify_connection_binds_as_the_service_account(instance: StandIn, slapd: Slapd) -> None:
    answer = _post(instance, "verify-connection", directory_body(slapd))
    assert (answer.status_code, answer.content) == (200, b"")
    wrong = _post(instance, "verify-connection", directory_body(slapd, authPassword="wrong"))
    assert wrong.status_code == 400
    assert wrong.json().startswith("Failed to connect to LDAP Server.")
    assert "failed at bind: invalidCredentials" in instance.nexus_log.read_text()
    anonymous = directory_body(slapd, authScheme="NONE", authUsername=None, authPassword=None)
    assert _post(instance, "verify-connection", anonymous).status_code == 200
    # A saved server's stored bind password is used when the request carries none.
    assert _create(instance, directory_body(slapd, "saved")).status_code == 201
    no_password = directory_body(slapd, "saved", authPassword=None)
    assert _post(instance, "verify-connection", no_password).status_code == 400
    reused = _post(instance, "verify-connection", no_password, "?existingServerName=saved")
    assert reused.status_code == 200
    assert slapd.password("bind") not in instance.nexus_log.read_text()


def test_verify_user_mapping_lists_users_with_their_groups(instance: StandIn, slapd: Slapd) -> None:
    static = _post(instance, "verify-user-mapping", directory_body(slapd, userBaseDn="ou=people"))
    assert static.status_code == 200, static.text
    assert [(u["username"], u["realName"], u["email"], u["membership"]) for u in static.json()] == [
        ("alice", "Alice Adams", "alice@example.com", ["developers"]),
        ("mallory", "Mallory Moss", "mallory@example.com", ["auditors"]),
    ]
    dynamic = directory_body(
        slapd, userBaseDn="ou=people", groupType="DYNAMIC", userMemberOfAttribute="memberOf"
    )
    answer = _post(instance, "verify-user-mapping", dynamic).json()
    assert {u["username"]: u["membership"] for u in answer} == {
        "alice": ["developers"],
        "mallory": ["auditors"],
    }
    # One level below the search base holds no people: the relative user DN matters.
    top = directory_body(slapd, userBaseDn="")
    assert _post(instance, "verify-user-mapping", top).json() == []
    filtered = directory_body(slapd, userBaseDn="ou=people", userLdapFilter="mail=alice@*")
    assert [u["username"] for u in _post(instance, "verify-user-mapping", filtered).json()] == [
        "alice"
    ]


def test_verify_login_binds_as_the_user(instance: StandIn, slapd: Slapd) -> None:
    def login(user: str, password: str) -> requests.Response:
        body = {
            "base64Username": base64.b64encode(user.encode()).decode(),
            "base64Password": base64.b64encode(password.encode()).decode(),
            "ldapServer": directory_body(slapd, userBaseDn="ou=people"),
        }
        return _post(instance, "verify-login", body)

    assert login("alice", slapd.password("alice")).status_code == 200
    refused = login("alice", "not-her-password")
    assert (refused.status_code, refused.json()) == (
        400,
        "Login of user 'alice' failed: the user was not found or the password is wrong",
    )
    assert login("nobody", "x").status_code == 400


def test_ldap_users_log_in_through_the_active_realms(
    standin_factory: StandInFactory, slapd: Slapd, tmp_path: Path, dists: Dists
) -> None:
    """LdapRealm active: alice logs in with her directory password and gets the privileges of
    the local role named like her group; mallory's group maps to a read-only role, so her
    upload gets 403; without LdapRealm (or with a wrong password) they get 401."""
    instance = standin_factory()
    create_repo(instance, "hosted", hosted_body("ldap-hosted"))
    body = directory_body(slapd, userBaseDn="ou=people")
    assert _create(instance, body).status_code == 201
    roles = instance.rest("v1/security/roles")
    for role, privileges in {
        "developers": ["nx-repository-view-pypi-ldap-hosted-*"],
        "auditors": ["nx-repository-view-pypi-ldap-hosted-read"],
    }.items():
        mapping = {"id": role, "name": role, "privileges": privileges}
        assert requests.post(roles, json=mapping, auth=instance.admin, timeout=5).ok
    alice = ("alice", slapd.password("alice"))
    mallory = ("mallory", slapd.password("mallory"))
    index = instance.repo_url("ldap-hosted") + "simple/"
    assert requests.get(index, auth=alice, timeout=10).status_code == 401  # realm not active

    realms = instance.rest("v1/security/realms/active")
    active = ["NexusAuthenticatingRealm", "LdapRealm"]
    assert requests.put(realms, json=active, auth=instance.admin, timeout=5).status_code == 204
    assert requests.get(index, auth=alice, timeout=10).status_code == 200
    assert requests.get(index, auth=("alice", "wrong"), timeout=10).status_code == 401
    home = tmp_path / "home"
    sdist = next(path for path in dists.internal if path.suffix != ".whl")
    uploaded = twine_upload(home, instance.repo_url("ldap-hosted"), *alice, dists.internal_wheel)
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    refused = twine_upload(home, instance.repo_url("ldap-hosted"), *mallory, sdist)
    assert "403" in refused.stdout + refused.stderr
    assert "alice" in instance.request_log.read_text()

    users = requests.get(
        instance.rest("v1/security/users"),
        params={"source": "LDAP", "userId": "al"},
        auth=instance.admin,
        timeout=10,
    ).json()
    assert [(u["userId"], u["source"], u["externalRoles"], u["readOnly"]) for u in users] == [
        ("alice", "LDAP", ["developers"], True)
    ]
    # Local users still log in while LdapRealm comes first (the first realm that accepts wins).
    reordered = ["LdapRealm", "NexusAuthenticatingRealm"]
    assert requests.put(realms, json=reordered, auth=instance.admin, timeout=5).status_code == 204
    admin_call = requests.get(realms, auth=instance.admin, timeout=5)
    assert admin_call.status_code == 200
    assert requests.get(index, auth=alice, timeout=10).status_code == 200


def test_directory_groups_are_ldap_roles(standin_factory: StandInFactory, slapd: Slapd) -> None:
    """3.77 RoleApiResource: a role made with `?source=LDAP` is stored in the default source;
    the unfiltered listing merges the directory's groups (source LDAP, mapped or not)."""
    from nexus_api_client.api.security_management_roles_api import SecurityManagementRolesApi

    instance = standin_factory()
    roles = instance.rest("v1/security/roles")

    def listed(query: str = "") -> set[tuple[str, str]]:
        answer = requests.get(roles + query, auth=instance.admin, timeout=10)
        assert answer.status_code == 200, answer.text
        return {(role["id"], role["source"]) for role in answer.json()}

    assert listed("?source=LDAP") == set()  # no LDAP server yet
    assert _create(instance, directory_body(slapd)).status_code == 201
    mapping = {"id": "developers", "name": "LDAP developers", "roles": ["nx-anonymous"]}
    created = requests.post(roles + "?source=LDAP", json=mapping, auth=instance.admin, timeout=5)
    assert (created.status_code, created.json()["source"]) == (200, "default")

    assert listed("?source=LDAP") == {("auditors", "LDAP"), ("developers", "LDAP")}
    assert ("developers", "default") in listed("?source=default")
    assert {("developers", "default"), ("developers", "LDAP"), ("auditors", "LDAP")} <= listed()
    local = requests.get(f"{roles}/developers", auth=instance.admin, timeout=5).json()
    assert (local["source"], local["roles"]) == ("default", ["nx-anonymous"])
    group = requests.get(f"{roles}/auditors?source=LDAP", auth=instance.admin, timeout=10).json()
    assert group["source"] == "LDAP"
    missing = requests.get(f"{roles}/auditors", auth=instance.admin, timeout=5)
    assert (missing.status_code, missing.json()) == (404, "Role 'auditors' not found.")
    unknown = requests.get(roles + "?source=Nope", auth=instance.admin, timeout=5)
    assert (unknown.status_code, unknown.json()) == (400, "Source 'Nope' not found.")

    typed = SecurityManagementRolesApi(instance.api()).list_security_roles(source="LDAP")
    assert [(role.id, role.source) for role in typed] == [
        ("auditors", "LDAP"),
        ("developers", "LDAP"),
    ]
    sources = requests.get(
        instance.rest("v1/security/user-sources"), auth=instance.admin, timeout=5
    ).json()
    assert [source["id"] for source in sources] == ["default", "LDAP"]
    # A wrong group base finds no groups; a directory that cannot be asked lists none.
    url = instance.rest(f"{LDAP}/corp")
    moved = directory_body(slapd, groupBaseDn="ou=nowhere")
    assert requests.put(url, json=moved, auth=instance.admin, timeout=5).status_code == 204
    assert listed("?source=LDAP") == set()
    closed = {**directory_body(slapd), "port": free_port()}
    assert requests.put(url, json=closed, auth=instance.admin, timeout=5).status_code == 204
    assert listed("?source=LDAP") == set()
    assert "LDAP server 'corp' could not be asked" in instance.nexus_log.read_text()
