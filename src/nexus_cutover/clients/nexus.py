"""REST client for Nexus Repository 3: status, PyPI repositories, components, assets, search.

Requests go through `nexus-api-client` (generated from Nexus 3.97's own API description), so
what we send has Nexus's shape by construction. Responses are read as plain JSON and only the
fields we need are taken: the generated models mark 3.97-only fields as required (e.g. the
proxy's `pypi` block), and older Nexus versions would fail their validation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import urllib3
from nexus_api_client import ApiClient, Configuration
from nexus_api_client.api.assets_api import AssetsApi
from nexus_api_client.api.components_api import ComponentsApi
from nexus_api_client.api.repository_management_api import RepositoryManagementApi
from nexus_api_client.api.search_api import SearchApi
from nexus_api_client.api.security_management_anonymous_access_api import (
    SecurityManagementAnonymousAccessApi,
)
from nexus_api_client.api.security_management_ldap_api import SecurityManagementLDAPApi
from nexus_api_client.api.security_management_roles_api import SecurityManagementRolesApi
from nexus_api_client.api.status_api import StatusApi
from nexus_api_client.exceptions import ApiException
from nexus_api_client.models.create_ldap_server_xo import CreateLdapServerXo
from nexus_api_client.models.pypi_group_repository_api_request import (
    PypiGroupRepositoryApiRequest,
)
from nexus_api_client.models.pypi_hosted_repository_api_request import (
    PypiHostedRepositoryApiRequest,
)
from nexus_api_client.models.pypi_proxy_repository_api_request import (
    PypiProxyRepositoryApiRequest,
)
from packaging.utils import canonicalize_name
from pydantic import BaseModel

from nexus_cutover.errors import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    ServerError,
    UnreachableError,
)
from nexus_cutover.target import NexusEndpoint

T = TypeVar("T")


@dataclass(frozen=True)
class Asset:
    id: str
    repository: str
    path: str  # without a leading slash (SQL-era Nexus adds one; OrientDB-era did not)
    download_url: str
    sha256: str | None
    file_size: int | None = None
    component_id: str | None = field(default=None, compare=False)

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Component:
    id: str
    repository: str
    name: str
    version: str
    assets: tuple[Asset, ...]


class NexusClient:
    """One Nexus server, reached with the endpoint's credentials and timeout."""

    def __init__(self, endpoint: NexusEndpoint, *, anonymous: bool = False) -> None:
        self.endpoint = endpoint
        configuration = Configuration(host=endpoint.rest_url, retries=1)
        if endpoint.credentials and not anonymous:
            configuration.username = endpoint.credentials.user
            configuration.password = endpoint.credentials.password
        if endpoint.ca_bundle:
            configuration.ssl_ca_cert = str(endpoint.ca_bundle)
        self._api = ApiClient(configuration)
        self._timeout = endpoint.timeout

    # -- plumbing ---------------------------------------------------------------------------

    def _call(self, what: str, url: str, function: Callable[..., T], *args: Any, **kw: Any) -> T:
        try:
            return function(*args, _request_timeout=self._timeout, **kw)
        except ApiException as error:
            raise _api_error(what, url, error.status, error.reason, error.body) from None
        except urllib3.exceptions.HTTPError as error:
            raise UnreachableError(
                f"{what}: cannot reach {url}: {_reason(error)}", url=url
            ) from None

    def _get_json(self, what: str, path: str, function: Callable[..., Any], *args: Any) -> Any:
        url = f"{self.endpoint.rest_url}{path}"
        response = self._call(what, url, function, *args)
        if response.status >= 400:
            raise _api_error(what, url, response.status, response.reason, response.data)
        return json.loads(response.data) if response.data else None

    # -- status -----------------------------------------------------------------------------

    def readable(self) -> bool:
        """GET /v1/status: True when 200, False when 503; unreachable raises."""
        return self._status("/v1/status", StatusApi(self._api).list_status_without_preload_content)

    def writable(self) -> bool:
        return self._status(
            "/v1/status/writable", StatusApi(self._api).list_status_writable_without_preload_content
        )

    def _status(self, path: str, function: Callable[..., Any]) -> bool:
        url = f"{self.endpoint.rest_url}{path}"
        response = self._call("Nexus status", url, function)
        if response.status in (200, 503):
            return bool(response.status == 200)
        raise _api_error("Nexus status", url, response.status, response.reason, response.data)

    def check_credentials(self) -> None:
        """GET /v1/status/check needs authentication: proves the credentials work."""
        self._get_json(
            "credentials check",
            "/v1/status/check",
            StatusApi(self._api).list_status_check_without_preload_content,
        )

    # -- repositories -----------------------------------------------------------------------

    def repositories(self) -> list[dict[str, Any]]:
        api = RepositoryManagementApi(self._api)
        result = self._get_json(
            "list repositories",
            "/v1/repositories",
            api.get_all_repositories_without_preload_content,
        )
        return list(result or [])

    def pypi_repository(self, kind: str, name: str) -> dict[str, Any]:
        """Full configuration of a PyPI repository of `kind` hosted, proxy or group."""
        api = RepositoryManagementApi(self._api)
        getters = {
            "hosted": api.get_pypi_hosted_repository_without_preload_content,
            "proxy": api.get_pypi_proxy_repository_without_preload_content,
            "group": api.get_pypi_group_repository_without_preload_content,
        }
        path = f"/v1/repositories/pypi/{kind}/{name}"
        result = self._get_json(f"read {kind} repository '{name}'", path, getters[kind], name)
        return dict(result)

    def save_repository(self, kind: str, name: str, body: dict[str, Any], *, update: bool) -> None:
        """Create (POST) or update (PUT) a PyPI repository from its full REST body."""
        api = RepositoryManagementApi(self._api)
        operations: dict[str, tuple[type[BaseModel], Callable[..., None], Callable[..., None]]]
        operations = {
            "proxy": (
                PypiProxyRepositoryApiRequest,
                api.create_pypi_proxy_repository,
                api.update_pypi_proxy_repository,
            ),
            "hosted": (
                PypiHostedRepositoryApiRequest,
                api.create_pypi_hosted_repository,
                api.update_pypi_hosted_repository,
            ),
            "group": (
                PypiGroupRepositoryApiRequest,
                api.create_pypi_group_repository,
                api.update_pypi_group_repository,
            ),
        }
        model, create, change = operations[kind]
        request = model.model_validate(body)
        base = f"{self.endpoint.rest_url}/v1/repositories/pypi/{kind}"
        if update:
            self._call(
                f"update {kind} repository '{name}'", f"{base}/{name}", change, name, request
            )
        else:
            self._call(f"create {kind} repository '{name}'", base, create, request)

    # -- components and assets --------------------------------------------------------------

    def components(self, repository: str) -> Iterator[Component]:
        api = ComponentsApi(self._api)
        for item in self._pages(
            f"list components of '{repository}'",
            f"/v1/components?repository={repository}",
            api.list_components_without_preload_content,
            repository,
        ):
            yield Component(
                id=item["id"],
                repository=item.get("repository", repository),
                name=item.get("name", ""),
                version=item.get("version", ""),
                assets=tuple(_asset(a, item["id"]) for a in item.get("assets", [])),
            )

    def assets(self, repository: str) -> Iterator[Asset]:
        api = AssetsApi(self._api)
        for item in self._pages(
            f"list assets of '{repository}'",
            f"/v1/assets?repository={repository}",
            api.list_assets_without_preload_content,
            repository,
        ):
            yield _asset(item, None)

    def search_assets(self, **criteria: Any) -> Iterator[Asset]:
        """GET /v1/search/assets with criteria such as repository=..., sha256=..."""
        api = SearchApi(self._api)
        query = "&".join(f"{k}={v}" for k, v in criteria.items())

        def search(continuation_token: str | None = None, **kw: Any) -> Any:
            return api.list_search_assets_without_preload_content(
                continuation_token=continuation_token, **criteria, **kw
            )

        for item in self._pages("search assets", f"/v1/search/assets?{query}", search):
            yield _asset(item, None)

    def search_asset_items(self, **criteria: Any) -> Iterator[dict[str, Any]]:
        """The raw AssetXO items of GET /v1/search/assets (with blobCreated, lastDownloaded)."""
        api = SearchApi(self._api)
        query = "&".join(f"{k}={v}" for k, v in criteria.items())

        def search(continuation_token: str | None = None, **kw: Any) -> Any:
            return api.list_search_assets_without_preload_content(
                continuation_token=continuation_token, **criteria, **kw
            )

        yield from self._pages("search assets", f"/v1/search/assets?{query}", search)

    def delete_component(self, component_id: str) -> None:
        api = ComponentsApi(self._api)
        url = f"{self.endpoint.rest_url}/v1/components/{component_id}"
        response = self._call(
            "delete component", url, api.delete_components_without_preload_content, component_id
        )
        if response.status >= 400:
            raise _api_error(
                "delete component", url, response.status, response.reason, response.data
            )

    def delete_project(self, repository: str, project: str) -> int:
        """Delete every component of `project` in `repository` (canary clean-up)."""
        wanted = canonicalize_name(project)
        doomed = [c.id for c in self.components(repository) if canonicalize_name(c.name) == wanted]
        for component_id in doomed:
            self.delete_component(component_id)
        return len(doomed)

    def ldap_servers(self) -> list[dict[str, Any]]:
        api = SecurityManagementLDAPApi(self._api)
        result = self._get_json(
            "list LDAP servers", "/v1/security/ldap", api.list_security_ldap_without_preload_content
        )
        return list(result or [])

    def verify_ldap_connection(self, server: dict[str, Any]) -> None:
        """POST /v1/security/ldap/verify-connection for a stored server (its own password)."""
        api = SecurityManagementLDAPApi(self._api)
        body = CreateLdapServerXo.from_dict(server)
        url = f"{self.endpoint.rest_url}/v1/security/ldap/verify-connection"
        response = self._call(
            f"verify LDAP server '{server.get('name')}'",
            url,
            api.create_security_ldap_verify_connection_without_preload_content,
            body,
            existing_server_name=server.get("name"),
        )
        if response.status >= 400:
            raise _api_error(
                f"verify LDAP server '{server.get('name')}'",
                url,
                response.status,
                response.reason,
                response.data,
            )

    def roles(self, source: str | None = None) -> list[dict[str, Any]]:
        api = SecurityManagementRolesApi(self._api)
        result = self._get_json(
            "list roles",
            "/v1/security/roles",
            lambda **kw: api.list_security_roles_without_preload_content(source=source, **kw),
        )
        return list(result or [])

    def anonymous_access(self) -> dict[str, Any]:
        api = SecurityManagementAnonymousAccessApi(self._api)
        result = self._get_json(
            "read anonymous access",
            "/v1/security/anonymous",
            api.list_security_anonymous_without_preload_content,
        )
        return dict(result)

    def _pages(
        self, what: str, path: str, function: Callable[..., Any], *args: Any
    ) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            page = self._get_json(what, path, _with_token(function, token), *args)
            yield from page.get("items", [])
            token = page.get("continuationToken")
            if not token:
                return


