"""Read-only (frozen) mode: /v1/read-only, 503 for every write, downloads go on, restarts."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from .conftest import StandInFactory, create_repo, hosted_body, proxy_body
from .support import Dists, StandIn, free_port, stop_process, twine_upload

READ_ONLY = "Nexus Repository Manager is in read-only mode"
REST_BODY = re.compile(r"^Nexus Repository Manager is in read-only mode: \(ID ([0-9a-f-]{36})\)$")


def _post(instance: StandIn, path: str, auth: tuple[str, str] | None = None) -> requests.Response:
    return requests.post(instance.rest(path), auth=auth or instance.admin, timeout=5)


def _state(instance: StandIn, auth: tuple[str, str] | None) -> dict[str, object]:
    answer = requests.get(instance.rest("v1/read-only"), auth=auth, timeout=5)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_freeze_refuses_writes_and_serves_downloads(
    standin_factory: StandInFactory, dists: Dists, home: Path
) -> None:
    instance = standin_factory()
    create_repo(instance, "hosted", hosted_body("ro-hosted"))
    create_repo(instance, "proxy", proxy_body("ro-proxy", f"http://127.0.0.1:{free_port()}/"))
    wheel, sdist = dists.internal_wheel, next(p for p in dists.internal if p.suffix == ".gz")
    assert (
        twine_upload(home, instance.repo_url("ro-hosted"), *instance.admin, wheel).returncode == 0
    )
    requests.post(
        instance.rest("v1/security/users"),
        auth=instance.admin,
        timeout=5,
        json={
            "userId": "plain",
            "firstName": "P",
            "lastName": "U",
            "emailAddress": "p@example.org",
            "password": "plain-pw",
            "status": "active",
            "roles": ["nx-anonymous"],
        },
    )

    assert _state(instance, instance.admin) == {
        "frozen": False,
        "summaryReason": "",
        "systemInitiated": False,
    }
    assert _post(instance, "v1/read-only/freeze", auth=("plain", "plain-pw")).status_code == 403
    assert requests.post(instance.rest("v1/read-only/freeze"), timeout=5).status_code == 401
    assert _post(instance, "v1/read-only/freeze").status_code == 204
    again = _post(instance, "v1/read-only/freeze")
    assert (again.status_code, again.content) == (404, b"")

    state = _state(instance, instance.admin)
    assert state["frozen"] is True
    assert state["systemInitiated"] is False
    assert re.fullmatch(
        r"Requested by an administrator at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00",
        str(state["summaryReason"]),
    )
    assert _state(instance, None) == {"frozen": True, "summaryReason": "", "systemInitiated": False}
    assert requests.get(instance.rest("v1/status"), timeout=5).status_code == 200
    assert requests.get(instance.rest("v1/status/writable"), timeout=5).status_code == 503

    # Uploads: twine's legacy upload (503 + reason phrase), REST upload (text/plain with an ID).
    refused = twine_upload(home, instance.repo_url("ro-hosted"), *instance.admin, sdist)
    assert refused.returncode == 1
    assert "503 Service Unavailable" in refused.stdout + refused.stderr
    assert READ_ONLY in refused.stdout + refused.stderr
    legacy = requests.post(
        instance.repo_url("ro-hosted"),
        auth=instance.admin,
        timeout=5,
        data={":action": "file_upload", "name": "x", "version": "1"},
        files={"content": ("x-1.tar.gz", b"x")},
    )
    assert (legacy.status_code, legacy.reason) == (503, READ_ONLY)
    assert READ_ONLY in legacy.text
    rest_upload = requests.post(
        instance.rest("v1/components?repository=ro-hosted"),
        auth=instance.admin,
        timeout=5,
        files={"pypi.asset": (sdist.name, sdist.read_bytes())},
    )
    assert rest_upload.status_code == 503
    assert rest_upload.headers["Content-Type"].startswith("text/plain")
    match = REST_BODY.match(rest_upload.text)
    assert match
    assert match[1] == rest_upload.headers["X-Siesta-FaultId"]

    # Repository and security changes.
    created = requests.post(
        instance.rest("v1/repositories/pypi/hosted"),
        auth=instance.admin,
        json=hosted_body("ro-new"),
        timeout=5,
    )
    assert created.status_code == 503
    assert REST_BODY.match(created.text)
    assert (
        requests.delete(
            instance.rest("v1/repositories/ro-hosted"), auth=instance.admin, timeout=5
        ).status_code
        == 503
    )
    user = requests.post(
        instance.rest("v1/security/users"),
        auth=instance.admin,
        timeout=5,
        json={
            "userId": "late",
            "firstName": "L",
            "lastName": "U",
            "emailAddress": "l@example.org",
            "password": "pw",
            "status": "active",
            "roles": [],
        },
    )
    assert user.status_code == 503

    # Reads and downloads go on: the project page was never cached, and is served anyway.
    page = requests.get(instance.index_url("ro-hosted") + "/internal-pkg/", timeout=5)
    assert page.status_code == 200
    assert wheel.name in page.text
    assert "internal-pkg" in requests.get(instance.index_url("ro-hosted") + "/", timeout=5).text
    download = requests.get(
        instance.repo_url("ro-hosted") + f"packages/internal-pkg/1.0.0/{wheel.name}", timeout=5
    )
    assert download.content == wheel.read_bytes()
    listing = requests.get(instance.rest("v1/components?repository=ro-hosted"), timeout=5)
    assert [item["name"] for item in listing.json()["items"]] == ["internal-pkg"]
    # A proxy cannot cache, so it does not even ask its (here unreachable) remote.
    proxied = requests.get(instance.index_url("ro-proxy") + "/idna/", timeout=5)
    assert (proxied.status_code, proxied.reason) == (503, READ_ONLY)
    assert f"{READ_ONLY}: POST /repository/ro-hosted/" in instance.nexus_log.read_text()

    assert _post(instance, "v1/read-only/release").status_code == 204
    assert _post(instance, "v1/read-only/release").status_code == 404
    assert requests.get(instance.rest("v1/status/writable"), timeout=5).status_code == 200
    assert (
        twine_upload(home, instance.repo_url("ro-hosted"), *instance.admin, sdist).returncode == 0
    )


def test_read_only_state_survives_a_restart(standin_factory: StandInFactory) -> None:
    first = standin_factory()
    assert _post(first, "v1/read-only/freeze").status_code == 204
    stop_process(first.process)

    second = standin_factory(data_dir=first.data_dir, ready="v1/status")
    assert requests.get(second.rest("v1/status/writable"), timeout=5).status_code == 503
    assert _state(second, second.admin)["frozen"] is True
    assert "is in read-only mode (requested by admin" in second.nexus_log.read_text()
    assert _post(second, "v1/read-only/force-release").status_code == 204
    assert _post(second, "v1/read-only/force-release").status_code == 404
    assert requests.get(second.rest("v1/status/writable"), timeout=5).status_code == 200
    assert _state(second, None)["frozen"] is False
