"""The expected LDAP configuration as Nexus's REST API spells it, and how Nexus differs from it.

Shared by LDAP-1 (which reports the drift) and `migrate provision` (which removes it). The
server body is the 3.97 `CreateLdapServerXo`; a mapped group is a local role (source
`default`) whose id is the group's name; `LdapRealm` must be among the active realms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nexus_cutover.config import LdapExpectation, LdapGroupRole

LDAP_REALM = "LdapRealm"
LOCAL_REALM = "NexusAuthenticatingRealm"
# Connection tuning written on create and left alone afterwards (Nexus's own defaults).
TUNING = {
    "connectionTimeoutSeconds": 30,
    "connectionRetryDelaySeconds": 300,
    "maxIncidentsCount": 3,
}


def compared_fields(expected: LdapExpectation) -> dict[str, Any]:
    """The fields that must match: connection, base DNs, user and group settings."""
    fields: dict[str, Any] = {
        "protocol": expected.protocol.upper(),
        "host": expected.host,
        "port": expected.port,
        "searchBase": expected.search_base,
        "authScheme": expected.auth_scheme,
        "authUsername": expected.bind_dn if expected.auth_scheme != "NONE" else None,
        "userBaseDn": expected.user_base_dn,
        "userSubtree": expected.user_subtree,
        "userObjectClass": expected.user_object_class,
        "userIdAttribute": expected.user_id_attribute,
        "userRealNameAttribute": expected.user_real_name_attribute,
        "userEmailAddressAttribute": expected.user_email_attribute,
        "userLdapFilter": expected.user_filter,
        "ldapGroupsAsRoles": True,
        "groupType": expected.group_type.upper(),
    }
    if expected.group_type == "static":
        fields.update(
            groupBaseDn=expected.group_base_dn,
            groupSubtree=expected.group_subtree,
            groupObjectClass=expected.group_object_class,
            groupIdAttribute=expected.group_id_attribute,
            groupMemberAttribute=expected.group_member_attribute,
            groupMemberFormat=expected.group_member_format,
        )
    else:
        fields["userMemberOfAttribute"] = expected.user_member_of_attribute
    return fields


def server_body(
    expected: LdapExpectation, bind_password: str | None, existing: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The full create/update body: the compared fields over what Nexus has (or defaults)."""
    base = {key: value for key, value in (existing or TUNING).items() if key not in ("order",)}
    body = {**base, "name": expected.name, **compared_fields(expected)}
    if bind_password is not None and expected.auth_scheme != "NONE":
        body["authPassword"] = bind_password
    return body


def _same(actual: object, wanted: object) -> bool:
    if isinstance(wanted, str) or wanted is None:
        return str(actual or "").strip().lower() == str(wanted or "").strip().lower()
    return actual == wanted


def server_drift(expected: LdapExpectation, actual: Mapping[str, Any]) -> list[str]:
    """`field: actual -> expected` for every compared field that differs (DNs ignore case)."""
    return [
        f"{key}: {actual.get(key)!r} -> {wanted!r}"
        for key, wanted in compared_fields(expected).items()
        if not _same(actual.get(key), wanted)
    ]


def role_body(group: str, mapping: LdapGroupRole) -> dict[str, Any]:
    """The local role that maps `group` (RoleXORequest)."""
    return {
        "id": group,
        "name": group,
        "description": mapping.description or f"LDAP group {group}",
        "privileges": sorted(mapping.privileges),
        "roles": sorted(mapping.roles),
    }


def role_drift(mapping: LdapGroupRole, actual: Mapping[str, Any]) -> list[str]:
    """Privileges and contained roles the mapped role lacks or has beyond the expected ones."""
    drift = []
    for key, wanted in (("privileges", mapping.privileges), ("roles", mapping.roles)):
        have = sorted(actual.get(key) or [])
        if have != sorted(wanted):
            drift.append(f"{key}: {have} -> {sorted(wanted)}")
    return drift


def realms_with_ldap(active: Sequence[str]) -> list[str]:
    """The active realms with LdapRealm added right after the local realm (or last)."""
    if LDAP_REALM in active:
        return list(active)
    realms = list(active)
    place = realms.index(LOCAL_REALM) + 1 if LOCAL_REALM in realms else len(realms)
    return [*realms[:place], LDAP_REALM, *realms[place:]]
