"""Breakers for LDAP-1 and LDAP-2: the local backend's real directory (slapd) and the stand-in's
LDAP realm, broken the ways a team breaks them; each run says what to fix.

Without slapd the lab has no directory: these breakers are skipped there, unless
NEXUS_CUTOVER_REQUIRE_SLAPD is set (CI), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import ldap3
import pytest

from nexus_cutover.backends.directory import (
    BIND_DN,
    PUBLISHERS,
    ROOT_DN,
    SECRET_FILES,
    Directory,
    group_dn,
    slapd_binary,
    user_dn,
)
from selftests.breakers.lab import Lab, only_failure


@pytest.fixture(autouse=True)
def _slapd_installed() -> None:
    if slapd_binary() is None:
        if os.environ.get("NEXUS_CUTOVER_REQUIRE_SLAPD"):
            pytest.fail("slapd is not installed (apt-get install slapd) but CI requires it")
        pytest.skip("slapd is not installed (apt-get install slapd)")


def _directory(lab: Lab) -> Directory:
    directory = lab.services.directory
    assert directory is not None, "the lab runs no slapd"
    return directory


@pytest.fixture
def admin(lab: Lab) -> Iterator[ldap3.Connection]:
    """The directory's root account, to change people and groups as an LDAP admin would."""
    password = (lab.services.secrets_dir / SECRET_FILES["root"]).read_text().strip()
    server = ldap3.Server("127.0.0.1", port=_directory(lab).port, get_info=ldap3.NONE)
    with ldap3.Connection(server, ROOT_DN, password, auto_bind=True) as connection:
        yield connection


def _server(lab: Lab) -> dict[str, Any]:
    servers = lab.rest("GET", "/v1/security/ldap").json()
    assert len(servers) == 1, servers
    return dict(servers[0])


def _change_server(lab: Lab, **changes: Any) -> None:
    """PUT the LDAP server back with changes (the bind password is sent again, as the UI does)."""
    server = _server(lab)
    bind = (lab.services.secrets_dir / SECRET_FILES["bind"]).read_text().strip()
    body = {**server, "authPassword": bind, **changes}
    response = lab.rest("PUT", f"/v1/security/ldap/{server['name']}", json=body)
    assert response.status_code == 204, response.text


def test_ldap_passes_with_evidence_locally_and_by_url(lab: Lab) -> None:
    """The local backend's LDAP, and the same through `--backend external` and a cutover.toml
    whose [expected.ldap] names password files (as a team would write it)."""
    for external in (False, True):
        verdicts = lab.run("LDAP-1,LDAP-2,TS-1", external=external)
        assert {v.outcome for v in verdicts.values()} == {"passed"}, verdicts
        report = (lab.report_dir / "report.json").read_text()
        assert "user alice: login ok, roles developers from group developers" in report
        assert "user mallory: login ok, upload refused with 403" in report


def test_wrong_bind_password_fails_ldap_1(lab: Lab) -> None:
    _change_server(lab, authPassword="not-the-bind-password")
    only_failure(
        lab.run("LDAP-1,TS-1"), "LDAP-1", "example-ldap", "does not verify", "bind password"
    )


def test_wrong_group_base_fails_ldap_1(lab: Lab) -> None:
    _change_server(lab, groupBaseDn="ou=teams")
    only_failure(
        lab.run("LDAP-1,TS-1"),
        "LDAP-1",
        "groupBaseDn: 'ou=teams' -> 'ou=groups'",
        "directory group 'developers' is not found",
        "check the group base DN",
    )


def test_user_removed_from_the_group_fails_ldap_1(lab: Lab, admin: ldap3.Connection) -> None:
    # groupOfNames needs a member: the service account stays in, alice goes.
    removed = admin.modify(  # type: ignore[no-untyped-call]
        group_dn(PUBLISHERS), {"member": [(ldap3.MODIFY_REPLACE, [BIND_DN])]}
    )
    assert removed, admin.result
    only_failure(
        lab.run("LDAP-1,TS-1"),
        "LDAP-1",
        "user alice is not in group(s) developers",
        "add the user to the group",
    )


def test_directory_stopped_fails_ldap_1(lab: Lab) -> None:
    _directory(lab).process.stop()
    only_failure(
        lab.run("LDAP-1,TS-1"), "LDAP-1", "does not verify", "check that the directory runs"
    )


def test_ldap_realm_inactive_fails_ldap_1(lab: Lab) -> None:
    response = lab.rest("PUT", "/v1/security/realms/active", json=["NexusAuthenticatingRealm"])
    assert response.status_code == 204
    only_failure(lab.run("LDAP-1,TS-1"), "LDAP-1", "LdapRealm is not an active realm", "Realms")


def test_expected_but_not_configured_fails_ldap_1(lab: Lab) -> None:
    assert lab.rest("DELETE", f"/v1/security/ldap/{_server(lab)['name']}").status_code == 204
    only_failure(
        lab.run("LDAP-1,TS-1"),
        "LDAP-1",
        "LDAP is expected but Nexus has no LDAP server named 'example-ldap'",
        "migrate provision",
    )


def test_denied_user_in_the_publishing_group_fails_ldap_2(
    lab: Lab, admin: ldap3.Connection
) -> None:
    added = admin.modify(  # type: ignore[no-untyped-call]
        group_dn(PUBLISHERS), {"member": [(ldap3.MODIFY_ADD, [user_dn("mallory")])]}
    )
    assert added, admin.result
    only_failure(
        lab.run("LDAP-1,LDAP-2,TS-1"),
        "LDAP-2",
        "user mallory (LDAP) published",
        "but must not",
    )


def test_probe_user_cannot_publish_fails_ldap_2(lab: Lab) -> None:
    role = lab.rest("GET", "/v1/security/roles/developers").json()
    role["privileges"] = [p for p in role["privileges"] if not p.endswith(("-add", "-edit"))]
    assert lab.rest("PUT", "/v1/security/roles/developers", json=role).status_code == 204
    only_failure(
        lab.run("LDAP-2,TS-1"),
        "LDAP-2",
        "user alice (LDAP) could not publish",
        "must grant add and edit",
    )


def test_ldap_not_expected_is_not_applicable(lab: Lab) -> None:
    """--backend external with a configuration without [expected.ldap]: nothing is expected,
    although Nexus has an LDAP server (the message says so)."""
    verdicts = lab.run("LDAP-1,LDAP-2,TS-1", external=True, ldap=False)
    for check in ("LDAP-1", "LDAP-2"):
        assert verdicts[check].outcome == "skipped", verdicts
        assert verdicts[check].message.startswith("not applicable: LDAP is not expected")
    assert "Nexus has 1 LDAP server(s) configured" in verdicts["LDAP-1"].message


def test_ldap_true_expects_some_server_that_verifies(lab: Lab) -> None:
    """`expected.ldap = true` (no table): any server that verifies, with a mapped group."""
    verdicts = lab.run("LDAP-1,TS-1", expected=("ldap = true",))
    assert verdicts["LDAP-1"].outcome == "passed", verdicts
    assert lab.rest("DELETE", f"/v1/security/ldap/{_server(lab)['name']}").status_code == 204
    only_failure(
        lab.run("LDAP-1,TS-1", expected=("ldap = true",)),
        "LDAP-1",
        "expected.ldap = true",
        "no LDAP server configured",
    )
