"""/v1/security: anonymous access, realms, users and roles (admin, deployers, anonymous)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from .errors import JsonMessageError, NexusError, ValidationFailed
from .models import (
    AnonymousAccessSettingsXO,
    ApiCreateUser,
    ApiUser,
    ApiUserSource,
    RealmApiXO,
    RoleXORequest,
    RoleXOResponse,
)
from .rest_support import Call, dump, json_response, no_content, parse_model, rest
from .security import (
    AVAILABLE_REALMS,
    DEFAULT_SOURCE,
    USER_SOURCES,
    Role,
    User,
    hash_password,
)

LOG_SOURCE = "org.sonatype.nexus.security"


# -- anonymous and realms --------------------------------------------------------------------


def get_anonymous(call: Call) -> Response:
    call.subject.demand_admin()
    settings = AnonymousAccessSettingsXO.model_validate(call.services.security.anonymous())
    return json_response(dump(settings))


def put_anonymous(call: Call) -> Response:
    call.subject.demand_admin()
    settings = parse_model(AnonymousAccessSettingsXO, call.json())
    value = dump(settings)
    value.setdefault("enabled", False)
    call.services.security.save_setting("anonymous", value)
    call.services.app_log.info(
        LOG_SOURCE, f"Anonymous access enabled: {value['enabled']}", call.subject.user_id
    )
    return json_response(value)


def available_realms(call: Call) -> Response:
    call.subject.demand_admin()
    return json_response(
        [dump(RealmApiXO(id=key, name=name)) for key, name in AVAILABLE_REALMS.items()]
    )


def active_realms(call: Call) -> Response:
    call.subject.demand_admin()
    return json_response(call.services.security.active_realms())


def put_active_realms(call: Call) -> Response:
    call.subject.demand_admin()
    realms = call.json()
    if not isinstance(realms, list) or not all(isinstance(realm, str) for realm in realms):
        raise ValidationFailed([("*", "A JSON array of realm ids is required")])
    unknown = [realm for realm in realms if realm not in AVAILABLE_REALMS]
    if unknown:
        raise ValidationFailed([("*", f"Unknown realm: {realm}") for realm in unknown])
    call.services.security.save_setting("realms", realms)
    return no_content()


# -- users -------------------------------------------------------------------------------------


def _user_json(user: User) -> dict[str, Any]:
    return dump(
        ApiUser(
            userId=user.user_id,
            firstName=user.first_name,
            lastName=user.last_name,
            emailAddress=user.email,
            source=DEFAULT_SOURCE,
            status=user.status,
            readOnly=False,
            roles=user.roles,
            externalRoles=[],
        )
    )


def _known_user(call: Call) -> User:
    user = call.services.security.user(call.param("user_id"))
    if user is None:
        raise NexusError(404, f"User '{call.param('user_id')}' not found.")
    return user


def _check_roles(call: Call, roles: list[str]) -> None:
    missing = [role for role in roles if call.services.security.role(role) is None]
    if missing:
        raise ValidationFailed([("*", f"Role '{role}' does not exist.") for role in missing])


def list_users(call: Call) -> Response:
    call.subject.demand_admin()
    wanted = (call.query("userId") or "").lower()
    users = [u for u in call.services.security.users() if u.user_id.lower().startswith(wanted)]
    return json_response([_user_json(user) for user in users])


def create_user(call: Call) -> Response:
    call.subject.demand_admin()
    request = parse_model(ApiCreateUser, call.json())
    if call.services.security.user(request.user_id) is not None:
        raise ValidationFailed([("*", f"User '{request.user_id}' already exists.")])
    roles = list(request.roles or [])
    _check_roles(call, roles)
    user = User(
        request.user_id,
        request.first_name,
        request.last_name,
        request.email_address,
        request.status,
        hash_password(request.password),
        roles,
    )
    call.services.security.save_user(user)
    call.services.app_log.info(LOG_SOURCE, f"Created user: {user.user_id}", call.subject.user_id)
    return json_response(_user_json(user))


def update_user(call: Call) -> Response:
    call.subject.demand_admin()
    existing = _known_user(call)
    request = parse_model(ApiUser, call.json())
    if request.user_id != existing.user_id:
        raise ValidationFailed([("*", "The path's userId does not match the body")])
    roles = list(request.roles or [])
    _check_roles(call, roles)
    call.services.security.save_user(
        replace(
            existing,
            first_name=request.first_name or "",
            last_name=request.last_name or "",
            email=request.email_address or "",
            status=request.status,
            roles=roles,
        )
    )
    return no_content()


def delete_user(call: Call) -> Response:
    call.subject.demand_admin()
    user = _known_user(call)
    if user.user_id == call.services.security.anonymous().get("userId"):
        raise NexusError(400, "The anonymous user cannot be deleted while it is configured")
    call.services.security.delete_user(user.user_id)
    call.services.app_log.info(LOG_SOURCE, f"Deleted user: {user.user_id}", call.subject.user_id)
    return no_content()


def change_password(call: Call) -> Response:
    call.subject.demand(call.subject.authenticated)
    user = _known_user(call)
    call.subject.demand(call.subject.permits("nx-all") or call.subject.user_id == user.user_id)
    password = call.body.decode("utf-8")
    if not password:
        raise ValidationFailed([("*", "Password must not be empty")])
    status = "active" if user.status == "changepassword" else user.status
    call.services.security.save_user(
        replace(user, password_hash=hash_password(password), status=status)
    )
    if user.user_id == "admin":
        # Nexus removes the generated password file once the admin password is changed.
        call.services.settings.admin_password_path.unlink(missing_ok=True)
    call.services.app_log.info(
        LOG_SOURCE, f"Changed password of user: {user.user_id}", call.subject.user_id
    )
    return no_content()


# -- roles -------------------------------------------------------------------------------------
# Roles carry a user source: "default" (local roles) or "LDAP" (external role mappings, whose id
# is the LDAP group's name). The 3.97 API takes `?source=` on every roles endpoint; without it
# GET lists every source and the others mean "default".


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


def _known_role(call: Call) -> Role:
    source = _source(call)
    role = call.services.security.role(call.param("role_id"))
    if role is None or role.source != source:
        raise NexusError(404, f"Role '{call.param('role_id')}' not found.")
    return role


def _role_from(call: Call, source: str) -> Role:
    request = parse_model(RoleXORequest, call.json())
    contained = list(request.roles or [])
    _check_roles(call, contained)
    return Role(
        request.id,
        request.name,
        request.description or "",
        list(request.privileges or []),
        contained,
        source=source,
    )


def list_roles(call: Call) -> Response:
    call.subject.demand_admin()
    source = _source(call, default=None)
    return json_response(
        [
            _role_json(role)
            for role in call.services.security.roles()
            if source is None or role.source == source
        ]
    )


def get_role(call: Call) -> Response:
    call.subject.demand_admin()
    return json_response(_role_json(_known_role(call)))


def create_role(call: Call) -> Response:
    call.subject.demand_admin()
    source = _source(call)
    assert source is not None
    role = _role_from(call, source)
    if call.services.security.role(role.id) is not None:
        raise ValidationFailed([("*", f"Role '{role.id}' already exists.")])
    call.services.security.save_role(role)
    call.services.app_log.info(
        LOG_SOURCE, f"Created role: {role.id} (source {role.source})", call.subject.user_id
    )
    return json_response(_role_json(role))


def update_role(call: Call) -> Response:
    call.subject.demand_admin()
    existing = _known_role(call)
    role = _role_from(call, existing.source)
    if existing.read_only:
        raise NexusError(400, f"Role '{existing.id}' is read only and cannot be updated.")
    if role.id != existing.id:
        raise ValidationFailed([("*", "The path's roleId does not match the body")])
    call.services.security.save_role(role)
    return no_content()


def delete_role(call: Call) -> Response:
    call.subject.demand_admin()
    role = _known_role(call)
    if role.read_only:
        raise NexusError(400, f"Role '{role.id}' is read only and cannot be deleted.")
    call.services.security.delete_role(role.id)
    return no_content()


def user_sources(call: Call) -> Response:
    call.subject.demand_admin()
    return json_response(
        [dump(ApiUserSource(id=key, name=name)) for key, name in USER_SOURCES.items()]
    )


USERS = "/v1/security/users"
ROLES = "/v1/security/roles"

routes = [
    Route("/v1/security/anonymous", rest(get_anonymous), methods=["GET"]),
    Route("/v1/security/anonymous", rest(put_anonymous), methods=["PUT"]),
    Route("/v1/security/realms/available", rest(available_realms), methods=["GET"]),
    Route("/v1/security/realms/active", rest(active_realms), methods=["GET"]),
    Route("/v1/security/realms/active", rest(put_active_realms), methods=["PUT"]),
    Route(USERS, rest(list_users), methods=["GET"]),
    Route(USERS, rest(create_user), methods=["POST"]),
    Route(USERS + "/{user_id:str}", rest(update_user), methods=["PUT"]),
    Route(USERS + "/{user_id:str}", rest(delete_user), methods=["DELETE"]),
    Route(USERS + "/{user_id:str}/change-password", rest(change_password), methods=["PUT"]),
    Route("/v1/security/user-sources", rest(user_sources), methods=["GET"]),
    Route(ROLES, rest(list_roles), methods=["GET"]),
    Route(ROLES, rest(create_role), methods=["POST"]),
    Route(ROLES + "/{role_id:str}", rest(get_role), methods=["GET"]),
    Route(ROLES + "/{role_id:str}", rest(update_role), methods=["PUT"]),
    Route(ROLES + "/{role_id:str}", rest(delete_role), methods=["DELETE"]),
]
