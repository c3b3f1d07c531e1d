"""Breakers for SEC-1 and SEC-2 (SEC-3 is with the client breakers)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_cutover.backends.local import start_pypiserver
from nexus_cutover.backends.processes import LOOPBACK, RunningProcess, free_port
from nexus_cutover.samples import build_canary
from selftests.breakers.lab import Lab, only_failure, reconfigure


@pytest.fixture
def public_impostor(tmp_path: Path) -> Iterator[str]:
    """A 'public' index that publishes an internal project's name with a higher version."""
    packages = tmp_path / "public"
    packages.mkdir()
    build_canary(tmp_path / "build", "acme-utils", "9.9.9")
    for path in (tmp_path / "build" / "dist").iterdir():
        path.rename(packages / path.name)
    port = free_port()
    server: RunningProcess = start_pypiserver(packages, None, port, tmp_path / "public.log")
    try:
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.stop()


def test_public_shadow_fails_sec_1(lab: Lab, public_impostor: str) -> None:
    reconfigure(lab, "proxy", "pypi-proxy", **{"proxy.remoteUrl": public_impostor})
    only_failure(lab.run("SEC-1,PARITY-1"), "SEC-1", "'acme-utils'", "9.9.9", "routing rule")


def test_anonymous_uploader_fails_sec_2(lab: Lab) -> None:
    role = {
        "id": "anonymous-deployer",
        "name": "anonymous-deployer",
        "description": "broken",
        "privileges": [
            "nx-repository-view-pypi-pypi-hosted-add",
            "nx-repository-view-pypi-pypi-hosted-read",
            "nx-repository-view-pypi-pypi-hosted-delete",
        ],
        "roles": [],
    }
    assert lab.rest("POST", "/v1/security/roles", json=role).status_code == 200
    user = next(
        u for u in lab.rest("GET", "/v1/security/users").json() if u["userId"] == "anonymous"
    )
    user["roles"] = [*user["roles"], "anonymous-deployer"]
    response = lab.rest("PUT", "/v1/security/users/anonymous", json=user)
    assert response.status_code == 204, response.text
    only_failure(lab.run("SEC-2,TS-1"), "SEC-2", "anonymous upload", "answered 200")


def _grant_anonymous(lab: Lab, *privileges: str) -> None:
    role = {
        "id": "anonymous-extra",
        "name": "anonymous-extra",
        "description": "broken",
        "privileges": list(privileges),
        "roles": [],
    }
    assert lab.rest("POST", "/v1/security/roles", json=role).status_code == 200
    user = next(
        u for u in lab.rest("GET", "/v1/security/users").json() if u["userId"] == "anonymous"
    )
    user["roles"] = [*user["roles"], "anonymous-extra"]
    response = lab.rest("PUT", "/v1/security/users/anonymous", json=user)
    assert response.status_code == 204, response.text


def test_anonymous_deleter_fails_sec_2(lab: Lab) -> None:
    """Anonymous users cannot upload, but can delete: the delete branch alone fails SEC-2."""
    _grant_anonymous(
        lab,
        "nx-repository-view-pypi-pypi-hosted-read",
        "nx-repository-view-pypi-pypi-hosted-browse",
        "nx-repository-view-pypi-pypi-hosted-delete",
    )
    only_failure(lab.run("SEC-2,TS-1"), "SEC-2", "anonymous DELETE", "succeeded")
