"""REST client for Nexus Repository 3: status, PyPI repositories, components, assets, search.

Plain requests on the shared transport (clients/http.py: keep-alive, timeouts, TLS, retries of
transient faults). The request and answer shapes are those of Nexus's published API
(clients/nexus_models.py, held against `nexus-api-client`'s generated models by a self-test);
answers are read leniently, so older Nexus versions that lack newer fields still work.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from packaging.utils import canonicalize_name
from pydantic import ValidationError

from nexus_cutover.clients.http import HttpSession, fetch, get_json, nexus_session
from nexus_cutover.clients.nexus_models import (
    LDAP_SERVER_REQUEST_FIELDS,
    REPOSITORY_REQUEST_FIELDS,
    AssetPage,
    AssetXO,
    ComponentPage,
    RawAssetPage,
    request_body,
)
from nexus_cutover.errors import ServerError
from nexus_cutover.target import NexusEndpoint

Page = TypeVar("Page", AssetPage, ComponentPage, RawAssetPage)


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
    """One Nexus server, reached with the endpoint's credentials, timeout and TLS trust."""

    def __init__(self, endpoint: NexusEndpoint, *, anonymous: bool = False) -> None:
        self.endpoint = endpoint
        self._anonymous = anonymous
        self._http = nexus_session(endpoint, anonymous=anonymous)
        self._probe: HttpSession | None = None

    def close(self) -> None:
        self._http.close()
        if self._probe is not None:
            self._probe.close()

    def _url(self, path: str) -> str:
        return f"{self.endpoint.rest_url}{path}"

    def _get_json(self, what: str, path: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        return get_json(self._http, self._url(path), what, params=query or None)

    def _send_json(self, what: str, method: str, path: str, body: Any, **params: Any) -> None:
        query = {k: v for k, v in params.items() if v is not None}
        fetch(self._http, self._url(path), what, method=method, json=body, params=query or None)

    # -- status -----------------------------------------------------------------------------

    def readable(self) -> bool:
        """GET /v1/status: True when 200, False when 503; unreachable raises."""
        return self._status("/v1/status")

    def writable(self) -> bool:
        return self._status("/v1/status/writable")

    def _status(self, path: str) -> bool:
        # 503 is an answer here ("not readable/writable"), not a fault to wait out.
        if self._probe is None:
            self._probe = HttpSession(
                self.endpoint.http,
                service="Nexus",
                credentials=None if self._anonymous else self.endpoint.credentials,
                ca_bundle=self.endpoint.ca_bundle,
                timeout=self.endpoint.timeout,
                pool_size=1,
                retry_statuses={429, 502, 504},
            )
        response = fetch(self._probe, self._url(path), "Nexus status", answers=(503,))
        return response.status_code == 200

    def check_credentials(self) -> None:
        """GET /v1/status/check needs authentication: proves the credentials work."""
        self._get_json("credentials check", "/v1/status/check")

    # -- repositories -----------------------------------------------------------------------

    def repositories(self) -> list[dict[str, Any]]:
        return list(self._get_json("list repositories", "/v1/repositories") or [])

    def pypi_repository(self, kind: str, name: str) -> dict[str, Any]:
        """Full configuration of a PyPI repository of `kind` hosted, proxy or group."""
        path = f"/v1/repositories/pypi/{kind}/{name}"
        return dict(self._get_json(f"read {kind} repository '{name}'", path) or {})

    def save_repository(self, kind: str, name: str, body: dict[str, Any], *, update: bool) -> None:
        """Create (POST) or update (PUT) a PyPI repository from its full REST body."""
        request = request_body(body, REPOSITORY_REQUEST_FIELDS[kind])
        base = f"/v1/repositories/pypi/{kind}"
        if update:
            self._send_json(f"update {kind} repository '{name}'", "PUT", f"{base}/{name}", request)
        else:
            self._send_json(f"create {kind} repository '{name}'", "POST", base, request)

    # -- components and assets --------------------------------------------------------------

    def components(self, repository: str) -> Iterator[Component]:
        what = f"list components of '{repository}'"
        for page in self._pages(what, "/v1/components", ComponentPage, repository=repository):
            for item in page.items:
                yield Component(
                    id=item.id,
                    repository=item.repository or repository,
                    name=item.name,
                    version=item.version,
                    assets=tuple(_asset(a, item.id) for a in item.assets),
                )

    def assets(self, repository: str) -> Iterator[Asset]:
        what = f"list assets of '{repository}'"
        for page in self._pages(what, "/v1/assets", AssetPage, repository=repository):
            yield from (_asset(item, None) for item in page.items)

    def search_assets(self, **criteria: Any) -> Iterator[Asset]:
        """GET /v1/search/assets with criteria such as repository=..., sha256=..."""
        for page in self._pages("search assets", "/v1/search/assets", AssetPage, **criteria):
            yield from (_asset(item, None) for item in page.items)

    def search_asset_items(self, **criteria: Any) -> Iterator[dict[str, Any]]:
        """The raw AssetXO items of GET /v1/search/assets (with blobCreated, lastDownloaded)."""
        for page in self._pages("search assets", "/v1/search/assets", RawAssetPage, **criteria):
            yield from page.items

    def delete_component(self, component_id: str) -> None:
        fetch(
            self._http,
            self._url(f"/v1/components/{component_id}"),
            "delete component",
            method="DELETE",
        )

    def delete_project(self, repository: str, project: str) -> int:
        """Delete every component of `project` in `repository` (canary clean-up)."""
        wanted = canonicalize_name(project)
        doomed = [c.id for c in self.components(repository) if canonicalize_name(c.name) == wanted]
        for component_id in doomed:
            self.delete_component(component_id)
        return len(doomed)

    def ldap_servers(self) -> list[dict[str, Any]]:
        return list(self._get_json("list LDAP servers", "/v1/security/ldap") or [])

    def verify_ldap_connection(self, server: dict[str, Any]) -> None:
        """POST /v1/security/ldap/verify-connection for a stored server (its own password)."""
        name = server.get("name")
        self._send_json(
            f"verify LDAP server '{name}'",
            "POST",
            "/v1/security/ldap/verify-connection",
            request_body(server, LDAP_SERVER_REQUEST_FIELDS),
            existingServerName=name,
        )

    def roles(self, source: str | None = None) -> list[dict[str, Any]]:
        return list(self._get_json("list roles", "/v1/security/roles", source=source) or [])

    def save_role(self, role: dict[str, Any], *, update: bool) -> None:
        """Create (POST) or replace (PUT) a role from its `RoleXORequest` body."""
        if update:
            path = f"/v1/security/roles/{role['id']}"
            self._send_json(f"update role '{role['id']}'", "PUT", path, role)
        else:
            self._send_json(f"create role '{role['id']}'", "POST", "/v1/security/roles", role)

    def _pages(self, what: str, path: str, shape: type[Page], **params: Any) -> Iterator[Page]:
        """Every page of a paged listing, following continuationToken."""
        token: str | None = None
        while True:
            data = self._get_json(what, path, **params, continuationToken=token)
            page = _parse(shape, data, what, self._url(path))
            yield page
            token = page.continuation_token
            if not token:
                return


def _parse(shape: type[Page], data: Any, what: str, url: str) -> Page:
    try:
        return shape.model_validate(data if data is not None else {})
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise ServerError(
            f"{what}: {url} answered with an unexpected shape ({where}: {problem['msg']})",
            url=url,
        ) from None


def _asset(item: AssetXO, component_id: str | None) -> Asset:
    checksum = item.checksum or {}
    sha256 = checksum.get("sha256")
    return Asset(
        id=item.id,
        repository=item.repository,
        path=item.path.lstrip("/"),
        download_url=item.download_url,
        sha256=str(sha256) if sha256 else None,
        file_size=item.file_size,
        component_id=component_id,
    )
