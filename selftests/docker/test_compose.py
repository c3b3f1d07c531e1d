"""docker/compose*.yaml: valid for Compose, and the stand-in variant brings the pair up on the
guide's ports (28081 and 28083 for Nexus, 8888 for pypiserver)."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from nexus_cutover.backends import open_target
from nexus_cutover.backends.processes import LOOPBACK
from nexus_cutover.checks import parity, repositories
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.pypiserver import old_inventory
from nexus_cutover.config import Settings
from nexus_cutover.resources import DOCKER_DIR as PACKAGED_DOCKER_DIR

DOCKER_DIR = Path(__file__).resolve().parents[2] / "docker"
GUIDE_PORTS = (28081, 28083, 8888)


def compose_command() -> list[str] | None:
    """Compose v2 (`docker compose`) or v1 (`docker-compose`, Debian's package)."""
    if (
        shutil.which("docker")
        and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


@pytest.fixture(scope="module")
def compose() -> list[str]:
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    return command


@pytest.mark.parametrize("name", ["compose.yaml", "compose.standin.yaml"])
def test_compose_file_is_valid(compose: list[str], name: str) -> None:
    result = subprocess.run(
        [*compose, "-f", str(DOCKER_DIR / name), "config"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for port in GUIDE_PORTS:
        assert str(port) in result.stdout


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((LOOPBACK, port)) != 0


@pytest.fixture
def standin_stack(engine: None, compose: list[str]) -> Iterator[None]:
    busy = [port for port in GUIDE_PORTS if not port_free(port)]
    if busy:
        pytest.skip(f"the guide's ports {busy} are in use on {LOOPBACK}")
    project = [
        "-p",
        f"nexus-cutover-selftest-{secrets.token_hex(3)}",
        "-f",
        str(DOCKER_DIR / "compose.standin.yaml"),
    ]
    up = subprocess.run(
        [*compose, *project, "up", "-d"], capture_output=True, text=True, check=False
    )
    try:
        assert up.returncode == 0, up.stderr
        yield
    finally:
        subprocess.run([*compose, *project, "down", "-v"], capture_output=True, check=False)


def wait_ok(url: str, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    status = 0
    while time.monotonic() < deadline:
        try:
            status = requests.get(url, timeout=2).status_code
        except requests.RequestException:
            status = 0
        if status == 200:
            break
        time.sleep(0.5)
    return status


@pytest.mark.slow
def test_standin_stack_answers_on_the_guides_ports(standin_stack: None) -> None:
    assert wait_ok(f"http://{LOOPBACK}:28081/service/rest/v1/status/writable") == 200
    assert wait_ok(f"http://{LOOPBACK}:28083/service/rest/v1/status") == 200
    assert wait_ok(f"http://{LOOPBACK}:8888/health") == 200
    repositories = requests.get(
        f"http://{LOOPBACK}:28081/service/rest/v1/repositories",
        auth=("admin", "admin123"),
        timeout=10,
    )
    assert repositories.status_code == 200


@pytest.mark.slow
def test_compose_mode_runs_the_users_compose_file_through_pytest_docker(
    engine: None, compose: list[str], docker_settings: Settings, tmp_path: Path
) -> None:
    """The docker backend in compose mode: the packaged compose file, seeded and migrated,
    and the checks pass against it."""
    busy = [port for port in GUIDE_PORTS if not port_free(port)]
    if busy:
        pytest.skip(f"the guide's ports {busy} are in use on {LOOPBACK}")
    docker = docker_settings.docker.model_copy(
        update={
            "mode": "compose",
            "compose_files": (PACKAGED_DOCKER_DIR / "compose.standin.yaml",),
        }
    )
    settings = docker_settings.model_copy(update={"docker": docker, "backend": "docker"})
    with open_target(settings, tmp_path / "compose") as target:
        assert target.nexus.url == f"http://{LOOPBACK}:28081"
        assert target.nexus.repository_url == f"http://{LOOPBACK}:28083"
        client = NexusClient(target.nexus)
        assert repositories.hosted_matches(client, target.expected).ok
        old = old_inventory(target.pypiserver)
        assert len(old.files) > 100
        hosted = target.expected.hosted.name
        with requests.Session() as session:
            proof = parity.files_in_hosted(
                old, client, hosted, session, target.nexus.simple(hosted)
            )
        assert proof.ok, proof.problems
    assert all(port_free(port) for port in GUIDE_PORTS), "the stack was not taken down"
