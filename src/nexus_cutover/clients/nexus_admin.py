"""The Nexus REST calls of the guard rails: routing rules, roles, accounts, usage.

Kept beside `NexusClient` (whose plumbing it shares) so the repository and content client stays
about repositories and content. Requests go through `nexus-api-client` where its model matches
what Nexus reads; the one exception is a proxy's routing rule, which 3.77 reads from the
request field `routingRule` while the 3.97 client model only knows `routingRuleName`
(3.77 `ProxyRepositoryApiRequest` vs the generated `PypiProxyRepositoryApiRequest`): that body is
sent as plain JSON carrying both names, so whichever field a version reads, it gets the rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from nexus_api_client.api.routing_rules_api import RoutingRulesApi
from nexus_api_client.api.security_management_privileges_api import (
    SecurityManagementPrivilegesApi,
)
from nexus_api_client.api.security_management_roles_api import SecurityManagementRolesApi
from nexus_api_client.api.security_management_users_api import SecurityManagementUsersApi
from nexus_api_client.api.status_api import StatusApi
from nexus_api_client.api.usage_history_api import UsageHistoryApi
from nexus_api_client.models.api_create_user import ApiCreateUser
from nexus_api_client.models.role_xo_request import RoleXORequest
from nexus_api_client.models.routing_rule_xo import RoutingRuleXO

from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.errors import NotFoundError

# What 3.77 reads on a proxy create/update, and what its responses (and the 3.97 model) use.
ROUTING_RULE_REQUEST_FIELD = "routingRule"
ROUTING_RULE_RESPONSE_FIELD = "routingRuleName"


class NexusAdmin(NexusClient):
    """A `NexusClient` that also manages routing rules and roles and reads usage."""

    # -- the server -----------------------------------------------------------------------------

    def server_header(self) -> str:
        """`Server: Nexus/<version> (<edition>)` (3.77 `EnvironmentFilter`), "" when absent."""
        url = f"{self.endpoint.rest_url}/v1/status"
        response = self._call(
            "Nexus status", url, StatusApi(self._api).list_status_without_preload_content
        )
        return str(response.headers.get("Server", ""))

    # -- routing rules --------------------------------------------------------------------------

    def routing_rules(self) -> list[dict[str, Any]]:
        api = RoutingRulesApi(self._api)
        result = self._get_json(
            "list routing rules",
            "/v1/routing-rules",
            api.list_routing_rules_without_preload_content,
        )
        return list(result or [])

    def routing_rule(self, name: str) -> dict[str, Any] | None:
        api = RoutingRulesApi(self._api)
        try:
            result = self._get_json(
                f"read routing rule '{name}'",
                f"/v1/routing-rules/{name}",
                api.get_routing_rules_without_preload_content,
                name,
            )
        except NotFoundError:
            return None
        return dict(result)

    def save_routing_rule(self, rule: dict[str, Any], *, update: str | None = None) -> None:
        """Create the rule, or (`update` = its current name) replace it."""
        api = RoutingRulesApi(self._api)
        body = RoutingRuleXO.model_validate(rule)
        if update is None:
            self._checked(
                f"create routing rule '{rule['name']}'",
                "/v1/routing-rules",
                api.create_routing_rules_without_preload_content,
                body,
            )
        else:
            self._checked(
                f"update routing rule '{update}'",
                f"/v1/routing-rules/{update}",
                api.update_routing_rules_without_preload_content,
                update,
                body,
            )

    def attach_routing_rule(self, proxy: str, rule: str | None) -> None:
        """PUT the proxy's current configuration back with `rule` attached (None: detached)."""
        body = dict(self.pypi_repository("proxy", proxy))
        body[ROUTING_RULE_REQUEST_FIELD] = rule
        body[ROUTING_RULE_RESPONSE_FIELD] = rule
        path = f"/v1/repositories/pypi/proxy/{proxy}"
        self._send_json("PUT", f"attach routing rule to proxy '{proxy}'", path, body)

    # -- roles, privileges, users ---------------------------------------------------------------

    def privilege_names(self) -> set[str]:
        api = SecurityManagementPrivilegesApi(self._api)
        result = self._get_json(
            "list privileges",
            "/v1/security/privileges",
            api.get_all_privileges_without_preload_content,
        )
        return {str(item.get("name")) for item in result or []}

    def role(self, role_id: str) -> dict[str, Any] | None:
        api = SecurityManagementRolesApi(self._api)
        try:
            result = self._get_json(
                f"read role '{role_id}'",
                f"/v1/security/roles/{role_id}",
                api.get_security_roles_without_preload_content,
                role_id,
            )
        except NotFoundError:
            return None
        return dict(result)

    def save_role(self, role: dict[str, Any], *, update: bool) -> None:
        api = SecurityManagementRolesApi(self._api)
        body = RoleXORequest.model_validate(role)
        if update:
            self._checked(
                f"update role '{role['id']}'",
                f"/v1/security/roles/{role['id']}",
                api.update_security_roles_without_preload_content,
                role["id"],
                body,
            )
        else:
            self._checked(
                f"create role '{role['id']}'",
                "/v1/security/roles",
                api.create_security_roles_without_preload_content,
                body,
            )

    def create_user(self, user: dict[str, Any]) -> None:
        """POST /v1/security/users (`ApiCreateUser`); the password goes in the body only."""
        api = SecurityManagementUsersApi(self._api)
        self._checked(
            f"create user '{user['userId']}'",
            "/v1/security/users",
            api.create_security_users_without_preload_content,
            ApiCreateUser.model_validate(user),
        )

    def users(self) -> list[dict[str, Any]]:
        """GET /v1/security/users: needs `nexus:users:read`, which a health account lacks."""
        api = SecurityManagementUsersApi(self._api)
        result = self._get_json(
            "list users", "/v1/security/users", api.list_security_users_without_preload_content
        )
        return list(result or [])

    # -- usage ----------------------------------------------------------------------------------

    def usage_history(self, metric: str) -> list[tuple[date, int]]:
        """GET /v1/usage-history?metric=<requests|components>&period=daily (Nexus 3.9x; the
        3.97 API description): (day, value) oldest first. NotFoundError where it is absent."""
        api = UsageHistoryApi(self._api)
        result = self._get_json(
            f"read usage history ({metric})",
            f"/v1/usage-history?metric={metric}&period=daily",
            lambda **kw: api.list_usage_history_without_preload_content(
                metric=metric, period="daily", **kw
            ),
        )
        points = (result or {}).get("data") or []
        return [(date.fromisoformat(str(p["date"])), int(p["value"])) for p in points]

    # -- plumbing -------------------------------------------------------------------------------

    def _checked(self, what: str, path: str, function: Any, *args: Any) -> None:
        """A call whose success has no body (204): any error status raises."""
        self._get_json(what, path, function, *args)

    def _send_json(self, method: str, what: str, path: str, body: dict[str, Any]) -> None:
        request = self._api.param_serialize(
            method=method,
            resource_path=path,
            header_params={"Content-Type": "application/json", "Accept": "application/json"},
            body=body,
            auth_settings=["BasicAuth"],
        )
        self._get_json(what, path, lambda **kw: self._api.call_api(*request, **kw).response)
