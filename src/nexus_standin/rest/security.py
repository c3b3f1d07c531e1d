"""/v1/security: anonymous access, realms, users and user sources (roles: roles.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ..errors import NexusError, ValidationFailed
from ..ldap_realm import DirectoryUser
from ..models import (
    AnonymousAccessSettingsXO,
    ApiCreateUser,
    ApiUser,
    ApiUserSource,
    RealmApiXO,
)
from ..store.security import (
    AVAILABLE_REALMS,
    DEFAULT_SOURCE,
    LDAP_SOURCE,
    USER_SOURCES,
    User,
    hash_password,
)
from .support import Call, dump, json_response, no_content, parse_model, rest

LOG_SOURCE = "org.sonatype.nexus.security"


# -- anonymous and realms --------------------------------------------------------------------


def get_anonymous(call: Call) -> Response:
    # No @RequiresAuthentication here (3.77 AnonymousAccessApiResource.read).
    call.subject.demand(call.subject.permits("nexus:settings:read"))
    settings = AnonymousAccessSettingsXO.model_validate(call.runtime.security.anonymous())
    return json_response(dump(settings))


def put_anonymous(call: Call) -> Response:
    call.subject.require("nexus:settings:update")
    settings = parse_model(AnonymousAccessSettingsXO, call.json())
    value = dump(settings)
    value.setdefault("enabled", False)
    call.runtime.security.save_setting("anonymous", value)
    call.runtime.app_log.info(
        LOG_SOURCE, f"Anonymous access enabled: {value['enabled']}", call.subject.user_id
    )
    return json_response(value)


def available_realms(call: Call) -> Response:
    call.subject.require("nexus:settings:read")
    return json_response(
        [dump(RealmApiXO(id=key, name=name)) for key, name in AVAILABLE_REALMS.items()]
    )


def active_realms(call: Call) -> Response:
    call.subject.require("nexus:settings:read")
    return json_response(call.runtime.security.active_realms())


def put_active_realms(call: Call) -> Response:
    call.subject.require("nexus:settings:update")
    realms = call.json()
    if not isinstance(realms, list) or not all(isinstance(realm, str) for realm in realms):
        raise ValidationFailed([("*", "A JSON array of realm ids is required")])
    unknown = [realm for realm in realms if realm not in AVAILABLE_REALMS]
    if unknown:
        raise ValidationFailed([("*", f"Unknown realm: {realm}") for realm in unknown])
    call.runtime.security.save_setting("realms", realms)
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
    user = call.runtime.security.user(call.param("user_id"))
    if user is None:
        raise NexusError(404, f"User '{call.param('user_id')}' not found.")
    return user


def _check_roles(call: Call, roles: list[str]) -> None:
    missing = [role for role in roles if call.runtime.security.role(role) is None]
    if missing:
        raise ValidationFailed([("*", f"Role '{role}' does not exist.") for role in missing])


def _directory_user_json(user: DirectoryUser) -> dict[str, Any]:
    """An LDAP user as 3.77 `UserApiResource.fromUser` shows it: read-only, its groups as
    external roles (source LDAP), no local role mappings (the stand-in keeps none for LDAP
    users); the real name split into first and last name as `User.setName` does."""
    first, _, last = user.real_name.strip().partition(" ")
    return dump(
        ApiUser(
            userId=user.username,
            firstName=first or None,
            lastName=last or None,
            emailAddress=user.email or None,
            source=LDAP_SOURCE,
            status="active",
            readOnly=True,
            roles=[],
            externalRoles=list(user.groups),
        )
    )


def list_users(call: Call) -> Response:
    """Local users, the LDAP directories' users, or both (no `source`); a starts-with search
    on `userId` (3.77 `UserApiResource.getUsers`, NP2 `LdapUserManager.searchUsers`; at most
    100 from a remote source); an unknown source finds nobody."""
    call.subject.require("nexus:users:read")
    wanted = call.query("userId") or ""
    source = call.query("source") or None
    found: list[dict[str, Any]] = []
    if source in (None, DEFAULT_SOURCE):
        local = call.runtime.security.users()
        found += [_user_json(u) for u in local if u.user_id.lower().startswith(wanted.lower())]
    if source in (None, LDAP_SOURCE):
        found += [_directory_user_json(u) for u in call.runtime.ldap_realm.users(wanted)]
    return json_response(found)


def create_user(call: Call) -> Response:
    call.subject.require("nexus:users:create")
    request = parse_model(ApiCreateUser, call.json())
    if call.runtime.security.user(request.user_id) is not None:
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
    call.runtime.security.save_user(user)
    call.runtime.app_log.info(LOG_SOURCE, f"Created user: {user.user_id}", call.subject.user_id)
    return json_response(_user_json(user))


def update_user(call: Call) -> Response:
    call.subject.require("nexus:users:update")
    existing = _known_user(call)
    request = parse_model(ApiUser, call.json())
    if request.user_id != existing.user_id:
        raise ValidationFailed([("*", "The path's userId does not match the body")])
    roles = list(request.roles or [])
    _check_roles(call, roles)
    call.runtime.security.save_user(
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
    call.subject.require("nexus:users:delete")
    user = _known_user(call)
    if user.user_id == call.runtime.security.anonymous().get("userId"):
        raise NexusError(400, "The anonymous user cannot be deleted while it is configured")
    call.runtime.security.delete_user(user.user_id)
    call.runtime.app_log.info(LOG_SOURCE, f"Deleted user: {user.user_id}", call.subject.user_id)
    return no_content()


def change_password(call: Call) -> Response:
    call.subject.require("nexus:*")  # 3.77 UserApiResource.changePassword, even for oneself
    user = _known_user(call)
    password = call.body.decode("utf-8")
    if not password:
        raise ValidationFailed([("*", "Password must not be empty")])
    status = "active" if user.status == "changepassword" else user.status
    call.runtime.security.save_user(
        replace(user, password_hash=hash_password(password), status=status)
    )
    if user.user_id == "admin":
        # Nexus removes the generated password file once the admin password is changed.
        call.runtime.config.admin_password_path.unlink(missing_ok=True)
    call.runtime.app_log.info(
        LOG_SOURCE, f"Changed password of user: {user.user_id}", call.subject.user_id
    )
    return no_content()


def user_sources(call: Call) -> Response:
    call.subject.require("nexus:users:read")
    return json_response(
        [dump(ApiUserSource(id=key, name=name)) for key, name in USER_SOURCES.items()]
    )


USERS = "/v1/security/users"

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
]
