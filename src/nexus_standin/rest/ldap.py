"""/v1/security/ldap: LDAP server configurations, their order, and "verify connection".

Bodies go through the 3.97 models (`CreateLdapServerXo`, `UpdateLdapServerXo`,
`ReadLdapServerXo`, `LdapVerifyLoginXo`, `LdapTestUserMappingXo`). The bind password is kept
but never returned or logged. The verify endpoints ask the directory with the configuration
in the request (the stored password when `existingServerName` names a server and the request
carries none), through the same code as the LDAP realm (ldap_realm.py). Their failure answers
are not documented (the 3.97 description lists only 200): here 400 with a JSON string,
"Failed to connect to LDAP Server. ..." when the server cannot be reached or bound (the text
Nexus logs, see ldap_verify.py) and a message of ours for a refused login (UNCONFIRMED).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response
from starlette.routing import Route

from ..errors import JsonMessageError, NexusError, ValidationFailed
from ..ldap_realm import USER_MAPPING_LIMIT, Directory, DirectoryError
from ..models import (
    CreateLdapServerXo,
    LdapTestUserMappingXo,
    LdapVerifyLoginXo,
    ReadLdapServerXo,
    UpdateLdapServerXo,
)
from ..store.ldap import LdapServer
from .ldap_verify import VerifyFailure, connect_message, verify
from .support import Call, dump, json_response, no_content, parse_model, rest

LOG_SOURCE = "org.sonatype.nexus.ldap.internal.LdapConfigurationManager"
ENUM_FIELDS = ("protocol", "authScheme", "groupType")
SASL_SCHEMES = ("CRAM_MD5", "DIGEST_MD5")
STATIC_GROUP_FIELDS = (
    "groupObjectClass",
    "groupIdAttribute",
    "groupMemberAttribute",
    "groupMemberFormat",
)


# -- request handling --------------------------------------------------------------------------


def _request(
    call: Call,
    model: type[BaseModel],
    *,
    fallback_password: str | None = None,
    data: Any = None,
) -> dict[str, Any]:
    """The body validated by its model and Nexus's conditional rules, as camelCase JSON."""
    data = call.json() if data is None else data
    if isinstance(data, dict):
        data = {
            key: value.upper() if key in ENUM_FIELDS and isinstance(value, str) else value
            for key, value in data.items()
        }
        if not data.get("authPassword") and fallback_password is not None:
            data["authPassword"] = fallback_password
    config = dump(parse_model(model, data))
    violations = _rule_violations(config)
    if violations:
        raise ValidationFailed(violations)
    return config


def _rule_violations(config: dict[str, Any]) -> list[tuple[str, str]]:
    """The "Required if ..." rules of the 3.97 model descriptions."""
    required: list[str] = []
    scheme = config["authScheme"]
    if scheme != "NONE":
        required += ["authUsername", "authPassword"]
    if scheme in SASL_SCHEMES:
        required.append("authRealm")
    if config.get("ldapGroupsAsRoles"):
        required.append("groupType")
        if config.get("groupType") == "STATIC":
            required += list(STATIC_GROUP_FIELDS)
        elif config.get("groupType") == "DYNAMIC":
            required.append("userMemberOfAttribute")
    violations = [
        (f"PARAMETER {field}", "may not be empty")
        for field in required
        if not str(config.get(field) or "").strip()
    ]
    port = int(config["port"])
    if not 1 <= port <= 65535:
        violations.append(("PARAMETER port", "must be between 1 and 65535"))
    return violations


def _known(call: Call) -> LdapServer:
    server = call.runtime.ldap.get(call.param("name"))
    if server is None:
        raise NexusError(404, f"LDAP server '{call.param('name')}' not found")
    return server


def _check_unique_name(call: Call, name: str, existing: LdapServer | None = None) -> None:
    other = call.runtime.ldap.get_ignoring_case(name)
    if other is not None and (existing is None or other.id != existing.id):
        raise ValidationFailed([("PARAMETER name", f"LDAP server name '{name}' is already used")])


def read_view(server: LdapServer) -> dict[str, Any]:
    """ReadLdapServerXo: no authPassword; groupType only when LDAP groups are mapped as roles."""
    config = {key: value for key, value in server.config.items() if key != "authPassword"}
    if not config.get("ldapGroupsAsRoles"):
        config.pop("groupType", None)
    return dump(ReadLdapServerXo.model_validate({**config, "id": server.id, "order": server.order}))


# -- endpoints ---------------------------------------------------------------------------------


def list_servers(call: Call) -> Response:
    call.subject.require("nexus:ldap:read")
    return json_response([read_view(server) for server in call.runtime.ldap.all()])


def get_server(call: Call) -> Response:
    call.subject.require("nexus:ldap:read")
    return json_response(read_view(_known(call)))


def create_server(call: Call) -> Response:
    call.subject.require("nexus:ldap:create")
    config = _request(call, CreateLdapServerXo)
    _check_unique_name(call, str(config["name"]))
    call.runtime.ldap.create(config)
    call.runtime.app_log.info(
        LOG_SOURCE, f"Created LDAP server: {config['name']}", call.subject.user_id
    )
    return Response(status_code=201)


