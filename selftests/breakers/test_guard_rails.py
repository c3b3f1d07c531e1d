"""Breakers for the guard rails the guide lacks: SEC-1's routing rule, stragglers (PRE-3,
DECOM-4), Community Edition capacity (CAP-1, CAP-2), admin accounts (SEC-5, SEC-6)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from nexus_cutover.backends.local import start_standin
from nexus_cutover.catalogue import checks_in_phase
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.guardrails.roles import health_privileges
from nexus_cutover.migrate.errors import RefusedError
from nexus_cutover.migrate.stragglers import refuse_while_stragglers
from nexus_cutover.samples import build_canary
from selftests.breakers.lab import Lab, only_failure, reconfigure, write_external_config


def test_project_published_after_provisioning_fails_sec_1(
    lab: Lab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A new internal project in hosted that no routing rule covers yet: SEC-1 names it and
    says how to extend the rule."""
    files = build_canary(tmp_path_factory.mktemp("new"), "acme-newcomer", "1.0.0")
    box = Sandbox(tmp_path_factory.mktemp("home"))
    hosted = lab.target.nexus.repository("pypi-hosted")
    run = box.twine(
        ["upload", "--repository-url", hosted, *map(str, files)], lab.target.nexus.credentials
    )
    assert run.ok, run.output
    only_failure(lab.run("SEC-1,REPO-1"), "SEC-1", "acme-newcomer answered", "migrate provision")


def test_rule_dropped_by_a_proxy_update_fails_sec_1(lab: Lab) -> None:
    """A proxy update that echoes its GET (as many scripts do) drops the rule on 3.77
    (sonatype/nexus-public#464): every internal name is open to the public index again."""
    reconfigure(lab, "proxy", "pypi-proxy", **{"proxy.metadataMaxAge": 1440})
    message = only_failure(lab.run("SEC-1,REPO-1"), "SEC-1", "does not refuse 12 internal names")
    assert "its rule: none" in message


# -- stragglers -------------------------------------------------------------------------------


