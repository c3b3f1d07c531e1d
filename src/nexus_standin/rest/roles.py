"""/v1/security/roles, as 3.77 `RoleApiResource` answers.

Every role made through the API lands in the default (local) authorization manager, whatever
`?source=` says: its `source` reads `default` (`RoleApiResource.create` -> `fromXO` with
DEFAULT_SOURCE; `AuthorizationManagerImpl.convert`). An LDAP "external role mapping" is such a
local role whose id is the directory group's name. `GET` without `source` merges every
authorization manager (`SecuritySystem.listRoles()`), so the LDAP directory's groups are listed
too, with source `LDAP`, mapped or not; `?source=LDAP` lists only those. They are asked of the
configured directories (ldap_realm.py, NP2 `LdapAuthorizationManager.listRoles`: id = name =
the group, and a directory that cannot be asked lists none). PUT and DELETE always act on the
default manager.
Error bodies are JSON strings, as the resource's WebApplicationMessageExceptions.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ..errors import JsonMessageError
from ..models import RoleXORequest, RoleXOResponse
from ..store.security import DEFAULT_SOURCE, LDAP_SOURCE, USER_SOURCES, Role
from .support import Call, dump, json_response, no_content, parse_model, rest

LOG_SOURCE = "org.sonatype.nexus.security.role.rest.RoleApiResource"


def _role_json(role: Role) -> dict[str, Any]:
    return dump(
        RoleXOResponse(
            id=role.id,
            source=role.source,
            name=role.name,
            description=role.description,
            readOnly=role.read_only,
            privileges=role.privileges,
            roles=role.roles,
        )
    )


def _source(call: Call, default: str | None = DEFAULT_SOURCE) -> str | None:
    """The `source` query parameter; 400 `"Source 'x' not found."` for an unknown one."""
    source = call.query("source") or default
    if source is not None and source not in USER_SOURCES:
        raise JsonMessageError(400, f"Source '{source}' not found.")
    return source


def directory_groups(call: Call) -> list[Role]:
    """The LDAP authorization manager's roles: the directories' groups (see the module doc)."""
    return [
        Role(group, group, "", [], source=LDAP_SOURCE) for group in call.runtime.ldap_realm.groups()
    ]


def _roles_of(call: Call, source: str | None) -> list[Role]:
    local = call.runtime.security.roles() if source in (None, DEFAULT_SOURCE) else []
    external = directory_groups(call) if source in (None, LDAP_SOURCE) else []
    return sorted([*local, *external], key=lambda role: role.id)


def _not_found(role_id: str) -> JsonMessageError:
    return JsonMessageError(404, f"Role '{role_id}' not found.")


def _checked(call: Call, role: Role) -> Role:
    """Contained roles and privileges must exist; a role may not contain itself."""
    security = call.runtime.security
    for contained in role.roles:
        if contained == role.id:
            raise JsonMessageError(
                400,
                f"Role '{role.id}' cannot contain itself either directly or indirectly"
                " through child roles.",
            )
        if security.role(contained) is None:
            raise JsonMessageError(
                400, f"Role '{contained}' contained in role '{role.id}' not found."
            )
    known = {p.name for p in call.runtime.privileges.all(call.runtime.repos.all())}
    for privilege in role.privileges:
        if privilege not in known:
            raise JsonMessageError(
                400, f"Privilege '{privilege}' contained in role '{role.id}' not found."
            )
    return role


def _from_request(call: Call) -> Role:
    request = parse_model(RoleXORequest, call.json())
    return Role(
        request.id,
        request.name,
        request.description or "",
        list(request.privileges or []),
        list(request.roles or []),
    )


def list_roles(call: Call) -> Response:
    call.subject.require("nexus:roles:read")
    return json_response([_role_json(role) for role in _roles_of(call, _source(call, None))])


def get_role(call: Call) -> Response:
    call.subject.require("nexus:roles:read")
    role_id = call.param("role_id")
    found = [role for role in _roles_of(call, _source(call)) if role.id == role_id]
    if not found:
        raise _not_found(role_id)
    return json_response(_role_json(found[0]))


def create_role(call: Call) -> Response:
    call.subject.require("nexus:roles:create")
    role = _from_request(call)
    if call.runtime.security.role(role.id) is not None:
        raise JsonMessageError(400, f"Role '{role.id}' already exists, use a unique roleId.")
    call.runtime.security.save_role(_checked(call, role))
    call.runtime.app_log.info(LOG_SOURCE, f"Created role: {role.id}", call.subject.user_id)
    return json_response(_role_json(role))


def update_role(call: Call) -> Response:
    call.subject.require("nexus:roles:update")
    role_id = call.param("role_id")
    role = _from_request(call)
    if role.id != role_id:
        raise JsonMessageError(
            409, f"The Role id '{role.id}' does not match the id used in the path '{role_id}'."
        )
    existing = call.runtime.security.role(role_id)
    if existing is None:
        raise _not_found(role_id)
    if existing.read_only:
        raise JsonMessageError(
            400, f"Role '{role_id}' is internal and cannot be modified or deleted."
        )
    call.runtime.security.save_role(_checked(call, role))
    return no_content()


def delete_role(call: Call) -> Response:
    call.subject.require("nexus:roles:delete")
    role_id = call.param("role_id")
    existing = call.runtime.security.role(role_id)
    if existing is None:
        raise _not_found(role_id)
    if existing.read_only:
        raise JsonMessageError(
            400, f"Role '{role_id}' is internal and cannot be modified or deleted."
        )
    call.runtime.security.delete_role(role_id)
    return no_content()


ROLES = "/v1/security/roles"

routes = [
    Route(ROLES, rest(list_roles), methods=["GET"]),
    Route(ROLES, rest(create_role), methods=["POST"]),
    Route(ROLES + "/{role_id:str}", rest(get_role), methods=["GET"]),
    Route(ROLES + "/{role_id:str}", rest(update_role), methods=["PUT"]),
    Route(ROLES + "/{role_id:str}", rest(delete_role), methods=["DELETE"]),
]
