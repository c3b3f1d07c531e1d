"""Fixtures: nexus-standin and pypiserver as real processes on loopback, test dists, a venv."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from nexus_cutover.backends.directory import (
    SECRET_FILES,
    Directory,
    slapd_binary,
    start_directory,
)

from .support import (
    Dists,
    PyPIServer,
    StandIn,
    build_dists,
    make_virtualenv,
    start_pypiserver,
    start_standin,
    stop_process,
)

StandInFactory = Callable[..., StandIn]


def hosted_body(name: str, policy: str = "ALLOW", online: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "online": online,
        "storage": {
            "blobStoreName": "default",
            "strictContentTypeValidation": True,
            "writePolicy": policy,
        },
    }


def proxy_body(
    name: str,
    remote: str,
    *,
    max_age: int = 1440,
    auto_block: bool = True,
    blocked: bool = False,
    negative_ttl: int = 1440,
) -> dict[str, Any]:
    return {
        "name": name,
        "online": True,
        "storage": {"blobStoreName": "default", "strictContentTypeValidation": True},
        "proxy": {"remoteUrl": remote, "contentMaxAge": max_age, "metadataMaxAge": max_age},
        "negativeCache": {"enabled": negative_ttl != 0, "timeToLive": negative_ttl},
        "httpClient": {
            "blocked": blocked,
            "autoBlock": auto_block,
            "connection": {"retries": 0, "timeout": 5},
        },
    }


def group_body(name: str, members: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "online": True,
        "storage": {"blobStoreName": "default", "strictContentTypeValidation": True},
        "group": {"memberNames": members},
    }


def create_repo(standin: StandIn, repo_type: str, body: dict[str, Any]) -> None:
    response = requests.post(
        standin.rest(f"v1/repositories/pypi/{repo_type}"), json=body, auth=standin.admin, timeout=10
    )
    assert response.status_code == 201, response.text


@pytest.fixture(scope="session")
def standin_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandInFactory]:
    """Starts stand-ins with fresh data dirs; every one is stopped (by pid) at the end."""
    started: list[StandIn] = []

    def start(
        *extra: str,
        data_dir: Path | None = None,
        admin_password_file: Path | None = None,
        ready: str = "v1/status/writable",
    ) -> StandIn:
        folder = data_dir or tmp_path_factory.mktemp("nexus-data")
        instance = start_standin(
            folder, *extra, admin_password_file=admin_password_file, ready=ready
        )
        started.append(instance)
        return instance

    yield start
    for instance in started:
        stop_process(instance.process)


@pytest.fixture(scope="session")
def standin(standin_factory: StandInFactory) -> StandIn:
    """The shared instance: pypi-hosted (ALLOW), pypi-proxy (https://pypi.org), pypi-group."""
    instance = standin_factory()
    create_repo(instance, "hosted", hosted_body("pypi-hosted"))
    create_repo(instance, "proxy", proxy_body("pypi-proxy", "https://pypi.org/"))
    create_repo(instance, "group", group_body("pypi-group", ["pypi-hosted", "pypi-proxy"]))
    return instance


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    return build_dists(tmp_path_factory.mktemp("dists"))


@pytest.fixture(scope="session")
def venv_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_virtualenv(tmp_path_factory.mktemp("venv") / "env")


@pytest.fixture(scope="session")
def pypiserver_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[Sequence[Path]], PyPIServer]]:
    """Starts real pypiservers (open, no fallback) seeded with files; all stopped at the end."""
    started: list[PyPIServer] = []

    def start(files: Sequence[Path]) -> PyPIServer:
        root = tmp_path_factory.mktemp("pypiserver")
        server = start_pypiserver(root / "packages", root / "pypiserver.log", files)
        started.append(server)
        return server

    yield start
    for server in started:
        stop_process(server.process)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@dataclass(frozen=True)
class Slapd:
    """A real OpenLDAP directory (the local backend's), with its seeded passwords."""

    directory: Directory
    secrets: Path

    @property
    def port(self) -> int:
        return self.directory.port

    def password(self, who: str) -> str:
        return (self.secrets / SECRET_FILES[who]).read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    """slapd seeded with alice (developers), mallory (auditors) and the bind account.

    Skipped where slapd is not installed, unless NEXUS_CUTOVER_REQUIRE_SLAPD is set (CI).
    """
    if slapd_binary() is None:
        if os.environ.get("NEXUS_CUTOVER_REQUIRE_SLAPD"):
            pytest.fail("slapd is not installed (apt-get install slapd) but CI requires it")
        pytest.skip("slapd is not installed (apt-get install slapd)")
    root = tmp_path_factory.mktemp("slapd")
    directory = start_directory(root / "directory", root / "secrets")
    assert directory is not None
    yield Slapd(directory, root / "secrets")
    directory.stop()
