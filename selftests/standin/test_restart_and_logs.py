"""State survives a restart; request.log and nexus.log carry what the guide's log checks read."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from .conftest import StandInFactory, create_repo, group_body, hosted_body, proxy_body
from .support import Dists, StandIn, sha256_of, stop_process, twine_upload

# 3.77 logback-access.xml: %clientHost %l %user [%date] "%requestURL" %statusCode
# %header{Content-Length} %bytesSent %elapsedTime "%header{User-Agent}" [%thread]
REQUEST_LINE = re.compile(
    r"^127\.0\.0\.1 - (?P<user>\S+) \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/1\.1" (?P<status>\d{3}) (?P<length>\d+|-) \d+ \d+ '
    r'"(?P<ua>.*)" \[[^\]]+\]$'  # a User-Agent may hold quotes (pip's does)
)
# 3.77 HttpClientManagerImpl.printOutboundLog: [date] user "METHOD uri HTTP/1.1" status length
# ms "User-Agent" [thread]
OUTBOUND_LINE = re.compile(
    r"^\[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] (?P<user>\S+) "
    r'"GET (?P<url>\S+) HTTP/1\.1" (?P<status>\d{3}) (?P<length>-?\d+) \d+ "(?P<ua>[^"]*)" '
    r"\[[^\]]+\]$"
)
# 3.77 logback.xml, nexus.log: %d %-5p [%thread] %node %mdc{userId:-*SYSTEM} %c - %m
# (%node is empty on a single node)
NEXUS_LINE = re.compile(
    r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}\+0000 (INFO |WARN |ERROR|DEBUG) \[[^\]]+\]  "
    r"\S+ [\w.$]+ - "
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
    assert probes["log-probe/1.0"]["length"] == "-"  # a GET has no Content-Length
    assert probes["log-probe/2.0"]["user"] == "admin"


def test_proxy_fetches_go_to_the_outbound_log_not_nexus_log(standin: StandIn) -> None:
    """A client request is a request.log line; the fetch from the remote is an
    outbound-request.log line; nexus.log says nothing about it (INFO level)."""
    answer = requests.get(
        standin.index_url("pypi-proxy") + "/idna/",
        timeout=30,
        headers={"User-Agent": "outbound-probe/1.0"},
    )
    assert answer.status_code == 200
    requested = [
        m
        for m in map(REQUEST_LINE.match, standin.request_log.read_text().splitlines())
        if m and m["ua"] == "outbound-probe/1.0"
    ]
    assert [m["path"] for m in requested] == ["/repository/pypi-proxy/simple/idna/"]
    fetched = [OUTBOUND_LINE.match(line) for line in standin.outbound_lines("/simple/idna/")]
    assert fetched
    assert all(fetched)
    first = fetched[0]
    assert first is not None
    assert (first["url"], first["status"], first["user"]) == (
        "https://pypi.org/simple/idna/",
        "200",
        "-",
    )
    assert first["ua"].startswith("Nexus/3.97.0-13 (OSS; ")
    assert "idna" not in standin.nexus_log.read_text()


def test_nexus_log_lines_for_the_guides_checks(standin: StandIn, dists: Dists, home: Path) -> None:
    twine_upload(home, standin.repo_url("pypi-hosted"), *standin.admin, dists.variants["late"])
    log = standin.nexus_log.read_text()
    assert all(NEXUS_LINE.match(line) for line in log.splitlines() if line[:2] == "20")
    assert "Started Sonatype Nexus OSS 3.97.0-13" in log
    assert "Created repository: pypi-proxy" in log
    assert f"Uploaded pypi-hosted/packages/late-pkg/0.1/{dists.variants['late'].name}" in log
    assert standin.admin_password not in log
    assert standin.admin_password not in standin.request_log.read_text()