def _with_token(function: Callable[..., Any], token: str | None) -> Callable[..., Any]:
    def call(*args: Any, **kw: Any) -> Any:
        return function(*args, continuation_token=token, **kw)

    return call


def _asset(item: dict[str, Any], component_id: str | None) -> Asset:
    checksum = item.get("checksum") or {}
    return Asset(
        id=item["id"],
        repository=item.get("repository", ""),
        path=str(item.get("path", "")).lstrip("/"),
        download_url=item.get("downloadUrl", ""),
        sha256=checksum.get("sha256"),
        file_size=item.get("fileSize"),
        component_id=component_id,
    )


def _reason(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    if "SSL" in type(reason).__name__ or "SSL" in text:
        return _tls_reason(text)
    if "refused" in text.lower():
        return "connection refused"
    if "timed out" in text.lower() or "timeout" in type(reason).__name__.lower():
        return "timed out"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    return text.split(": ", 1)[-1][:200]


def _tls_reason(text: str) -> str:
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "TLS failure: the server's certificate is not trusted (set nexus.ca_bundle)"
    if "WRONG_VERSION_NUMBER" in text:
        return "TLS failure: the server does not speak TLS there (http, not https?)"
    return "TLS failure: the handshake failed"


def _api_error(
    what: str, url: str, status: int | None, reason: str | None, body: bytes | str | None
) -> ServerError:
    status = status or 0
    if status == 0:
        return UnreachableError(f"{what}: cannot reach {url}: {reason or 'no answer'}", url=url)
    if status == 401:
        return AuthError(
            f"{what}: {url} answered 401: the Nexus user or password is wrong or missing",
            url=url,
            status=status,
        )
    if status == 403:
        return ForbiddenError(
            f"{what}: {url} answered 403: the Nexus user lacks the privilege for this",
            url=url,
            status=status,
        )
    if status == 404:
        return NotFoundError(f"{what}: {url} answered 404: not found", url=url, status=status)
    detail = _detail(body) or (reason or "")
    return ServerError(f"{what}: {url} answered {status}: {detail}"[:400], url=url, status=status)


def _detail(body: bytes | str | None) -> str:
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(data, list):
        return "; ".join(str(e.get("message", e)) for e in data if isinstance(e, dict))
    return str(data)[:200]
