"""The shapes of the few Nexus REST answers and requests this tool uses.

Nexus publishes its API as an OpenAPI description, and `nexus-api-client` is generated from
it (Nexus 3.97). Importing that package validates ~1,400 generated methods and models and
takes seconds, so it is never imported at run time: these small models read only the fields
this tool needs (older Nexus versions lack some fields the generated models require), and the
request field lists below are what the generated request models accept. A self-test
(selftests/unit/test_nexus_contract.py) holds both against the generated models, so a field
renamed upstream fails there, not at a user's site.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    # Unknown fields are ignored: newer Nexus versions add some.
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class AssetXO(_Answer):
    """GET /v1/assets, /v1/search/assets, and the assets inside a component."""

    id: str
    repository: str = ""
    path: str = ""
    download_url: str = Field(default="", alias="downloadUrl")
    checksum: dict[str, Any] | None = None
    file_size: int | None = Field(default=None, alias="fileSize")


class ComponentXO(_Answer):
    """GET /v1/components."""

    id: str
    repository: str = ""
    name: str = ""
    version: str = ""
    assets: list[AssetXO] = Field(default_factory=list)


class AssetPage(_Answer):
    items: list[AssetXO] = Field(default_factory=list)
    continuation_token: str | None = Field(default=None, alias="continuationToken")


class RawAssetPage(_Answer):
    """GET /v1/search/assets as Nexus sends each item (blobCreated, lastDownloaded included)."""

    items: list[dict[str, Any]] = Field(default_factory=list)
    continuation_token: str | None = Field(default=None, alias="continuationToken")


class ComponentPage(_Answer):
    items: list[ComponentXO] = Field(default_factory=list)
    continuation_token: str | None = Field(default=None, alias="continuationToken")


# Top-level fields of POST/PUT /v1/repositories/pypi/{kind}: Pypi{Kind}RepositoryApiRequest.
# A body read with GET carries more (format, type, url); those are not sent back.
REPOSITORY_REQUEST_FIELDS: dict[str, frozenset[str]] = {
    "proxy": frozenset(
        {
            "cleanup",
            "firewall",
            "httpClient",
            "name",
            "negativeCache",
            "online",
            "proxy",
            "pypi",
            "replication",
            "routingRuleName",
            "storage",
        }
    ),
    "hosted": frozenset({"cleanup", "component", "name", "online", "storage"}),
    "group": frozenset({"group", "name", "online", "storage"}),
}

# Fields of POST /v1/security/ldap/verify-connection: CreateLdapServerXo (a stored server
# read with GET also has id and order, which the request does not take).
LDAP_SERVER_REQUEST_FIELDS = frozenset(
    {
        "authPassword",
        "authRealm",
        "authScheme",
        "authUsername",
        "connectionRetryDelaySeconds",
        "connectionTimeoutSeconds",
        "groupBaseDn",
        "groupIdAttribute",
        "groupMemberAttribute",
        "groupMemberFormat",
        "groupObjectClass",
        "groupSubtree",
        "groupType",
        "host",
        "ldapGroupsAsRoles",
        "maxIncidentsCount",
        "name",
        "port",
        "protocol",
        "searchBase",
        "useTrustStore",
        "userBaseDn",
        "userEmailAddressAttribute",
        "userIdAttribute",
        "userLdapFilter",
        "userMemberOfAttribute",
        "userObjectClass",
        "userPasswordAttribute",
        "userRealNameAttribute",
        "userSubtree",
    }
)


def request_body(body: dict[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    """The request as the generated client sends it: known fields only, no nulls."""
    return {
        key: _without_nulls(value)
        for key, value in body.items()
        if key in fields and value is not None
    }


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value
