"""/v1/security/ldap: LDAP server configurations, their order, and "verify connection".

Bodies go through the 3.97 models (`CreateLdapServerXo`, `UpdateLdapServerXo`,
`ReadLdapServerXo`). The bind password is kept but never returned or logged. No LDAP user ever
logs in here: the configuration is stored and verified, not used for authentication.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import Response
from starlette.routing import Route

from ..errors import JsonMessageError, NexusError, ValidationFailed
from ..models import CreateLdapServerXo, ReadLdapServerXo, UpdateLdapServerXo
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
    call: Call, model: type[BaseModel], *, fallback_password: str | None = None
) -> dict[str, Any]:
    """The body validated by its model and Nexus's conditional rules, as camelCase JSON."""
    data = call.json()
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


def verify_connection(call: Call) -> Response:
    """200 when the server answers; 400 with Nexus's "Failed to connect ..." text otherwise."""
    call.subject.require("nexus:ldap:update")
    existing_name = call.query("existingServerName")
    existing = call.runtime.ldap.get(existing_name) if existing_name else None
    if existing_name and existing is None:
        raise NexusError(404, f"LDAP server '{existing_name}' not found")
    config = _request(
        call, CreateLdapServerXo, fallback_password=existing.password if existing else None
    )
    try:
        stage = verify(config)
    except VerifyFailure as failure:
        call.runtime.app_log.warning(
            LOG_SOURCE,
            f"Verify connection to LDAP server {config['host']}:{config['port']}"
            f" failed at {failure.stage}: {failure.cause}",
            call.subject.user_id,
        )
        raise JsonMessageError(
            400, connect_message(str(config["host"]), int(config["port"]))
        ) from None
    call.runtime.app_log.info(
        LOG_SOURCE,
        f"Verified connection to LDAP server {config['host']}:{config['port']} ({stage})",
        call.subject.user_id,
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
    Route(LDAP + "/cache", rest(clear_cache), methods=["DELETE"]),
    Route(LDAP + "/{name:str}", rest(get_server), methods=["GET"]),
    Route(LDAP + "/{name:str}", rest(update_server), methods=["PUT"]),
    Route(LDAP + "/{name:str}", rest(delete_server), methods=["DELETE"]),
]
