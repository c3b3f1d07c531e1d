"""/v1/security/privileges: list, get, create (application, repository-view, repository-admin)
and delete, as 3.77 `PrivilegeApiResource` / `RepositoryPrivilegeApiResource` answer.

Permissions: `nexus:privileges:read|create|delete`. Bodies are the 3.97 client's
`ApiPrivilege*Request` models; actions are the `PrivilegeAction` names (READ, BROWSE, EDIT, ADD,
DELETE, ALL) and are stored as Nexus stores them: BREAD words for repository privileges, CRUD
words for application ones (ADD -> create, EDIT -> update; 3.77 `PrivilegeAction`). Error
bodies are JSON strings (`PrivilegeApiResourceSupport`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import Response
from starlette.routing import Route

from ..errors import JsonMessageError
from ..models import (
    ApiPrivilegeApplicationRequest,
    ApiPrivilegeRepositoryAdminRequest,
    ApiPrivilegeRepositoryViewRequest,
)
from ..store.privileges import ADMIN, APPLICATION, VIEW, WILDCARD, Privilege
from .support import Call, json_response, no_content, parse_model, rest

LOG_SOURCE = "org.sonatype.nexus.security.privilege.rest.PrivilegeApiResource"
BREAD_WORDS = {
    "BROWSE": "browse",
    "READ": "read",
    "EDIT": "edit",
    "ADD": "add",
    "DELETE": "delete",
    "ALL": "*",
}
CRUD_WORDS = {"ADD": "create", "EDIT": "update", "READ": "read", "DELETE": "delete", "ALL": "*"}
ACTION_NAMES = {
    "browse": "BROWSE",
    "read": "READ",
    "edit": "EDIT",
    "update": "EDIT",
    "add": "ADD",
    "create": "ADD",
    "delete": "DELETE",
    "*": "ALL",
    "run": "RUN",
    "start": "START",
    "stop": "STOP",
}


def privilege_json(privilege: Privilege) -> dict[str, Any]:
    """ApiPrivilege and its type's fields, keys in the order Nexus's XO classes declare them."""
    body: dict[str, Any] = {
        "type": privilege.type,
        "name": privilege.name,
        "description": privilege.description,
        "readOnly": privilege.read_only,
    }
    actions = [ACTION_NAMES.get(a, a.upper()) for a in privilege.actions.split(",") if a]
    if privilege.type == APPLICATION:
        body.update(domain=privilege.domain, actions=actions)
    elif privilege.type in (VIEW, ADMIN):
        body.update(format=privilege.format, repository=privilege.repository, actions=actions)
    elif privilege.type == WILDCARD:
        body.update(pattern=privilege.pattern)
    return body


def _all(call: Call) -> list[Privilege]:
    return call.runtime.privileges.all(call.runtime.repos.all())


def list_privileges(call: Call) -> Response:
    call.subject.require("nexus:privileges:read")
    return json_response([privilege_json(p) for p in _all(call)])


def get_privilege(call: Call) -> Response:
    call.subject.require("nexus:privileges:read")
    name = call.param("name")
    found = next((p for p in _all(call) if p.name == name), None)
    if found is None:
        raise JsonMessageError(404, f"Privilege '{name}' not found.")
    return json_response(privilege_json(found))


def _words(actions: list[str], words: dict[str, str]) -> str:
    """Nexus drops actions the privilege type has no word for."""
    return ",".join(words[action] for action in actions if action in words)


def _create(call: Call, privilege: Privilege) -> Response:
    if any(p.name == privilege.name for p in _all(call)):
        raise JsonMessageError(
            400, f"Privilege '{privilege.name}' already exists, use a unique name."
        )
    call.runtime.privileges.save(privilege)
    call.runtime.app_log.info(
        LOG_SOURCE, f"Created privilege: {privilege.name}", call.subject.user_id
    )
    return Response(status_code=201)


def _request(call: Call, model: type[BaseModel]) -> Any:
    call.subject.require("nexus:privileges:create")
    return parse_model(model, call.json())


def create_application(call: Call) -> Response:
    request = _request(call, ApiPrivilegeApplicationRequest)
    return _create(
        call,
        Privilege(
            request.name,
            APPLICATION,
            request.description or "",
            read_only=False,
            domain=request.domain,
            actions=_words(request.actions, CRUD_WORDS),
        ),
    )


def _repository_privilege(call: Call, kind: str, model: type[BaseModel]) -> Response:
    request = _request(call, model)
    return _create(
        call,
        Privilege(
            request.name,
            kind,
            request.description or "",
            read_only=False,
            format=request.format,
            repository=request.repository,
            actions=_words(request.actions, BREAD_WORDS),
        ),
    )


def create_repository_view(call: Call) -> Response:
    return _repository_privilege(call, VIEW, ApiPrivilegeRepositoryViewRequest)


def create_repository_admin(call: Call) -> Response:
    return _repository_privilege(call, ADMIN, ApiPrivilegeRepositoryAdminRequest)


def delete_privilege(call: Call) -> Response:
    call.subject.require("nexus:privileges:delete")
    name = call.param("name")
    found = next((p for p in _all(call) if p.name == name), None)
    if found is None:
        raise JsonMessageError(404, f"Privilege '{name}' not found.")
    if found.read_only:
        raise JsonMessageError(
            400, f"Privilege '{name}' is internal and cannot be modified or deleted."
        )
    call.runtime.privileges.delete(name)
    return no_content()


PRIVILEGES = "/v1/security/privileges"

routes = [
    Route(PRIVILEGES, rest(list_privileges), methods=["GET"]),
    Route(PRIVILEGES + "/application", rest(create_application), methods=["POST"]),
    Route(PRIVILEGES + "/repository-view", rest(create_repository_view), methods=["POST"]),
    Route(PRIVILEGES + "/repository-admin", rest(create_repository_admin), methods=["POST"]),
    Route(PRIVILEGES + "/{name:str}", rest(get_privilege), methods=["GET"]),
    Route(PRIVILEGES + "/{name:str}", rest(delete_privilege), methods=["DELETE"]),
]
