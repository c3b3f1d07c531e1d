"""Breakers for TS-1..5 and TS-8..10 (TS-6, TS-7 are with the publishing breakers)."""

from selftests.breakers.lab import Lab, only_failure, reconfigure
from selftests.breakers.test_installation import DEAD_REMOTE


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


def test_dead_upstream_fails_ts_4(lab: Lab) -> None:
    reconfigure(lab, "proxy", "pypi-proxy", **{"proxy.remoteUrl": DEAD_REMOTE})
    only_failure(lab.run("TS-4,TS-6"), "TS-4", "pip could not install six")


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


def test_dead_upstream_fails_ts_8(lab: Lab) -> None:
    reconfigure(lab, "proxy", "pypi-proxy", **{"proxy.remoteUrl": DEAD_REMOTE})
    only_failure(lab.run("TS-8,TS-6"), "TS-8", "six")


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
