"""Nexus's LDAP and role-mapping REST calls: servers, mapped roles, realms, directory users.

Beside `NexusClient` (whose transport and error mapping it uses), kept in a module of its own
so the LDAP surface stays in one place.
"""

from __future__ import annotations

from typing import Any

from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.nexus_models import LDAP_SERVER_REQUEST_FIELDS, request_body


class NexusLdap:
    """The LDAP part of one Nexus server's REST API, through `client`'s connection."""

    def __init__(self, client: NexusClient) -> None:
        self.client = client

    def _send(self, what: str, method: str, path: str, body: Any, **params: Any) -> None:
        self.client._send_json(what, method, path, body, **params)

    # -- servers ----------------------------------------------------------------------------

    def servers(self) -> list[dict[str, Any]]:
        return self.client.ldap_servers()

    def create_server(self, body: dict[str, Any]) -> None:
        request = request_body(body, LDAP_SERVER_REQUEST_FIELDS)
        self._send(f"create LDAP server '{body['name']}'", "POST", "/v1/security/ldap", request)

    def update_server(self, name: str, body: dict[str, Any]) -> None:
        request = request_body(body, LDAP_SERVER_REQUEST_FIELDS)
        self._send(f"update LDAP server '{name}'", "PUT", f"/v1/security/ldap/{name}", request)

    def verify_connection(self, server: dict[str, Any]) -> None:
        """Verify a stored server with its stored bind password."""
        self.client.verify_ldap_connection(server)

    def verify_configuration(self, body: dict[str, Any]) -> None:
        """Verify a configuration as given (its own bind password), stored or not."""
        self._send(
            f"verify LDAP configuration '{body['name']}'",
            "POST",
            "/v1/security/ldap/verify-connection",
            request_body(body, LDAP_SERVER_REQUEST_FIELDS),
        )

    # -- roles, realms, users ---------------------------------------------------------------

    def roles(self, source: str) -> list[dict[str, Any]]:
        return self.client.roles(source)

    def save_role(self, body: dict[str, Any], *, update: bool) -> None:
        self.client.save_role(body, update=update)

    def active_realms(self) -> list[str]:
        realms = self.client._get_json("read the active realms", "/v1/security/realms/active")
        return [str(realm) for realm in realms or []]

    def set_active_realms(self, realms: list[str]) -> None:
        self._send("set the active realms", "PUT", "/v1/security/realms/active", realms)

    def directory_user(self, user_id: str) -> dict[str, Any] | None:
        """The LDAP user with exactly this id as Nexus sees it (`?source=LDAP`), or None."""
        users = self.client._get_json(
            f"look up LDAP user '{user_id}'", "/v1/security/users", source="LDAP", userId=user_id
        )
        found = [u for u in users or [] if u.get("userId") == user_id]
        return dict(found[0]) if found else None
