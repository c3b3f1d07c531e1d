"""Nexus's LDAP and role-mapping REST calls: servers, mapped roles, realms, directory users.

Beside `NexusClient` (whose plumbing it uses: requests through nexus-api-client, the same
error mapping), kept in a module of its own so the LDAP surface stays in one place.
"""

from __future__ import annotations

import json
from typing import Any

from nexus_api_client.api.security_management_ldap_api import SecurityManagementLDAPApi
from nexus_api_client.api.security_management_realms_api import SecurityManagementRealmsApi
from nexus_api_client.api.security_management_roles_api import SecurityManagementRolesApi
from nexus_api_client.api.security_management_users_api import SecurityManagementUsersApi
from nexus_api_client.models.create_ldap_server_xo import CreateLdapServerXo
from nexus_api_client.models.role_xo_request import RoleXORequest
from nexus_api_client.models.update_ldap_server_xo import UpdateLdapServerXo

from nexus_cutover.clients.nexus import NexusClient, _api_error


class NexusLdap:
    """The LDAP part of one Nexus server's REST API, through `client`'s connection."""

    def __init__(self, client: NexusClient) -> None:
        self.client = client
        self._api = client._api
        self._rest = client.endpoint.rest_url

    def _send(self, what: str, path: str, function: Any, *args: Any, **kw: Any) -> Any:
        url = f"{self._rest}{path}"
        response = self.client._call(what, url, function, *args, **kw)
        if response.status >= 400:
            raise _api_error(what, url, response.status, response.reason, response.data)
        return response

    # -- servers ----------------------------------------------------------------------------

    def servers(self) -> list[dict[str, Any]]:
        return self.client.ldap_servers()

    def create_server(self, body: dict[str, Any]) -> None:
        api = SecurityManagementLDAPApi(self._api)
        self._send(
            f"create LDAP server '{body['name']}'",
            "/v1/security/ldap",
            api.create_security_ldap_without_preload_content,
            CreateLdapServerXo.from_dict(body),
        )

    def update_server(self, name: str, body: dict[str, Any]) -> None:
        api = SecurityManagementLDAPApi(self._api)
        self._send(
            f"update LDAP server '{name}'",
            f"/v1/security/ldap/{name}",
            api.update_security_ldap_without_preload_content,
            name,
            UpdateLdapServerXo.from_dict(body),
        )

    def verify_connection(self, server: dict[str, Any]) -> None:
        """Verify a stored server with its stored bind password."""
        self.client.verify_ldap_connection(server)

    def verify_configuration(self, body: dict[str, Any]) -> None:
        """Verify a configuration as given (its own bind password), stored or not."""
        api = SecurityManagementLDAPApi(self._api)
        self._send(
            f"verify LDAP configuration '{body['name']}'",
            "/v1/security/ldap/verify-connection",
            api.create_security_ldap_verify_connection_without_preload_content,
            CreateLdapServerXo.from_dict(body),
        )

    # -- roles, realms, users ---------------------------------------------------------------

    def roles(self, source: str) -> list[dict[str, Any]]:
        return self.client.roles(source)

    def save_role(self, body: dict[str, Any], *, update: bool) -> None:
        api = SecurityManagementRolesApi(self._api)
        request = RoleXORequest.from_dict(body)
        if update:
            self._send(
                f"update role '{body['id']}'",
                f"/v1/security/roles/{body['id']}",
                api.update_security_roles_without_preload_content,
                body["id"],
                request,
            )
        else:
            self._send(
                f"create role '{body['id']}'",
                "/v1/security/roles",
                api.create_security_roles_without_preload_content,
                request,
            )

    def active_realms(self) -> list[str]:
        api = SecurityManagementRealmsApi(self._api)
        response = self._send(
            "read the active realms",
            "/v1/security/realms/active",
            api.list_security_realms_active_without_preload_content,
        )
        return [str(realm) for realm in json.loads(response.data or b"[]")]

    def set_active_realms(self, realms: list[str]) -> None:
        api = SecurityManagementRealmsApi(self._api)
        self._send(
            "set the active realms",
            "/v1/security/realms/active",
            api.update_security_realms_active_without_preload_content,
            realms,
        )

    def directory_user(self, user_id: str) -> dict[str, Any] | None:
        """The LDAP user with exactly this id as Nexus sees it (`?source=LDAP`), or None."""
        api = SecurityManagementUsersApi(self._api)
        response = self._send(
            f"look up LDAP user '{user_id}'",
            f"/v1/security/users?source=LDAP&userId={user_id}",
            api.list_security_users_without_preload_content,
            user_id=user_id,
            source="LDAP",
        )
        users = json.loads(response.data or b"[]")
        found = [u for u in users if u.get("userId") == user_id]
        return dict(found[0]) if found else None
