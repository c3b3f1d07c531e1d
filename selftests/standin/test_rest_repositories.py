"""Repository management through the nexus-api-client typed client (3.97 models)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from .conftest import StandInFactory, create_repo, group_body, hosted_body, proxy_body
from .support import StandIn


def _api(client: Any) -> Any:
    from nexus_api_client.api.repository_management_api import RepositoryManagementApi

    return RepositoryManagementApi(client)


@pytest.fixture(scope="module")
def instance(standin_factory: StandInFactory) -> StandIn:
    return standin_factory()


def test_create_read_update_hosted(instance: StandIn) -> None:
    from nexus_api_client.models import PypiHostedRepositoryApiRequest

    api = _api(instance.api())
    request = PypiHostedRepositoryApiRequest.from_dict(hosted_body("typed-hosted", "allow_once"))
    assert api.create_pypi_hosted_repository_with_http_info(request).status_code == 201
    stored = api.get_pypi_hosted_repository("typed-hosted")
    assert (stored.format, stored.type, stored.online) == ("pypi", "hosted", True)
    assert stored.storage.write_policy == "allow_once"  # echoed as sent
    assert stored.url == f"{instance.base_url}/repository/typed-hosted"

    request.storage.write_policy = "DENY"
    request.online = False
    answer = api.update_pypi_hosted_repository_with_http_info("typed-hosted", request)
    assert answer.status_code == 204
    stored = api.get_pypi_hosted_repository("typed-hosted")
    assert (stored.storage.write_policy, stored.online) == ("DENY", False)


def test_create_read_update_proxy(instance: StandIn) -> None:
    from nexus_api_client.models import PypiProxyRepositoryApiRequest

    api = _api(instance.api())
    body = proxy_body("typed-proxy", "https://pypi.org/")
    body["httpClient"]["authentication"] = {
        "type": "username",
        "username": "u",
        "password": "remote-secret",
    }
    body["pypi"] = {"suffix": "/simple"}
    request = PypiProxyRepositoryApiRequest.from_dict(body)
    assert api.create_pypi_proxy_repository_with_http_info(request).status_code == 201
    stored = api.get_pypi_proxy_repository("typed-proxy")
    assert stored.proxy.remote_url == "https://pypi.org/"
    assert (stored.proxy.content_max_age, stored.proxy.metadata_max_age) == (1440, 1440)
    assert stored.http_client.auto_block is True
    assert stored.http_client.authentication.username == "u"
    assert stored.http_client.authentication.password is None  # never returned
    assert stored.negative_cache.time_to_live == 1440
    assert stored.pypi.suffix == "/simple"

    request.proxy.metadata_max_age = 60
    request.http_client.auto_block = False
    api.update_pypi_proxy_repository("typed-proxy", request)
    stored = api.get_pypi_proxy_repository("typed-proxy")
    assert (stored.proxy.metadata_max_age, stored.http_client.auto_block) == (60, False)


def test_create_read_update_group(instance: StandIn) -> None:
    from nexus_api_client.models import PypiGroupRepositoryApiRequest

    create_repo(instance, "hosted", hosted_body("member-a"))
    create_repo(instance, "hosted", hosted_body("member-b"))
    api = _api(instance.api())
    request = PypiGroupRepositoryApiRequest.from_dict(group_body("typed-group", ["member-a"]))
    assert api.create_pypi_group_repository_with_http_info(request).status_code == 201
    request.group.member_names = ["member-b", "member-a"]
    api.update_pypi_group_repository("typed-group", request)
    stored = api.get_pypi_group_repository("typed-group")
    assert stored.group.member_names == ["member-b", "member-a"]
    assert stored.storage.blob_store_name == "default"


def test_listing_and_settings(instance: StandIn) -> None:
    create_repo(instance, "hosted", hosted_body("listed"))
    api = _api(instance.api())
    listed = {repo.name: repo for repo in api.get_all_repositories()}
    assert (listed["listed"].type, listed["listed"].format) == ("hosted", "pypi")
    assert api.get_repositories("listed").url.endswith("/repository/listed")
    settings = requests.get(
        instance.rest("v1/repositorySettings"), auth=instance.admin, timeout=5
    ).json()
    assert "listed" in {item["name"] for item in settings}


def test_duplicate_names_are_refused_ignoring_case(instance: StandIn) -> None:
    create_repo(instance, "hosted", hosted_body("Dup-Name"))
    answer = requests.post(
        instance.rest("v1/repositories/pypi/proxy"),
        auth=instance.admin,
        json=proxy_body("dup-name", "https://pypi.org/"),
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json() == [
        {"id": "PARAMETER name", "message": "Name is already used, must be unique (ignoring case)"}
    ]


def test_validation_errors_are_a_list_of_id_and_message(instance: StandIn) -> None:
    body = proxy_body("invalid-proxy", "https://pypi.org/")
    del body["negativeCache"]
    body["httpClient"]["connection"]["timeout"] = 0
    answer = requests.post(
        instance.rest("v1/repositories/pypi/proxy"), auth=instance.admin, json=body, timeout=5
    )
    assert answer.status_code == 400
    errors = {(item["id"], item["message"]) for item in json.loads(answer.text)}
    assert ("PARAMETER negativeCache", "must not be null") in errors
    assert ("PARAMETER timeout", "must be greater than or equal to 1") in errors


def test_write_policy_accepts_any_case_and_refuses_others(instance: StandIn) -> None:
    for index, policy in enumerate(["Allow_Once", "deny", "ALLOW"]):
        create_repo(instance, "hosted", hosted_body(f"policy-case-{index}", policy))
    answer = requests.post(
        instance.rest("v1/repositories/pypi/hosted"),
        auth=instance.admin,
        json=hosted_body("policy-bad", "sometimes"),
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()[0]["id"] == "PARAMETER writePolicy"


def test_update_cannot_rename_and_unknown_is_404(instance: StandIn) -> None:
    create_repo(instance, "hosted", hosted_body("fixed-name"))
    url = instance.rest("v1/repositories/pypi/hosted/fixed-name")
    renamed = requests.put(url, json=hosted_body("other-name"), auth=instance.admin, timeout=5)
    assert renamed.status_code == 400
    missing = requests.put(
        instance.rest("v1/repositories/pypi/hosted/nope"),
        json=hosted_body("nope"),
        auth=instance.admin,
        timeout=5,
    )
    assert missing.status_code == 404


def test_delete_and_invalidate_cache(instance: StandIn) -> None:
    from nexus_api_client.exceptions import ApiException

    create_repo(instance, "proxy", proxy_body("gone-proxy", "https://pypi.org/"))
    create_repo(instance, "group", group_body("keeps-group", ["gone-proxy"]))
    api = _api(instance.api())
    assert (
        api.createrepositoryname_invalidate_cache_repository_with_http_info(
            "gone-proxy"
        ).status_code
        == 204
    )
    assert api.delete_repositories_with_http_info("gone-proxy").status_code == 204
    with pytest.raises(ApiException) as missing:
        api.get_repositories("gone-proxy")
    assert missing.value.status == 404
    group = requests.get(
        instance.rest("v1/repositories/pypi/group/keeps-group"), auth=instance.admin, timeout=5
    ).json()
    assert group["group"]["memberNames"] == []
    assert requests.get(instance.repo_url("gone-proxy") + "simple/", timeout=5).status_code == 404


def test_admin_endpoints_need_an_admin(instance: StandIn) -> None:
    url = instance.rest("v1/repositories/pypi/hosted")
    anonymous = requests.post(url, json=hosted_body("x-anon"), timeout=5)
    assert anonymous.status_code == 401
    requests.post(
        instance.rest("v1/security/users"),
        auth=instance.admin,
        timeout=5,
        json={
            "userId": "plain",
            "firstName": "P",
            "lastName": "L",
            "emailAddress": "p@example.org",
            "password": "plain-pw",
            "status": "active",
            "roles": ["nx-anonymous"],
        },
    )
    plain = requests.post(url, json=hosted_body("x-plain"), auth=("plain", "plain-pw"), timeout=5)
    assert plain.status_code == 403
    assert requests.delete(instance.rest("v1/repositories/listed"), timeout=5).status_code == 401


def test_cleanup_policies_tasks_and_blobstores(instance: StandIn) -> None:
    policies = instance.rest("v1/cleanup-policies")
    created = requests.post(
        policies,
        auth=instance.admin,
        timeout=5,
        json={"name": "old-stuff", "format": "pypi", "criteriaLastDownloaded": 30},
    )
    assert created.status_code == 201
    listed = requests.get(policies, auth=instance.admin, timeout=5).json()
    assert [policy["name"] for policy in listed] == ["old-stuff"]
    tasks = requests.get(instance.rest("v1/tasks"), auth=instance.admin, timeout=5).json()
    assert tasks["continuationToken"] is None
    assert all({"id", "name", "type", "currentState"} <= set(task) for task in tasks["items"])
    stores = requests.get(instance.rest("v1/blobstores"), auth=instance.admin, timeout=5).json()
    assert [(store["name"], store["type"]) for store in stores] == [("default", "File")]
    assert requests.get(instance.rest("v1/tasks"), timeout=5).status_code == 401
