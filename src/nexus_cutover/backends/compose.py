"""The docker backend's compose mode: the compose file users run by hand, through pytest-docker.

`docker/compose.yaml` (official images, published on the guide's loopback ports) or
`docker/compose.standin.yaml` (the local images on the host network) is brought up with
pytest-docker's `get_docker_services`, with the packages folder and Nexus's data folder bound
to this run's state folder so the sample migration and TS-10 see them.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nexus_cutover.backends.base import StartedServices, prepare_secrets, write_secret
from nexus_cutover.backends.processes import LOOPBACK
from nexus_cutover.backends.readiness import HttpReady, wait_until_responsive
from nexus_cutover.backends.seeding import sample_dists, seed_packages, seed_projects
from nexus_cutover.config import Settings
from nexus_cutover.errors import ServiceStartError
from nexus_cutover.resources import DOCKER_DIR

# The guide's ports, as docker/compose*.yaml publish them.
NEXUS_PORT, REPOSITORY_PORT, PYPISERVER_PORT = 28081, 28083, 8888
ADMIN123 = "admin123"  # the compose files set NEXUS_SECURITY_RANDOMPASSWORD=false
NEXUS_UID = 200


def compose_command() -> str:
    """Compose v2 (`docker compose`) where present, else v1 (`docker-compose`)."""
    v2 = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if v2.returncode == 0:
        return "docker compose"
    if shutil.which("docker-compose"):
        return "docker-compose"
    raise ServiceStartError("docker.mode = compose needs `docker compose` or `docker-compose`")


@dataclass(frozen=True)
class ComposeService:
    """One service of the stack as a ServiceControl (pypiserver, for decommission)."""

    execute: object
    service: str

    def running(self) -> bool:
        output = self._run(f"ps -q {self.service}")
        return bool(output.strip())

    def start(self) -> None:
        self._run(f"start {self.service}")

    def stop(self) -> None:
        self._run(f"stop {self.service}")

    def _run(self, subcommand: str) -> str:
        run = self.execute
        assert callable(run)
        return bytes(run(subcommand)).decode("utf-8", "replace")


@dataclass(frozen=True)
class ComposeServices(StartedServices):
    root: Path
    execute: object  # pytest-docker's DockerComposeExecutor.execute

    @property
    def nexus_url(self) -> str:
        return f"http://{LOOPBACK}:{NEXUS_PORT}"

    @property
    def repository_url(self) -> str:
        return f"http://{LOOPBACK}:{REPOSITORY_PORT}"

    @property
    def pypiserver_url(self) -> str:
        return f"http://{LOOPBACK}:{PYPISERVER_PORT}"

    def pypiserver_control(self) -> ComposeService:
        return ComposeService(self.execute, "pypi-server")

    def stop(self) -> None:
        """Done by pytest-docker's clean-up (`down -v`) when the session ends."""


def compose_files(settings: Settings) -> list[Path]:
    files = list(settings.docker.compose_files) or [DOCKER_DIR / "compose.yaml"]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise ServiceStartError(f"compose file(s) not found: {', '.join(missing)}")
    return files


@contextmanager
def compose_services(settings: Settings, workdir: Path) -> Iterator[ComposeServices]:
    """The stack of `docker.compose_files`, seeded, for as long as the block runs."""
    from pytest_docker.plugin import DockerComposeExecutor, get_docker_services

    root = workdir
    prepare_secrets(root / "secrets")
    seed_packages(root / "pypiserver" / "packages", sample_dists(settings))
    seed_projects(root, fresh=False)
    data = root / "nexus-data"
    data.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(data, NEXUS_UID, NEXUS_UID)
    # The compose files read these variables; pytest-docker runs the command through a
    # shell, so they go in front of it rather than into this process's environment.
    variables = {
        "NEXUS_IMAGE": settings.docker.nexus_image,
        "PYPISERVER_IMAGE": settings.docker.pypiserver_image,
        "PACKAGES_DIR": str(root / "pypiserver" / "packages"),
        "NEXUS_DATA": str(data),
    }
    command = " ".join(
        ["env", *(f"{k}={shlex.quote(v)}" for k, v in variables.items()), compose_command()]
    )
    files = [str(f) for f in compose_files(settings)]
    project = f"nexus-cutover-{secrets.token_hex(4)}"
    executor = DockerComposeExecutor(command, files, project)
    try:
        with get_docker_services(command, files, project, ["up -d"], ["down -v"]):
            services = ComposeServices(root, executor.execute)
            _wait(services, settings, files)
            write_secret(root / "secrets" / "nexus-admin", ADMIN123)
            yield services
    except Exception as error:  # pytest-docker raises a bare Exception for a failing command
        if isinstance(error, ServiceStartError):
            raise
        raise ServiceStartError(
            f"docker compose ({' '.join(map(shlex.quote, files))}): {error}"
        ) from None


def _wait(services: ComposeServices, settings: Settings, files: list[str]) -> None:
    for url, what, timeout in (
        (
            f"{services.pypiserver_url}/health",
            "pypiserver",
            settings.docker.pypiserver_start_timeout,
        ),
        (
            f"{services.nexus_url}/service/rest/v1/status/writable",
            "Nexus",
            settings.docker.nexus_start_timeout,
        ),
    ):
        wait_until_responsive(
            HttpReady(url), what=f"{what} of {files[0]}", timeout=timeout, pause=0.5
        )
