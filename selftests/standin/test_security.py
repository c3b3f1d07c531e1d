"""Authentication and authorization: anonymous, deployers, admins, wrong passwords."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from .conftest import StandInFactory, create_repo, hosted_body
from .support import Dists, StandIn, twine_upload

CHALLENGE = 'BASIC realm="Sonatype Nexus Repository Manager"'


@pytest.fixture
def instance(standin_factory: StandInFactory) -> StandIn:
    """A fresh instance per test: these tests change security settings."""
    instance = standin_factory()
    create_repo(instance, "hosted", hosted_body("secure"))
    return instance


def _user(instance: StandIn, user_id: str, roles: list[str]) -> tuple[str, str]:
    password = f"{user_id}-password"
    answer = requests.post(
        instance.rest("v1/security/users"),
        auth=instance.admin,
        timeout=5,
        json={
            "userId": user_id,
            "firstName": user_id,
            "lastName": "User",
            "emailAddress": f"{user_id}@example.org",
            "password": password,
            "status": "active",
            "roles": roles,
        },
    )
    assert answer.status_code == 200, answer.text
    return user_id, password


def _role(instance: StandIn, role_id: str, privileges: list[str]) -> None:
    answer = requests.post(
        instance.rest("v1/security/roles"),
        auth=instance.admin,
        timeout=5,
        json={"id": role_id, "name": role_id, "privileges": privileges},
    )
    assert answer.status_code == 200, answer.text


def _anonymous(instance: StandIn, enabled: bool) -> dict[str, Any]:
    answer = requests.put(
        instance.rest("v1/security/anonymous"),
        auth=instance.admin,
        timeout=5,
        json={"enabled": enabled, "userId": "anonymous", "realmName": "NexusAuthorizingRealm"},
    )
    assert answer.status_code == 200
    return dict(answer.json())


def test_anonymous_reads_but_cannot_upload_or_delete(
    instance: StandIn, dists: Dists, home: Path
) -> None:
    settings = requests.get(
        instance.rest("v1/security/anonymous"), auth=instance.admin, timeout=5
    ).json()
    assert settings == {
        "enabled": True,
        "userId": "anonymous",
        "realmName": "NexusAuthorizingRealm",
    }
    assert requests.get(instance.index_url("secure") + "/", timeout=5).status_code == 200
    upload = requests.post(
        instance.repo_url("secure"),
        timeout=5,
        data={":action": "file_upload", "name": "x", "version": "1"},
        files={"content": ("x-1.tar.gz", b"x")},
    )
    assert upload.status_code == 401
    assert upload.headers["WWW-Authenticate"] == CHALLENGE
    twine_upload(home, instance.repo_url("secure"), *instance.admin, dists.internal_wheel)
    component = requests.get(instance.rest("v1/components?repository=secure"), timeout=5).json()[
        "items"
    ][0]
    deleted = requests.delete(instance.rest(f"v1/components/{component['id']}"), timeout=5)
    assert deleted.status_code == 401


def test_deployer_role_can_upload_and_others_get_403(
    instance: StandIn, dists: Dists, home: Path
) -> None:
    _role(
        instance,
        "deployer",
        [
            f"nx-repository-view-pypi-secure-{action}"
            for action in ("add", "read", "edit", "delete", "browse")
        ],
    )
    deployer = _user(instance, "deployer1", ["deployer"])
    reader = _user(instance, "reader1", ["nx-anonymous"])
    _role(instance, "wildcard", ["nx-repository-view-*-*-*"])
    wildcard = _user(instance, "wild1", ["wildcard"])
    assert (
        twine_upload(home, instance.repo_url("secure"), *deployer, dists.internal_wheel).returncode
        == 0
    )
    refused = twine_upload(home, instance.repo_url("secure"), *reader, dists.variants["first"])
    assert refused.returncode == 1
    assert "403" in refused.stdout + refused.stderr
    assert (
        twine_upload(
            home, instance.repo_url("secure"), *wildcard, dists.variants["first"]
        ).returncode
        == 0
    )
    admin_only = requests.get(instance.rest("v1/security/users"), auth=deployer, timeout=5)
    assert admin_only.status_code == 403


def test_wrong_password_and_unknown_user_look_the_same(instance: StandIn) -> None:
    _user(instance, "known", ["nx-anonymous"])
    answers = [
        requests.get(instance.index_url("secure") + "/", auth=credentials, timeout=5)
        for credentials in (("known", "wrong"), ("nobody-at-all", "wrong"))
    ]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].text == answers[1].text
    assert answers[0].headers["WWW-Authenticate"] == answers[1].headers["WWW-Authenticate"]


def test_anonymous_access_can_be_turned_off(instance: StandIn) -> None:
    assert _anonymous(instance, False)["enabled"] is False
    answer = requests.get(instance.index_url("secure") + "/", timeout=5)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == CHALLENGE
    assert (
        requests.get(instance.index_url("secure") + "/", auth=instance.admin, timeout=5).status_code
        == 200
    )
    _anonymous(instance, True)
    assert requests.get(instance.index_url("secure") + "/", timeout=5).status_code == 200


def test_change_password_with_text_plain(instance: StandIn) -> None:
    url = instance.rest("v1/security/users/admin/change-password")
    answer = requests.put(
        url,
        data="new-admin-password",
        auth=instance.admin,
        timeout=5,
        headers={"Content-Type": "text/plain"},
    )
    assert answer.status_code == 204
    assert not (instance.data_dir / "admin.password").exists()
    assert (
        requests.get(instance.rest("v1/security/users"), auth=instance.admin, timeout=5).status_code
        == 401
    )
    users = requests.get(
        instance.rest("v1/security/users"), auth=("admin", "new-admin-password"), timeout=5
    ).json()
    admin = next(user for user in users if user["userId"] == "admin")
    assert (admin["status"], admin["roles"]) == ("active", ["nx-admin"])
    assert "new-admin-password" not in instance.nexus_log.read_text()
    assert "new-admin-password" not in instance.request_log.read_text()


def test_users_roles_and_realms(instance: StandIn) -> None:
    _role(instance, "ci", ["nx-repository-view-pypi-secure-add"])
    user = _user(instance, "ci-bot", ["ci"])
    update = requests.put(
        instance.rest("v1/security/users/ci-bot"),
        auth=instance.admin,
        timeout=5,
        json={
            "userId": "ci-bot",
            "firstName": "CI",
            "lastName": "Bot",
            "emailAddress": "ci@example.org",
            "source": "default",
            "status": "disabled",
            "roles": ["ci"],
        },
    )
    assert update.status_code == 204
    assert requests.get(instance.index_url("secure") + "/", auth=user, timeout=5).status_code == 401
    roles = {
        role["id"]
        for role in requests.get(
            instance.rest("v1/security/roles"), auth=instance.admin, timeout=5
        ).json()
    }
    assert {"nx-admin", "nx-anonymous", "ci"} <= roles
    assert (
        requests.delete(
            instance.rest("v1/security/users/ci-bot"), auth=instance.admin, timeout=5
        ).status_code
        == 204
    )
    realms = instance.rest("v1/security/realms/active")
    assert requests.get(realms, auth=instance.admin, timeout=5).json() == [
        "NexusAuthenticatingRealm"
    ]
    assert (
        requests.put(
            realms, auth=instance.admin, json=["NexusAuthenticatingRealm", "DockerToken"], timeout=5
        ).status_code
        == 204
    )
    assert (
        requests.put(realms, auth=instance.admin, json=["NoSuchRealm"], timeout=5).status_code
        == 400
    )


def _anonymous_user(instance: StandIn, roles: list[str]) -> None:
    """PUT /v1/security/users/anonymous: an admin may change the anonymous user's roles."""
    current = next(
        user
        for user in requests.get(
            instance.rest("v1/security/users?userId=anonymous"), auth=instance.admin, timeout=5
        ).json()
        if user["userId"] == "anonymous"
    )
    answer = requests.put(
        instance.rest("v1/security/users/anonymous"),
        auth=instance.admin,
        timeout=5,
        json={**current, "roles": roles},
    )
    assert answer.status_code == 204, answer.text


