"""Step 7: Update Dockerfiles."""

from collections.abc import Callable, Sequence

import pytest

from nexus_cutover.backends.docker import docker_unavailable
from nexus_cutover.checks import Proof, clients, docker_build
from nexus_cutover.config import Settings
from nexus_cutover.plugin import NOT_APPLICABLE
from nexus_cutover.scan import ScanResult
from nexus_cutover.target import Target


def _dockerfiles_or_skip(projects: Sequence[ScanResult]) -> None:
    if not clients.dockerfiles(projects):
        pytest.skip(f"{NOT_APPLICABLE}: no Dockerfile in the {len(projects)} configured projects")


@pytest.mark.check("DOCKER-1")
def test_no_dockerfile_names_old_index(
    projects: Sequence[ScanResult], prove: Callable[[Proof], None]
) -> None:
    """No Dockerfile line references pypiserver."""
    _dockerfiles_or_skip(projects)
    prove(clients.dockerfiles_free_of_old_index(projects))


@pytest.mark.check("DOCKER-2")
def test_installing_dockerfiles_use_group(
    projects: Sequence[ScanResult], prove: Callable[[Proof], None]
) -> None:
    """Each Dockerfile that pip-installs names the group (flag, ENV/ARG or copied pip.conf)."""
    _dockerfiles_or_skip(projects)
    prove(clients.dockerfiles_use_group(projects))


@pytest.mark.check("DOCKER-3")
def test_installing_dockerfiles_build(
    target: Target,
    settings: Settings,
    projects: Sequence[ScanResult],
    prove: Callable[[Proof], None],
) -> None:
    """Each Dockerfile that pip-installs builds, with pip resolving through the group."""
    _dockerfiles_or_skip(projects)
    reason = docker_unavailable()
    if reason:
        message = f"DOCKER-3 builds images and needs a Docker engine: {reason}"
        if settings.docker_build.without_docker == "fail":
            pytest.fail(f"{message} (docker_build.without_docker = fail)", pytrace=False)
        pytest.skip(f"{message} (docker_build.without_docker = skip)")
    prove(docker_build.dockerfiles_build(target.clients.projects, target, settings.docker_build))