def test_client_still_on_pypiserver_fails_decom_4(
    lab: Lab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A job no client file of the projects describes keeps installing from pypiserver after
    the cutover: DECOM-4 names its address, User-Agent and projects."""
    box = Sandbox(tmp_path_factory.mktemp("straggler"))
    pypiserver = f"{lab.target.pypiserver.url}/simple/"
    run = box.pip(
        ["download", "--no-deps", "-d", str(box.home / "dl"), "-i", pypiserver, "acme-utils"]
    )
    assert run.ok, run.output
    message = only_failure(
        lab.run("DECOM-4,REPO-1", "--phase", "postcutover"),
        "DECOM-4",
        "1 client still uses pypiserver",
        "127.0.0.1 (pip/",
        "CPython",
        "acme-utils",
        "point it at the group",
    )
    assert "since the client files were rewritten" in message


def test_straggler_refuses_decommission(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`migrate decommission` runs this gate after the suite's: a straggler names itself."""
    refuse_while_stragglers(lab.target, hours=24)  # the lab's own traffic is no straggler
    box = Sandbox(tmp_path_factory.mktemp("straggler"))
    pypiserver = f"{lab.target.pypiserver.url}/simple/"
    run = box.pip(
        ["download", "--no-deps", "-d", str(box.home / "dl"), "-i", pypiserver, "acme-cli"]
    )
    assert run.ok, run.output
    with pytest.raises(RefusedError, match=r"1 client\(s\) still fetched.*acme-cli.*--force"):
        refuse_while_stragglers(lab.target, hours=24)


# -- Community Edition capacity ----------------------------------------------------------------


def _config(lab: Lab, text: str) -> Path:
    path = lab.report_dir.parent / "limits.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_migration_over_the_component_limit_fails_cap_1(lab: Lab) -> None:
    """A smaller Community Edition limit than the sample migration needs (over 60 components)."""
    limits = _config(lab, "[capacity]\ncomponents_limit = 60\nrequests_per_day_limit = 100000\n")
    message = only_failure(
        lab.run("CAP-1,REPO-1", "--cutover-config", str(limits)),
        "CAP-1",
        "components after the migration: ",
        " of 60 (",
        "cleanup policies",
    )
    assert "capacity.components_limit" in message


def test_migration_close_to_the_limit_passes_cap_1_with_a_warning(lab: Lab) -> None:
    limits = _config(lab, "[capacity]\ncomponents_limit = 80\nrequests_per_day_limit = 100000\n")
    verdicts = lab.run("CAP-1", "--cutover-config", str(limits))
    assert verdicts["CAP-1"].outcome == "passed"
    report = json.loads((lab.report_dir / "report.json").read_text(encoding="utf-8"))
    (cap,) = [c for c in report["checks"] if c["id"] == "CAP-1"]
    assert cap["evidence"].startswith("warning: components after the migration: ")
    assert " of 80 (" in cap["evidence"].split(" | ")[0]


@pytest.fixture
def refusing_nexus(lab: Lab) -> Iterator[Lab]:
    """The lab's Nexus restarted in the stand-in's usage-limit mode, over its component limit:
    it refuses to cache or publish anything new, as Community Edition does."""
    services = lab.services
    services.nexus.stop()
    limited = start_standin(
        services.nexus_data,
        services.ports,
        services.secrets_dir / "nexus-admin",
        extra=("--usage-limit-components", "10"),
    )
    lab.services = replace(services, nexus=limited)
    lab.services.save()
    try:
        yield lab
    finally:
        limited.stop()


def test_instance_over_its_limits_fails_cap_2(refusing_nexus: Lab) -> None:
    message = only_failure(
        refusing_nexus.run("CAP-2,REPO-1", "--phase", "health"),
        "CAP-2",
        "PAYMENT REQUIRED",
        "Compact blob store",
    )
    assert "Nexus refuses to cache new components" in message


# -- admin accounts ------------------------------------------------------------------------------


def test_admin_in_client_files_fails_sec_5(lab: Lab) -> None:
    # configure left the section without the pypiserver user; a team then adds the admin
    lab.edit(
        "ledger-worker/.pypirc",
        "/repository/pypi-hosted/\n",
        "/repository/pypi-hosted/\nusername = admin\n",
    )
    lab.edit(
        "ledger-worker/.github/workflows/release.yaml",
        "    env:\n",
        "    env:\n      TWINE_USERNAME: admin\n",
    )
    only_failure(
        lab.run("SEC-5,SEC-3"),
        "SEC-5",
        "ledger-worker/.pypirc:",
        "username = admin)",
        "ledger-worker/.github/workflows/release.yaml",
        "deployer role",
    )


def _health_privileges(lab: Lab) -> list[str]:
    """The read-only role as provision makes it for the lab (LDAP reads where LDAP is expected
    and Nexus lists them)."""
    available = [p["name"] for p in lab.rest("GET", "/v1/security/privileges").json()]
    expected = lab.target.expected
    return health_privileges(expected.repository_names, expected.ldap is not False, available)


def _user(lab: Lab, user: str, privileges: list[str], folder: Path) -> Path:
    """A Nexus user holding one role of `privileges`; a cutover.toml that runs as it."""
    role = {
        "id": f"{user}-role",
        "name": f"{user}-role",
        "description": "",
        "privileges": privileges,
        "roles": [],
    }
    assert lab.rest("POST", "/v1/security/roles", json=role).status_code == 200
    password = f"{user}-pw-{folder.name}"
    body = {
        "userId": user,
        "firstName": user,
        "lastName": "account",
        "emailAddress": f"{user}@example.com",
        "password": password,
        "status": "active",
        "roles": [role["id"]],
    }
    assert lab.rest("POST", "/v1/security/users", json=body).status_code == 200
    secret = folder / f"{user}.password"
    secret.write_text(password + "\n", encoding="utf-8")
    secret.chmod(0o600)
    config = write_external_config(lab.target, folder / "cutover.toml")
    admin_file = lab.target.state_dir / "secrets" / "nexus-admin"
    text = config.read_text(encoding="utf-8")
    text = text.replace('user = "admin"', f'user = "{user}"', 1)
    text = text.replace(json.dumps(str(admin_file)), json.dumps(str(secret)), 1)
    config.write_text(text, encoding="utf-8")
    return config


def test_health_account_lacking_a_privilege_fails_sec_6(
    lab: Lab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The read-only role without admin read on the group: SEC-6 says what to add (REPO-3
    would fail too, later and less plainly; TS-5 still passes)."""
    lacking = "nx-repository-admin-pypi-pypi-group-read"
    every = _health_privileges(lab)
    assert lacking in every
    privileges = [p for p in every if p != lacking]
    config = _user(lab, "nexus-health", privileges, tmp_path_factory.mktemp("health"))
    only_failure(
        lab.run("SEC-6,TS-5", "--phase", "health", config=config),
        "SEC-6",
        f"user 'nexus-health' lacks {lacking}",
        "nexus-cutover-health",
    )


def test_health_phase_as_admin_passes_sec_6_with_a_warning(lab: Lab) -> None:
    verdicts = lab.run("SEC-6", "--phase", "health")
    assert verdicts["SEC-6"].outcome == "passed"
    report = json.loads((lab.report_dir / "report.json").read_text(encoding="utf-8"))
    (check,) = [c for c in report["checks"] if c["id"] == "SEC-6"]
    assert check["evidence"].startswith("warning: the health check runs as 'admin'")


def test_health_phase_is_green_as_a_user_with_only_the_read_only_role(
    lab: Lab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`nexus-cutover run --phase health` as a real user holding only the role `migrate
    provision` made: every health check passes (pypiserver is gone by then: DECOM-2 sees no
    URL), and nothing warns."""
    role = lab.rest("GET", "/v1/security/roles/nexus-cutover-health").json()
    assert sorted(role["privileges"]) == sorted(_health_privileges(lab))
    config = _user(lab, "nexus-health", role["privileges"], tmp_path_factory.mktemp("health"))
    text = config.read_text(encoding="utf-8")
    text = text.replace(f"url = {json.dumps(str(lab.target.pypiserver.url))}", 'url = ""', 1)
    config.write_text(text, encoding="utf-8")
    # Every health check but the Docker build, which needs an engine and images, not rights.
    checks = ",".join(c.id for c in checks_in_phase("health") if c.id != "DOCKER-3")
    verdicts = lab.run(checks, "--phase", "health", config=config)
    failed = {k: v for k, v in verdicts.items() if v.outcome == "failed"}
    assert failed == {}
    report = json.loads((lab.report_dir / "report.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in report["checks"] if c["evidence"].startswith("warning:")] == []
    assert verdicts["SEC-6"].outcome == "passed"
    skipped = {k for k, v in verdicts.items() if v.outcome == "skipped"}
    assert skipped <= {"DECOM-2", "DECOM-4", "LDAP-1"}, skipped
