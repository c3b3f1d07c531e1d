"""expected.ldap settings and the LDAP drift rules shared by LDAP-1 and `migrate provision`."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexus_cutover.config import LdapExpectation, LdapGroupRole, load_settings
from nexus_cutover.errors import ConfigError
from nexus_cutover.ldapconfig import (
    realms_with_ldap,
    role_body,
    role_drift,
    server_body,
    server_drift,
)

EXPECTED = LdapExpectation(
    name="corp",
    host="ldap.example.com",
    search_base="dc=example,dc=com",
    bind_dn="cn=nexus,dc=example,dc=com",
    user_base_dn="ou=people",
    group_base_dn="ou=groups",
)


def test_a_matching_server_has_no_drift_and_dns_ignore_case() -> None:
    body = server_body(EXPECTED, "s3cret")
    assert body["authPassword"] == "s3cret"
    assert server_drift(EXPECTED, body) == []
    shouted = {**body, "searchBase": "DC=Example,DC=com", "groupBaseDn": "ou=teams"}
    assert server_drift(EXPECTED, shouted) == ["groupBaseDn: 'ou=teams' -> 'ou=groups'"]


def test_dynamic_groups_compare_the_member_of_attribute_not_the_group_base() -> None:
    dynamic = EXPECTED.model_copy(update={"group_type": "dynamic"})
    body = server_body(dynamic, None)
    assert "authPassword" not in body
    assert (body["groupType"], body["userMemberOfAttribute"]) == ("DYNAMIC", "memberOf")
    assert "groupBaseDn" not in body
    assert server_drift(dynamic, {**body, "userMemberOfAttribute": "isMemberOf"}) == [
        "userMemberOfAttribute: 'isMemberOf' -> 'memberOf'"
    ]


def test_roles_and_realms() -> None:
    mapping = LdapGroupRole(privileges=("b", "a"))
    assert role_body("devs", mapping)["privileges"] == ["a", "b"]
    assert role_drift(mapping, {"privileges": ["a", "b"], "roles": []}) == []
    assert role_drift(mapping, {"privileges": ["a"]}) == ["privileges: ['a'] -> ['a', 'b']"]
    assert realms_with_ldap(["NexusAuthenticatingRealm", "DockerToken"]) == [
        "NexusAuthenticatingRealm",
        "LdapRealm",
        "DockerToken",
    ]
    assert realms_with_ldap(["LdapRealm"]) == ["LdapRealm"]


def test_ldap_passwords_come_from_the_environment_or_files(tmp_path: Path) -> None:
    config = tmp_path / "cutover.toml"
    config.write_text(
        '[expected.ldap]\nhost = "ldap"\nprobe_user = "alice"\nprobe_password_file = "alice.pw"\n',
        encoding="utf-8",
    )
    (tmp_path / "alice.pw").write_text("from-file\n", encoding="utf-8")
    settings = load_settings(config, environ={"NEXUS_CUTOVER_LDAP_BIND_PASSWORD": "from-env"})
    assert settings.expected.ldap_details is not None
    assert settings.expected.ldap_details.probe_password_file == tmp_path / "alice.pw"
    passwords = {k: v.get_secret_value() for k, v in settings.ldap_passwords.items()}
    assert passwords == {"bind": "from-env", "probe": "from-file"}
    assert set(settings.secrets()) >= {"from-env", "from-file"}
    assert load_settings(environ={}).expected.ldap is False


def test_a_bind_password_in_the_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "cutover.toml"
    config.write_text('[expected.ldap]\nbind_password = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="bind_password"):
        load_settings(config, environ={})
