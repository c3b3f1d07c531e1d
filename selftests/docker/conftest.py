"""The docker backend on a real engine, with the local images of .ci/docker-setup.

Without an engine, or without those images, every test that needs them is skipped with the
reason; NEXUS_CUTOVER_REQUIRE_DOCKER=1 (CI, after .ci/docker-setup) turns that into a failure,
so a CI run cannot pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from nexus_cutover.backends.docker import (
    DockerServices,
    docker_unavailable,
    local_images,
    missing_images,
    start_docker,
)
from nexus_cutover.checks.docker_build import local_build_images
from nexus_cutover.config import DockerBuildSettings, DockerSettings, Settings, load_settings
from nexus_cutover.target import Target

REQUIRE = os.environ.get("NEXUS_CUTOVER_REQUIRE_DOCKER", "") in ("1", "true", "yes")


def environment_settings() -> Settings:
    """The local images of .ci/docker-setup, changed by the NEXUS_CUTOVER_* variables."""
    base = load_settings(environ={})
    local = base.model_copy(update={"docker": local_images(), "docker_build": local_build_images()})
    from_env = load_settings(environ=dict(os.environ))
    changed_docker = from_env.docker.model_dump(exclude_defaults=True)
    changed_build = from_env.docker_build.model_dump(exclude_defaults=True)
    return local.model_copy(
        update={
            "docker": local.docker.model_copy(update=changed_docker),
            "docker_build": local.docker_build.model_copy(update=changed_build),
        }
    )


def docker_options() -> DockerSettings:
    return environment_settings().docker


def build_options() -> DockerBuildSettings:
    return environment_settings().docker_build


def not_usable() -> str | None:
    reason = docker_unavailable()
    if reason:
        return reason
    options = docker_options()
    needed = [options.nexus_image, options.pypiserver_image, *build_options().base_images.values()]
    missing = missing_images(dict.fromkeys(needed))
    if missing:
        return f"images {', '.join(missing)} are missing: run .ci/docker-setup"
    return None


@pytest.fixture(scope="session")
def engine() -> None:
    """Skips (or, under NEXUS_CUTOVER_REQUIRE_DOCKER, fails) unless Docker can run the tests."""
    reason = not_usable()
    if reason and REQUIRE:
        pytest.fail(f"NEXUS_CUTOVER_REQUIRE_DOCKER is set but {reason}", pytrace=False)
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return environment_settings().model_copy(
        update={"state_dir": tmp_path_factory.mktemp("docker-state"), "backend": "docker"}
    )


@pytest.fixture(scope="session")
def docker_services(
    engine: None, docker_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DockerServices]:
    """Both containers, pypiserver seeded with the sample packages, Nexus empty."""
    services = start_docker(docker_settings, tmp_path_factory.mktemp("docker"))
    try:
        yield services
    finally:
        services.stop()


@pytest.fixture(scope="session")
def migrated(docker_services: DockerServices, docker_settings: Settings) -> Target:
    """The guide's Steps 1-4 done by the local backend's own code, against the containers."""
    from nexus_cutover.backends.seeding import run_sample_migration

    return run_sample_migration(docker_services, docker_settings)


def request_log(services: DockerServices) -> list[str]:
    path = services.nexus_data / "log" / "request.log"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "official_images: needs sonatype/nexus3 and pypiserver/pypiserver themselves"
    )
