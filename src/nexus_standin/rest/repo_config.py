"""PyPI repository configuration through the REST API: request validation and GET views."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from ..errors import ValidationFailed
from ..models import (
    PypiGroupRepositoryApiRequest,
    PypiHostedApiRepository,
    PypiHostedRepositoryApiRequest,
    PyPiProxyApiRepository,
    PypiProxyRepositoryApiRequest,
    RepositoryXO,
    SimpleApiGroupDeployRepository,
)
from ..store.blobs import BlobStore
from ..store.repos import GROUP, HOSTED, PROXY, Repository, RepositoryStore
from .support import dump, parse_model

FORMAT = "pypi"
REQUEST_MODELS: dict[str, type[BaseModel]] = {
    HOSTED: PypiHostedRepositoryApiRequest,
    PROXY: PypiProxyRepositoryApiRequest,
    GROUP: PypiGroupRepositoryApiRequest,
}
WRITE_POLICIES = ("ALLOW", "ALLOW_ONCE", "DENY")
DUPLICATE_NAME = "Name is already used, must be unique (ignoring case)"


def parse_request(repo_type: str, body: Any) -> Repository:
    """The request validated by its 3.97 model; stored as sent (camelCase, no nulls)."""
    model = parse_model(REQUEST_MODELS[repo_type], body)
    config = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return Repository(name=config["name"], type=repo_type, format=FORMAT, config=config)


def check_new(repo: Repository, repos: RepositoryStore, blobs: BlobStore) -> None:
    errors = []
    if repos.get_ignoring_case(repo.name) is not None:
        errors.append(("PARAMETER name", DUPLICATE_NAME))
    raise_if(errors + _semantic_errors(repo, repos, blobs))


def check_update(repo: Repository, repos: RepositoryStore, blobs: BlobStore) -> None:
    raise_if(_semantic_errors(repo, repos, blobs))


def raise_if(errors: list[tuple[str, str]]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _semantic_errors(
    repo: Repository, repos: RepositoryStore, blobs: BlobStore
) -> list[tuple[str, str]]:
    errors = []
    blob_store = repo.section("storage").get("blobStoreName")
    if blob_store != blobs.name:
        errors.append(("PARAMETER blobStoreName", f"Blob store '{blob_store}' does not exist"))
    if repo.type == HOSTED and repo.write_policy not in WRITE_POLICIES:
        errors.append(
            ("PARAMETER writePolicy", "must be one of allow, allow_once, deny (in any case)")
        )
    if repo.type == PROXY:
        url = urlsplit(repo.remote_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            errors.append(("PARAMETER remoteUrl", "must be a valid http or https URL"))
    if repo.type == GROUP:
        errors.extend(_member_errors(repo, repos))
    return errors


def _member_errors(group: Repository, repos: RepositoryStore) -> list[tuple[str, str]]:
    errors = []
    for name in group.members:
        member = repos.get(name)
        if name == group.name:
            errors.append(("PARAMETER memberNames", "A group cannot contain itself"))
        elif member is None:
            errors.append(("PARAMETER memberNames", f"Repository '{name}' does not exist"))
        elif member.format != group.format:
            errors.append(
                ("PARAMETER memberNames", f"Repository '{name}' is not of format {group.format}")
            )
    return errors


def repository_url(repo: Repository, base_url: str) -> str:
    return f"{base_url}/repository/{repo.name}"


def api_view(repo: Repository, base_url: str, routing_rule: str | None = None) -> dict[str, Any]:
    """GET /v1/repositories/pypi/<type>/<name>, shaped by the 3.97 response models; a proxy
    names its routing rule (resolved from the stored id) in `routingRuleName`."""
    view: dict[str, Any] = {
        "name": repo.name,
        "format": repo.format,
        "type": repo.type,
        "url": repository_url(repo, base_url),
        "online": repo.online,
    }
    storage = repo.section("storage")
    plain_storage = {
        "blobStoreName": storage.get("blobStoreName"),
        "strictContentTypeValidation": storage.get("strictContentTypeValidation"),
    }
    if repo.type == HOSTED:
        view.update(
            storage={**plain_storage, "writePolicy": storage.get("writePolicy")},
            cleanup=_cleanup(repo),
            component={
                "proprietaryComponents": bool(
                    repo.section("component").get("proprietaryComponents", False)
                )
            },
        )
        return dump(PypiHostedApiRepository.model_validate(view), frozenset({"cleanup"}))
    if repo.type == PROXY:
        view.update(
            storage=plain_storage,
            cleanup=_cleanup(repo),
            proxy=_proxy(repo),
            negativeCache=repo.section("negativeCache"),
            httpClient=_http_client(repo),
            routingRuleName=routing_rule,
            replication=None,
            pypi={"removeQuarantinedVersions": False, "suffix": repo.section("pypi").get("suffix")},
        )
        return dump(
            PyPiProxyApiRepository.model_validate(view),
            frozenset(
                {
                    "cleanup",
                    "routingRuleName",
                    "replication",
                    "authentication",
                    "connection",
                    "suffix",
                }
            ),
        )
    view.update(
        storage=plain_storage, group={"memberNames": repo.members or ["-"], "writableMember": None}
    )
    group = dump(SimpleApiGroupDeployRepository.model_validate(view), frozenset({"writableMember"}))
    # Deleting a member can leave a group empty; the model insists on one member, Nexus does not.
    group["group"]["memberNames"] = repo.members
    return group


def _cleanup(repo: Repository) -> dict[str, Any] | None:
    if "cleanup" not in repo.config:
        return None
    return {"policyNames": list(repo.section("cleanup").get("policyNames") or [])}


def _proxy(repo: Repository) -> dict[str, Any]:
    proxy = repo.section("proxy")
    return {
        "remoteUrl": proxy.get("remoteUrl"),
        "contentMaxAge": proxy.get("contentMaxAge"),
        "metadataMaxAge": proxy.get("metadataMaxAge"),
        "preserveEncodedCharacters": bool(proxy.get("preserveEncodedCharacters", False)),
    }


def _http_client(repo: Repository) -> dict[str, Any]:
    """Nexus never returns the remote password."""
    client = repo.section("httpClient")
    auth = client.get("authentication")
    connection = client.get("connection")
    if isinstance(connection, dict):
        connection = {
            "enableCircularRedirects": False,
            "enableCookies": False,
            "useTrustStore": False,
            **connection,
        }
    return {
        "blocked": bool(client.get("blocked", False)),
        "autoBlock": bool(client.get("autoBlock", False)),
        "connection": connection,
        "authentication": (
            {k: v for k, v in auth.items() if k != "password"} if isinstance(auth, dict) else None
        ),
    }


def repository_xo(repo: Repository, base_url: str, size: int) -> dict[str, Any]:
    attributes = {"proxy": {"remoteUrl": repo.remote_url}} if repo.type == PROXY else {}
    model = RepositoryXO.model_validate(
        {
            "name": repo.name,
            "format": repo.format,
            "type": repo.type,
            "url": repository_url(repo, base_url),
            "attributes": attributes,
            "online": repo.online,
            "size": size,
        }
    )
    return dump(model)
