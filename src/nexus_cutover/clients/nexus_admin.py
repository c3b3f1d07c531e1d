"""The Nexus REST calls of the guard rails: routing rules, roles, accounts, usage.

Kept beside `NexusClient` (whose plumbing it shares) so the repository and content client stays
about repositories and content. Bodies are the JSON the REST API documents (RoutingRuleXO,
RoleXORequest, ApiCreateUser). A proxy's routing rule is sent under both field names: 3.77
reads `routingRule` (`ProxyRepositoryApiRequest`), the 3.97 API description names it
`routingRuleName`, so whichever a version reads, it gets the rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from nexus_cutover.clients.http import fetch
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
        url = self._url("/v1/status")
        response = fetch(self._http, url, "Nexus status", answers=(503,))
        return str(response.headers.get("Server", ""))

    # -- routing rules --------------------------------------------------------------------------

    def routing_rules(self) -> list[dict[str, Any]]:
        return list(self._get_json("list routing rules", "/v1/routing-rules") or [])

    def routing_rule(self, name: str) -> dict[str, Any] | None:
        try:
            result = self._get_json(f"read routing rule '{name}'", f"/v1/routing-rules/{name}")
        except NotFoundError:
            return None
        return dict(result or {})

    def save_routing_rule(self, rule: dict[str, Any], *, update: str | None = None) -> None:
        """Create the rule, or (`update` = its current name) replace it."""
        if update is None:
            what = f"create routing rule '{rule['name']}'"
            self._send_json(what, "POST", "/v1/routing-rules", rule)
        else:
            what = f"update routing rule '{update}'"
            self._send_json(what, "PUT", f"/v1/routing-rules/{update}", rule)

    def attach_routing_rule(self, proxy: str, rule: str | None) -> None:
        """PUT the proxy's current configuration back with `rule` attached (None: detached)."""
        body = dict(self.pypi_repository("proxy", proxy))
        body[ROUTING_RULE_REQUEST_FIELD] = rule
        body[ROUTING_RULE_RESPONSE_FIELD] = rule
        path = f"/v1/repositories/pypi/proxy/{proxy}"
        self._send_json(f"attach routing rule to proxy '{proxy}'", "PUT", path, body)

    # -- roles, privileges, users ---------------------------------------------------------------

    def privilege_names(self) -> set[str]:
        result = self._get_json("list privileges", "/v1/security/privileges")
        return {str(item.get("name")) for item in result or []}

    def role(self, role_id: str) -> dict[str, Any] | None:
        try:
            result = self._get_json(f"read role '{role_id}'", f"/v1/security/roles/{role_id}")
        except NotFoundError:
            return None
        return dict(result or {})

    def create_user(self, user: dict[str, Any]) -> None:
        """POST /v1/security/users (`ApiCreateUser`); the password goes in the body only."""
        self._send_json(f"create user '{user['userId']}'", "POST", "/v1/security/users", user)

    def users(self) -> list[dict[str, Any]]:
        """GET /v1/security/users: needs `nexus:users:read`, which a health account lacks."""
        return list(self._get_json("list users", "/v1/security/users") or [])

    # -- usage ----------------------------------------------------------------------------------

    def usage_history(self, metric: str) -> list[tuple[date, int]]:
        """GET /v1/usage-history?metric=<requests|components>&period=daily (Nexus 3.9x; the
        3.97 API description): (day, value) oldest first. NotFoundError where it is absent."""
        result = self._get_json(
            f"read usage history ({metric})", "/v1/usage-history", metric=metric, period="daily"
        )
        points = (result or {}).get("data") or []
        return [(date.fromisoformat(str(p["date"])), int(p["value"])) for p in points]