def update_server(call: Call) -> Response:
    call.subject.require("nexus:ldap:update")
    existing = _known(call)
    config = _request(call, UpdateLdapServerXo)
    given_id = config.pop("id", None)
    if given_id and given_id != existing.id:
        raise ValidationFailed(
            [
                (
                    "PARAMETER id",
                    f"LDAP server id '{given_id}' does not match the server '{existing.name}'",
                )
            ]
        )
    _check_unique_name(call, str(config["name"]), existing)
    call.runtime.ldap.update(existing, config)
    call.runtime.app_log.info(
        LOG_SOURCE, f"Updated LDAP server: {existing.name}", call.subject.user_id
    )
    return no_content()


def delete_server(call: Call) -> Response:
    call.subject.require("nexus:ldap:delete")
    server = _known(call)
    call.runtime.ldap.delete(server.name)
    call.runtime.app_log.info(
        LOG_SOURCE, f"Deleted LDAP server: {server.name}", call.subject.user_id
    )
    return no_content()


def change_order(call: Call) -> Response:
    call.subject.require("nexus:ldap:update")
    names = call.json()
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ValidationFailed([("*", "A JSON array of LDAP server names is required")])
    known = {server.name for server in call.runtime.ldap.all()}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValidationFailed([("*", f"LDAP server '{name}' not found") for name in unknown])
    call.runtime.ldap.reorder(list(dict.fromkeys(names)))
    return no_content()


def _verified_config(call: Call, data: Any = None) -> dict[str, Any]:
    """The server configuration of a verify request; a stored server's password fills in."""
    call.subject.require("nexus:ldap:update")
    existing_name = call.query("existingServerName")
    existing = call.runtime.ldap.get(existing_name) if existing_name else None
    if existing_name and existing is None:
        raise NexusError(404, f"LDAP server '{existing_name}' not found")
    return _request(
        call,
        CreateLdapServerXo,
        fallback_password=existing.password if existing else None,
        data=data,
    )


def _unreachable(call: Call, config: dict[str, Any], stage: str, cause: str) -> JsonMessageError:
    call.runtime.app_log.warning(
        LOG_SOURCE,
        f"Verify connection to LDAP server {config['host']}:{config['port']}"
        f" failed at {stage}: {cause}",
        call.subject.user_id,
    )
    return JsonMessageError(400, connect_message(str(config["host"]), int(config["port"])))


def verify_connection(call: Call) -> Response:
    """200 when the server answers; 400 with Nexus's "Failed to connect ..." text otherwise."""
    config = _verified_config(call)
    try:
        stage = verify(config)
    except VerifyFailure as failure:
        raise _unreachable(call, config, failure.stage, failure.cause) from None
    call.runtime.app_log.info(
        LOG_SOURCE,
        f"Verified connection to LDAP server {config['host']}:{config['port']} ({stage})",
        call.subject.user_id,
    )
    return Response(status_code=200)


def verify_user_mapping(call: Call) -> Response:
    """The users the configuration finds (at most 20) with their groups."""
    config = _verified_config(call)
    try:
        users = Directory(config).users(limit=USER_MAPPING_LIMIT)
    except DirectoryError as error:
        raise _unreachable(call, config, error.stage, error.cause) from None
    return json_response(
        [
            dump(
                LdapTestUserMappingXo(
                    username=user.username,
                    realName=user.real_name,
                    email=user.email,
                    membership=list(user.groups),
                )
            )
            for user in users
        ]
    )


def _decoded(value: str, field: str) -> str:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValidationFailed([(f"PARAMETER {field}", "must be Base64-encoded")]) from None


def verify_login(call: Call) -> Response:
    """200 when the user is found and the password binds; 400 otherwise."""
    body = call.json()
    request = parse_model(LdapVerifyLoginXo, body)
    server = body.get("ldapServer") if isinstance(body, dict) else None
    config = _verified_config(call, server)
    username = _decoded(request.base64_username, "base64Username")
    password = _decoded(request.base64_password, "base64Password")
    try:
        user = Directory(config).authenticate(username, password)
    except DirectoryError as error:
        raise _unreachable(call, config, error.stage, error.cause) from None
    if user is None:
        raise JsonMessageError(
            400,
            f"Login of user '{username}' failed: the user was not found or the password is wrong",
        )
    return Response(status_code=200)


def clear_cache(call: Call) -> Response:
    call.subject.require("nexus:ldap:delete")
    return Response(status_code=200)


LDAP = "/v1/security/ldap"

routes = [
    Route(LDAP, rest(list_servers), methods=["GET"]),
    Route(LDAP, rest(create_server), methods=["POST"]),
    Route(LDAP + "/change-order", rest(change_order), methods=["POST"]),
    Route(LDAP + "/verify-connection", rest(verify_connection), methods=["POST"]),
    Route(LDAP + "/verify-user-mapping", rest(verify_user_mapping), methods=["POST"]),
    Route(LDAP + "/verify-login", rest(verify_login), methods=["POST"]),
    Route(LDAP + "/cache", rest(clear_cache), methods=["DELETE"]),
    Route(LDAP + "/{name:str}", rest(get_server), methods=["GET"]),
    Route(LDAP + "/{name:str}", rest(update_server), methods=["PUT"]),
    Route(LDAP + "/{name:str}", rest(delete_server), methods=["DELETE"]),
]
