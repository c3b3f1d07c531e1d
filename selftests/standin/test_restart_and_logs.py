"""State survives a restart; request.log and nexus.log carry what the guide's log checks read."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from .conftest import StandInFactory, create_repo, group_body, hosted_body, proxy_body
from .support import Dists, StandIn, sha256_of, stop_process, twine_upload

REQUEST_LINE = re.compile(
    r"^127\.0\.0\.1 - (?P<user>\S+) \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/1\.1" (?P<status>\d{3}) \S+ \d+ \d+ "(?P<ua>[^"]*)"'
)


def test_restart_keeps_everything(
    standin_factory: StandInFactory, dists: Dists, home: Path
) -> None:
    first = standin_factory()
    create_repo(first, "hosted", hosted_body("kept-hosted", "ALLOW_ONCE"))
    create_repo(first, "proxy", proxy_body("kept-proxy", "https://pypi.org/", blocked=True))
    create_repo(first, "group", group_body("kept-group", ["kept-hosted", "kept-proxy"]))
    assert (
        twine_upload(home, first.repo_url("kept-hosted"), *first.admin, *dists.internal).returncode
        == 0
    )
    requests.post(
        first.rest("v1/security/users"),
        auth=first.admin,
        timeout=5,
        json={
            "userId": "kept-user",
            "firstName": "K",
            "lastName": "U",
            "emailAddress": "k@example.org",
            "password": "kept-pw",
            "status": "active",
            "roles": ["nx-admin"],
        },
    )
    requests.put(
        first.rest("v1/security/anonymous"),
        auth=first.admin,
        timeout=5,
        json={"enabled": False, "userId": "anonymous", "realmName": "NexusAuthorizingRealm"},
    )
    before = requests.get(first.rest("v1/repositorySettings"), auth=first.admin, timeout=5).json()
    stop_process(first.process)

    second = standin_factory(data_dir=first.data_dir)
    assert second.admin_password == first.admin_password
    after = requests.get(second.rest("v1/repositorySettings"), auth=second.admin, timeout=5).json()
    assert [_without_url(item) for item in after] == [_without_url(item) for item in before]
    auth = ("kept-user", "kept-pw")
    assert requests.get(second.index_url("kept-group") + "/", timeout=5).status_code == 401
    wheel = dists.internal_wheel
    page = requests.get(
        second.index_url("kept-group") + "/internal-pkg/", auth=auth, timeout=5
    ).text
    assert f"#sha256={sha256_of(wheel)}" in page
    download = requests.get(
        second.repo_url("kept-hosted") + f"packages/internal-pkg/1.0.0/{wheel.name}",
        auth=auth,
        timeout=5,
    )
    assert download.content == wheel.read_bytes()
    again = twine_upload(home, second.repo_url("kept-hosted"), *auth, wheel)
    assert again.returncode == 1
    assert "cannot be updated" in again.stdout + again.stderr


def _without_url(item: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in item.items() if key != "url"}


def test_request_log_has_one_line_per_request(standin: StandIn) -> None:
    requests.get(
        standin.index_url("pypi-hosted") + "/", timeout=5, headers={"User-Agent": "log-probe/1.0"}
    )
    requests.get(
        standin.rest("v1/repositories"),
        auth=standin.admin,
        timeout=5,
        headers={"User-Agent": "log-probe/2.0"},
    )
    lines = [REQUEST_LINE.match(line) for line in standin.request_log.read_text().splitlines()]
    assert all(lines)
    probes = {m["ua"]: m for m in lines if m and m["ua"].startswith("log-probe/")}
    assert probes["log-probe/1.0"]["path"] == "/repository/pypi-hosted/simple/"
    assert (probes["log-probe/1.0"]["user"], probes["log-probe/1.0"]["status"]) == ("-", "200")
    assert probes["log-probe/2.0"]["user"] == "admin"


def test_nexus_log_lines_for_the_guides_checks(standin: StandIn, dists: Dists, home: Path) -> None:
    twine_upload(home, standin.repo_url("pypi-hosted"), *standin.admin, dists.variants["late"])
    requests.get(standin.index_url("pypi-proxy") + "/idna/", timeout=10)
    log = standin.nexus_log.read_text()
    assert "Started Sonatype Nexus OSS 3.97.0-13" in log
    assert "Created repository: pypi-proxy" in log
    assert f"Uploaded pypi-hosted/packages/late-pkg/0.1/{dists.variants['late'].name}" in log
    assert re.search(r"pypi-proxy: GET https://pypi\.org/simple/idna/ -> 200", log)
    assert standin.admin_password not in log
    assert standin.admin_password not in standin.request_log.read_text()
