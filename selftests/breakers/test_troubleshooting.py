"""Breakers for TS-1..5 and TS-8..10 (TS-6, TS-7 are with the publishing breakers)."""

from selftests.breakers.lab import Lab, only_failure
from selftests.breakers.test_installation import pip_sent_elsewhere
from selftests.faults.lab import proxied
from selftests.faults.proxy import RewriteJson


def test_nexus_down_fails_ts_1(lab: Lab) -> None:
    lab.services.nexus.stop()
    verdicts = lab.run("TS-1,TS-9", external=True)
    assert verdicts["TS-1"].outcome == "failed"
    assert "cannot reach" in verdicts["TS-1"].message
    assert "is Nexus running" in verdicts["TS-1"].message


def test_deleted_group_fails_ts_2(lab: Lab) -> None:
    assert lab.rest("DELETE", "/v1/repositories/pypi-group").status_code == 204
    only_failure(lab.run("TS-2,TS-1,TS-5"), "TS-2", "does not list 'pypi-group'")


def test_user_pip_conf_elsewhere_fails_ts_3(lab: Lab) -> None:
    group = lab.target.nexus.simple("pypi-group").rstrip("/")
    lab.edit("user-config/pip.conf", group, "http://localhost:8888/simple")
    only_failure(lab.run("TS-3,TS-5"), "TS-3", "pip config list", "localhost:8888")


def test_six_installed_from_another_address_fails_ts_4(lab: Lab) -> None:
    with proxied(lab) as faulty:
        faulty.rules.add(pip_sent_elsewhere(lab.target.nexus.repository_url))
        verdicts = faulty.lab.run("TS-4,TS-6", target=faulty.target)
    only_failure(verdicts, "TS-4", "six", "not from the group")


def test_changed_admin_password_fails_ts_5(lab: Lab) -> None:
    response = lab.rest(
        "PUT",
        "/v1/security/users/admin/change-password",
        data="a-new-password-the-suite-does-not-know",
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 204, response.text
    message = only_failure(lab.run("TS-5,TS-1"), "TS-5", "401", "password")
    assert "a-new-password" not in message


def test_deployer_without_the_metrics_privilege_fails_ts_5(lab: Lab) -> None:
    """The login works, but the user's roles lack nx-metrics-all: 403, the privilege named."""
    role = {
        "id": "pypi-deployer",
        "name": "pypi-deployer",
        "description": "uploads only",
        "privileges": ["nx-repository-view-pypi-*-*"],
        "roles": [],
    }
    assert lab.rest("POST", "/v1/security/roles", json=role).status_code == 200
    user = {
        "userId": "deployer",
        "firstName": "Deploy",
        "lastName": "Er",
        "emailAddress": "deployer@example.com",
        "password": "deployer-secret-1",
        "status": "active",
        "roles": ["pypi-deployer"],
    }
    response = lab.rest("POST", "/v1/security/users", json=user)
    assert response.status_code == 200, response.text
    verdicts = lab.run(
        "TS-5,TS-1",
        external=True,
        env={"NEXUS_USER": "deployer", "NEXUS_PASSWORD": "deployer-secret-1"},
    )
    only_failure(verdicts, "TS-5", "403", "'deployer'", "nx-metrics-all")


def test_cache_older_than_the_fetch_fails_ts_8(lab: Lab) -> None:
    """The proxy's search answers with what it cached long ago, never this run's fetch."""

    def old(document: dict[str, list[dict[str, str]]]) -> None:
        for asset in document["items"]:
            asset["blobCreated"] = asset["lastDownloaded"] = "2020-01-01T00:00:00.000+00:00"

    with proxied(lab) as faulty:
        faulty.rules.add(RewriteJson(r"/v1/search/assets", change=old))
        verdicts = faulty.lab.run("TS-8,TS-6", target=faulty.target)
    only_failure(verdicts, "TS-8", "pypi-proxy", "older than this check's fetch")


def test_pip_conf_on_old_index_fails_ts_9(lab: Lab) -> None:
    group = lab.target.nexus.simple("pypi-group").rstrip("/")
    lab.edit("user-config/pip.conf", group, f"{lab.services.pypiserver_url}/simple")
    only_failure(lab.run("TS-9,TS-4"), "TS-9", "six")


def test_rotated_away_log_fails_ts_10(lab: Lab) -> None:
    """The log file the suite reads is not the one Nexus writes to (rotation gone wrong)."""
    log = lab.services.nexus_data / "log" / "request.log"
    log.unlink()
    log.write_text("", encoding="utf-8")
    only_failure(lab.run("TS-10,TS-6"), "TS-10", "no line for /repository/pypi-group/")
