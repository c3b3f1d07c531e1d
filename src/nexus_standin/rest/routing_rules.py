"""/v1/routing-rules, and how a proxy's configuration names its rule.

As 3.77 `RoutingRulesApiResource` has them:
- GET (list, one): no login required, but the caller needs repository-admin `add` on every
  repository of a format with a proxy recipe, or repository-admin `read` on any one repository
  (`RoutingRuleHelperImpl.ensureUserHasPermissionToRead`); otherwise 403, for anonymous callers
  too (`AuthorizationExceptionMapper`);
- POST, PUT, DELETE: `@RequiresAuthentication` + `nexus:*`; 204 with no body;
- an unknown name is 404 "Did not find a routing rule with the name '<name>'"; deleting a rule a
  repository still uses is 400 "Routing rule is still in use by <n> repositories.";
- the body is a RoutingRuleXO (`name`, `description`, `mode`, `matchers`), validated by the store
  (store/routing.py), a mode Jackson cannot map is 400 with the field as id
  (`JsonMappingExceptionMapper`).

A proxy's create/update request names its rule in `routingRule` (3.77
`ProxyRepositoryApiRequest`), which is looked up by name and silently ignored when unknown or
blank (`ProxyRepositoryApiRequestToConfigurationConverter.convertRoutingRule`); 3.77 ignores
`routingRuleName` in a request (its ObjectMapper skips unknown properties), so a PUT that only
echoes a GET drops the rule (https://github.com/sonatype/nexus-public/issues/464). Responses name
the rule in `routingRuleName` (`SimpleApiProxyRepository`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ..errors import Forbidden, JsonMessageError, ValidationFailed
from ..store.repos import PROXY, Repository
from ..store.routing import MODES, RULE_ID_KEY, RoutingRule, RoutingRuleStore, validate
from .support import Call, json_response, no_content, rest

LOG_SOURCE = "org.sonatype.nexus.repository.routing.internal.RoutingRuleStoreImpl"
# What 3.77 reads from a proxy request, and what its responses carry.
REQUEST_FIELD, RESPONSE_FIELD = "routingRule", "routingRuleName"
ENUM_MESSAGE = (
    "Cannot deserialize value of type `org.sonatype.nexus.repository.routing.RoutingMode` from"
    " String {value}: not one of the values accepted for Enum class: [BLOCK, ALLOW]"
)


def rule_json(rule: RoutingRule) -> dict[str, Any]:
    """`RoutingRuleXO.fromRoutingRule`: the four fields, no id."""
    return {
        "name": rule.name,
        "description": rule.description,
        "mode": rule.mode,
        "matchers": list(rule.matchers),
    }


def _demand_read(call: Call) -> None:
    subject = call.subject
    if subject.permits("nexus:repository-admin:pypi:*:add"):
        return
    if any(subject.permits_admin(repo, "read") for repo in call.runtime.repos.all()):
        return
    raise Forbidden()


def _named(call: Call, name: str) -> RoutingRule:
    rule = call.runtime.routing.by_name(name)
    if rule is None:
        raise JsonMessageError(404, f"Did not find a routing rule with the name '{name}'")
    return rule


def _parse(call: Call) -> RoutingRule:
    body = call.json()
    if not isinstance(body, dict):
        raise ValidationFailed([("*", "A JSON object is required")])
    mode = body.get("mode")
    if mode is not None and mode not in MODES:
        raise ValidationFailed([("mode", ENUM_MESSAGE.format(value=_quoted(mode)))])
    return validate(body.get("name"), body.get("description"), mode, body.get("matchers"))


def _quoted(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def list_rules(call: Call) -> Response:
    _demand_read(call)
    return json_response([rule_json(rule) for rule in call.runtime.routing.all()])


def get_rule(call: Call) -> Response:
    _demand_read(call)
    return json_response(rule_json(_named(call, call.param("name"))))


def create_rule(call: Call) -> Response:
    call.subject.require("nexus:*")
    rule = call.runtime.routing.create(_parse(call))
    call.runtime.app_log.info(
        LOG_SOURCE, f"Created routing rule: {rule.name} ({rule.mode})", call.subject.user_id
    )
    return no_content()


def update_rule(call: Call) -> Response:
    call.subject.require("nexus:*")
    old = _named(call, call.param("name"))
    new = _parse(call)
    call.runtime.routing.update(old, new)
    call.runtime.app_log.info(
        LOG_SOURCE, f"Updated routing rule: {new.name} ({new.mode})", call.subject.user_id
    )
    return no_content()


def delete_rule(call: Call) -> Response:
    call.subject.require("nexus:*")
    rule = _named(call, call.param("name"))
    users = call.runtime.routing.users(rule, call.runtime.repos.all())
    if users:
        raise JsonMessageError(400, f"Routing rule is still in use by {users} repositories.")
    call.runtime.routing.delete(rule)
    call.runtime.app_log.info(
        LOG_SOURCE, f"Deleted routing rule: {rule.name}", call.subject.user_id
    )
    return no_content()


def assign_from_request(repo: Repository, body: Any, routing: RoutingRuleStore) -> Repository:
    """A proxy's configuration as 3.77 stores it: the id of the rule `routingRule` names (kept
    only when such a rule exists), never the `routingRuleName` of a request."""
    config = {k: v for k, v in repo.config.items() if k not in (RESPONSE_FIELD, RULE_ID_KEY)}
    name = body.get(REQUEST_FIELD) if isinstance(body, dict) and repo.type == PROXY else None
    rule = routing.by_name(name) if isinstance(name, str) and name.strip() else None
    if rule is not None:
        config[RULE_ID_KEY] = rule.id
    return replace(repo, config=config)


def assigned_name(repo: Repository, routing: RoutingRuleStore) -> str | None:
    """The name a response shows (`SimpleApiRepositoryAdapter.getRoutingRuleName`)."""
    rule = routing.rule_of(repo)
    return rule.name if rule else None


RULES = "/v1/routing-rules"
routes = [
    Route(RULES, rest(list_rules), methods=["GET"]),
    Route(RULES, rest(create_rule), methods=["POST"]),
    Route(RULES + "/{name:str}", rest(get_rule), methods=["GET"]),
    Route(RULES + "/{name:str}", rest(update_rule), methods=["PUT"]),
    Route(RULES + "/{name:str}", rest(delete_rule), methods=["DELETE"]),
]
