"""Routing rules: the REST API, validation, attaching a rule to a proxy, and what it blocks."""

from __future__ import annotations

from typing import Any

import requests

from .conftest import StandInFactory, create_repo, group_body, hosted_body, proxy_body
from .support import StandIn, StaticSite, project_page

BLOCKED = "Routing rules block the requested item from this repository"


def _rule(name: str, *matchers: str, mode: str = "BLOCK") -> dict[str, Any]:
    return {"name": name, "description": "", "mode": mode, "matchers": list(matchers)}


def _call(
    instance: StandIn,
    method: str,
    path: str,
    body: object = None,
    auth: tuple[str, str] | None = None,
    anonymous: bool = False,
) -> requests.Response:
    """A REST call as admin (or `auth`, or nobody)."""
    who = None if anonymous else (auth or instance.admin)
    return requests.request(method, instance.rest(path), json=body, auth=who, timeout=10)


def _post(instance: StandIn, body: object, auth: tuple[str, str] | None = None) -> Any:
    return _call(instance, "POST", "v1/routing-rules", body, auth)


def test_rules_are_created_read_renamed_and_deleted(standin_factory: StandInFactory) -> None:
    instance = standin_factory()
    assert _post(instance, _rule("internal", "^/simple/acme-.*")).status_code == 204
    listed = _call(instance, "GET", "v1/routing-rules")
    assert listed.json() == [_rule("internal", "^/simple/acme-.*")]
    renamed = _rule("internal-names", "^/simple/acme-.*", "^/packages/acme-.*")
    response = _call(instance, "PUT", "v1/routing-rules/internal", renamed)
    assert response.status_code == 204, response.text
    one = _call(instance, "GET", "v1/routing-rules/internal-names")
    assert one.json() == renamed
    gone = _call(instance, "GET", "v1/routing-rules/internal")
    assert gone.status_code == 404
    assert "Did not find a routing rule with the name 'internal'" in gone.text
    deleted = _call(instance, "DELETE", "v1/routing-rules/internal-names")
    assert deleted.status_code == 204


def test_validation_collects_every_error_with_nexus_messages(
    standin_factory: StandInFactory,
) -> None:
    instance = standin_factory()
    response = _post(instance, {"name": "_bad", "mode": "BLOCK", "matchers": ["", "(["]})
    assert response.status_code == 400
    errors = {(e["id"], e["message"].split(":")[0]) for e in response.json()}
    assert errors == {
        (
            "name",
            "Only letters, digits, underscores(_), hyphens(-), and dots(.) are allowed and may"
            " not start with underscore or dot.",
        ),
        ("description", "A non-null value must be specified"),
        ("matchers[0]", "Empty matchers are not allowed"),
        ("matchers[1]", "Invalid regex"),
    }
    none = _post(instance, _rule("None", "x"))
    assert none.json() == [{"id": "name", "message": "Rule must not be named None"}]
    empty = _post(instance, _rule("empty"))
    assert empty.json() == [{"id": "matchers", "message": "At least one rule must be specified"}]
    assert _post(instance, _rule("twice", "x")).status_code == 204
    again = _post(instance, _rule("twice", "y"))
    assert again.json() == [
        {"id": "name", "message": "A rule with the same name already exists. Name must be unique."}
    ]
    assert _post(instance, _rule("Twice", "y")).status_code == 204  # names are case-sensitive
    bad_mode = _post(instance, _rule("mode", "x", mode="DENY"))
    assert bad_mode.status_code == 400
    assert bad_mode.json()[0]["id"] == "mode"


def test_only_admins_write_and_repository_admins_read(standin_factory: StandInFactory) -> None:
    instance = standin_factory()
    create_repo(instance, "hosted", hosted_body("pypi-hosted"))
    assert _post(instance, _rule("r", "x")).status_code == 204
    anonymous_post = _call(instance, "POST", "v1/routing-rules", _rule("a", "x"), anonymous=True)
    assert anonymous_post.status_code == 401
    assert _call(instance, "GET", "v1/routing-rules", anonymous=True).status_code == 403
    role = {
        "id": "health",
        "name": "health",
        "description": "",
        "privileges": ["nx-repository-admin-pypi-pypi-hosted-read"],
        "roles": [],
    }
    assert _call(instance, "POST", "v1/security/roles", role).ok
    user = {
        "userId": "health",
        "firstName": "h",
        "lastName": "h",
        "emailAddress": "h@example.invalid",
        "password": "health-pass",
        "status": "active",
        "roles": ["health"],
    }
    assert _call(instance, "POST", "v1/security/users", user).ok
    reader = ("health", "health-pass")
    assert _call(instance, "GET", "v1/routing-rules", auth=reader).json()[0]["name"] == "r"
    assert _post(instance, _rule("b", "x"), auth=reader).status_code == 403


def test_a_proxy_names_its_rule_in_routing_rule_and_blocks_matching_paths(
    standin_factory: StandInFactory,
) -> None:
    site = StaticSite(
        {
            "/simple/acme-utils/": project_page("/files/acme_utils-9.9.9-py3-none-any.whl"),
            "/simple/six/": project_page("/files/six-1.0-py3-none-any.whl"),
        }
    )
    try:
        instance = standin_factory()
        rule = _rule("internal", "(?i)/(simple|packages)/acme[-_.]+utils([/?].*)?")
        assert _post(instance, rule).status_code == 204
        body = proxy_body("pypi-proxy", site.url)
        # What 3.97's client model calls the field is ignored, as by 3.77.
        create_repo(instance, "proxy", {**body, "routingRuleName": "internal"})
        config = "v1/repositories/pypi/proxy/pypi-proxy"
        assert _call(instance, "GET", config).json()["routingRuleName"] is None
        assert _call(instance, "PUT", config, {**body, "routingRule": "internal"}).ok
        assert _call(instance, "GET", config).json()["routingRuleName"] == "internal"
        blocked = requests.get(instance.index_url("pypi-proxy") + "/Acme_Utils/", timeout=10)
        assert (blocked.status_code, blocked.reason) == (403, BLOCKED)
        assert site.requests == []  # never fetched
        assert requests.get(instance.index_url("pypi-proxy") + "/six/", timeout=10).ok
        create_repo(instance, "hosted", hosted_body("pypi-hosted"))
        create_repo(instance, "group", group_body("pypi-group", ["pypi-hosted", "pypi-proxy"]))
        through_group = requests.get(instance.index_url("pypi-group") + "/acme-utils/", timeout=10)
        assert through_group.status_code == 200
        assert "acme_utils" not in through_group.text  # the blocked member adds nothing
        in_use = _call(instance, "DELETE", "v1/routing-rules/internal")
        assert in_use.status_code == 400
        assert "Routing rule is still in use by 1 repositories." in in_use.text
        # A PUT that only echoes the GET (routingRuleName) drops the rule, as on 3.77.
        echoed = _call(instance, "GET", config).json()
        assert _call(instance, "PUT", config, echoed).ok
        assert _call(instance, "GET", config).json()["routingRuleName"] is None
    finally:
        site.stop()