def test_anonymous_user_can_be_given_upload_rights(instance: StandIn, dists: Dists) -> None:
    _role(
        instance,
        "anonymous-deployer",
        ["nx-repository-view-pypi-secure-add", "nx-repository-view-pypi-secure-edit"],
    )
    _anonymous_user(instance, ["nx-anonymous", "anonymous-deployer"])
    listed = requests.get(
        instance.rest("v1/security/users?userId=anonymous"), auth=instance.admin, timeout=5
    ).json()
    assert listed[0]["roles"] == ["nx-anonymous", "anonymous-deployer"]

    wheel = dists.internal_wheel
    legacy = requests.post(
        instance.repo_url("secure"),
        timeout=10,
        data={":action": "file_upload", "name": "Internal_Pkg", "version": "1.0.0"},
        files={"content": (wheel.name, wheel.read_bytes())},
    )
    assert legacy.status_code == 200, legacy.text
    late = dists.variants["late"]
    rest = requests.post(
        instance.rest("v1/components?repository=secure"),
        timeout=10,
        files={"pypi.asset": (late.name, late.read_bytes())},
    )
    assert rest.status_code == 204, rest.text
    items = requests.get(instance.rest("v1/components?repository=secure"), timeout=5).json()
    assert {item["name"] for item in items["items"]} == {"internal-pkg", "late-pkg"}
    assert {asset["uploader"] for item in items["items"] for asset in item["assets"]} == {
        "anonymous"
    }

    _anonymous_user(instance, ["nx-anonymous"])
    again = requests.post(
        instance.repo_url("secure"),
        timeout=10,
        data={":action": "file_upload", "name": "Internal_Pkg", "version": "1.0.0"},
        files={"content": (wheel.name, wheel.read_bytes())},
    )
    assert again.status_code == 401
