"""Privileges as Nexus has them: repository-view / repository-admin / application privileges,
the privileges API, and a least-privilege read-only health-check account."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from .conftest import StandInFactory, create_repo, group_body, hosted_body, proxy_body
from .support import Dists, StandIn, twine_upload

HEALTH_REPOS = ("hc-hosted", "hc-proxy", "hc-group")
# What a scheduled read-only health check needs, from the 3.77 resources: status/check needs
# nexus:metrics:read (StatusResource); a repository's configuration, repository-admin read
# (AuthorizingRepositoryManagerImpl.getRepositoryWithAdmin); listing repositories,
# repository-view browse; index pages and files, repository-view read; components and assets,
# view read or browse (RepositoryManagerRESTAdapterImpl.getRepository); REST search needs no
# application privilege and shows the repositories the caller may browse.
HEALTH_PRIVILEGES = [
    "nx-metrics-all",
    *(f"nx-repository-admin-pypi-{repo}-read" for repo in HEALTH_REPOS),
    *(f"nx-repository-view-pypi-{repo}-browse" for repo in HEALTH_REPOS),
    *(f"nx-repository-view-pypi-{repo}-read" for repo in HEALTH_REPOS),
]


@pytest.fixture(scope="module")
def instance(
    standin_factory: StandInFactory, dists: Dists, tmp_path_factory: pytest.TempPathFactory
) -> StandIn:
    instance = standin_factory()
    create_repo(instance, "hosted", hosted_body("hc-hosted"))
    create_repo(instance, "proxy", proxy_body("hc-proxy", "https://pypi.org/", blocked=True))
    create_repo(instance, "group", group_body("hc-group", ["hc-hosted", "hc-proxy"]))
    create_repo(instance, "hosted", hosted_body("other-hosted"))
    home = tmp_path_factory.mktemp("permissions-home")
    for repo in ("hc-hosted", "other-hosted"):
        assert (
            twine_upload(home, instance.repo_url(repo), *instance.admin, *dists.internal).returncode
            == 0
        )
    return instance


def _user(instance: StandIn, user_id: str, roles: list[str]) -> tuple[str, str]:
    password = f"{user_id}-pw"
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


def _role(instance: StandIn, role_id: str, privileges: list[str]) -> requests.Response:
    return requests.post(
        instance.rest("v1/security/roles"),
        auth=instance.admin,
        timeout=5,
        json={"id": role_id, "name": role_id, "privileges": privileges},
    )


@pytest.fixture(scope="module")
def health(instance: StandIn) -> tuple[str, str]:
    assert _role(instance, "health-check", HEALTH_PRIVILEGES).status_code == 200
    return _user(instance, "health-bot", ["health-check"])


def _get(instance: StandIn, path: str, auth: tuple[str, str] | None) -> requests.Response:
    return requests.get(instance.rest(path), auth=auth, timeout=10)


def test_health_check_account_reads_what_it_needs(
    instance: StandIn, health: tuple[str, str]
) -> None:
    from nexus_api_client.api.repository_management_api import RepositoryManagementApi

    typed = RepositoryManagementApi(instance.api(*health))
    assert typed.get_pypi_hosted_repository("hc-hosted").name == "hc-hosted"
    assert typed.get_pypi_proxy_repository("hc-proxy").name == "hc-proxy"
    assert typed.get_pypi_group_repository("hc-group").group.member_names == [
        "hc-hosted",
        "hc-proxy",
    ]
    assert _get(instance, "v1/status/check", health).status_code == 200
    settings = _get(instance, "v1/repositorySettings", health).json()
    assert sorted(item["name"] for item in settings) == sorted(HEALTH_REPOS)
    listed = _get(instance, "v1/repositories", health).json()
    assert sorted(item["name"] for item in listed) == sorted(HEALTH_REPOS)
    assert _get(instance, "v1/repositories/hc-group", health).status_code == 200
    page = requests.get(instance.index_url("hc-group") + "/internal-pkg/", auth=health, timeout=5)
    assert page.status_code == 200
    components = _get(instance, "v1/components?repository=hc-hosted", health).json()["items"]
    assert [c["name"] for c in components] == ["internal-pkg"]
    assert _get(instance, "v1/assets?repository=hc-group", health).status_code == 200
    found = _get(instance, "v1/search/assets?name=internal-pkg", health).json()["items"]
    assert {asset["repository"] for asset in found} == {"hc-hosted"}  # not other-hosted


def test_health_check_account_gets_404_or_403_elsewhere(
    instance: StandIn, health: tuple[str, str], dists: Dists, home: Path
) -> None:
    from nexus_api_client.api.repository_management_api import RepositoryManagementApi
    from nexus_api_client.exceptions import ApiException

    typed = RepositoryManagementApi(instance.api(*health))
    with pytest.raises(ApiException) as hidden:
        typed.get_pypi_hosted_repository("other-hosted")
    assert hidden.value.status == 404
    not_found = _get(instance, "v1/repositories/pypi/hosted/other-hosted", health)
    assert (not_found.status_code, not_found.json()) == (404, "Repository not found")
    wrong_type = _get(instance, "v1/repositories/pypi/proxy/hc-hosted", health)
    assert (wrong_type.status_code, wrong_type.json()) == (404, "Repository not found")
    assert _get(instance, "v1/components?repository=other-hosted", health).status_code == 403
    assert _get(instance, "v1/repositories/other-hosted", health).status_code == 403
    assert _get(instance, "v1/security/users", health).status_code == 403
    assert _get(instance, "v1/security/roles", health).status_code == 403
    other = requests.get(instance.index_url("other-hosted") + "/", auth=health, timeout=5)
    assert other.status_code == 403
    created = requests.post(
        instance.rest("v1/repositories/pypi/hosted"),
        json=hosted_body("hc-new"),
        auth=health,
        timeout=5,
    )
    assert created.status_code == 403
    edited = requests.put(
        instance.rest("v1/repositories/pypi/hosted/hc-hosted"),
        json=hosted_body("hc-hosted"),
        auth=health,
        timeout=5,
    )
    assert edited.status_code == 403
    for path in ("v1/repositories/hc-proxy/invalidate-cache",):
        assert requests.post(instance.rest(path), auth=health, timeout=5).status_code == 403
    assert (
        requests.delete(
            instance.rest("v1/repositories/hc-hosted"), auth=health, timeout=5
        ).status_code
        == 403
    )
    upload = twine_upload(home, instance.repo_url("hc-hosted"), *health, dists.variants["late"])
    assert upload.returncode == 1
    assert "403" in upload.stdout + upload.stderr


def test_repository_configuration_needs_a_login(instance: StandIn) -> None:
    """@RequiresAuthentication: anonymous gets 401 even where it may browse."""
    assert _get(instance, "v1/repositorySettings", None).status_code == 401
    assert _get(instance, "v1/repositories/pypi/hosted/hc-hosted", None).status_code == 401
    listed = _get(instance, "v1/repositories", None).json()  # browse is enough for the list
    assert {item["name"] for item in listed} >= set(HEALTH_REPOS)


def test_repository_admin_privilege_grants_configuration_not_content(instance: StandIn) -> None:
    assert _role(instance, "config-reader", ["nx-repository-admin-*-*-read"]).status_code == 200
    reader = _user(instance, "config-reader-1", ["config-reader"])
    assert _get(instance, "v1/repositories/pypi/hosted/other-hosted", reader).status_code == 200
    assert _get(instance, "v1/components?repository=other-hosted", reader).status_code == 403
    assert _get(instance, "v1/repositories", reader).json() == []


def test_privileges_api_lists_creates_and_roles_must_name_known_privileges(
    instance: StandIn,
) -> None:
    from nexus_api_client.api.security_management_privileges_api import (
        SecurityManagementPrivilegesApi,
    )
    from nexus_api_client.models import ApiPrivilegeRepositoryViewRequest

    listed = _get(instance, "v1/security/privileges", instance.admin).json()
    by_name: dict[str, Any] = {item["name"]: item for item in listed}
    assert by_name["nx-repository-view-pypi-hc-hosted-read"] == {
        "type": "repository-view",
        "name": "nx-repository-view-pypi-hc-hosted-read",
        "description": by_name["nx-repository-view-pypi-hc-hosted-read"]["description"],
        "readOnly": True,
        "format": "pypi",
        "repository": "hc-hosted",
        "actions": ["READ"],
    }
    assert "nx-repository-admin-pypi-hc-hosted-add" not in by_name  # none per repository
    assert by_name["nx-users-update"]["actions"] == ["EDIT", "READ"]
    api = SecurityManagementPrivilegesApi(instance.api())
    request = ApiPrivilegeRepositoryViewRequest(
        name="hc-deploy",
        description="deploy to hc-hosted",
        format="pypi",
        repository="hc-hosted",
        actions=["ADD", "EDIT", "READ"],
    )
    assert api.create_repository_view_privilege_with_http_info(request).status_code == 201
    assert _get(instance, "v1/security/privileges/hc-deploy", instance.admin).json()["actions"] == [
        "ADD",
        "EDIT",
        "READ",
    ]
    assert _role(instance, "hc-deployer", ["hc-deploy"]).status_code == 200
    unknown = _role(instance, "broken-role", ["nx-no-such-privilege"])
    assert (unknown.status_code, unknown.json()) == (
        400,
        "Privilege 'nx-no-such-privilege' contained in role 'broken-role' not found.",
    )
    built_in = requests.delete(
        instance.rest("v1/security/privileges/nx-all"), auth=instance.admin, timeout=5
    )
    assert (built_in.status_code, built_in.json()) == (
        400,
        "Privilege 'nx-all' is internal and cannot be modified or deleted.",
    )


def test_changing_a_password_needs_nexus_all(instance: StandIn) -> None:
    """3.77 UserApiResource.changePassword: @RequiresPermissions("nexus:*"), even for oneself."""
    user = _user(instance, "self-changer", ["nx-anonymous"])
    answer = requests.put(
        instance.rest("v1/security/users/self-changer/change-password"),
        data="new-pw",
        auth=user,
        timeout=5,
        headers={"Content-Type": "text/plain"},
    )
    assert answer.status_code == 403
