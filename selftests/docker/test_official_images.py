"""The docker backend with the official images: only where they are present or may be pulled
(NEXUS_CUTOVER_DOCKER_PULL=1); no registry is reachable on this project's machines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from nexus_cutover.backends.docker import missing_images, start_docker
from nexus_cutover.backends.seeding import run_sample_migration
from nexus_cutover.config import DockerSettings, Settings, load_settings

pytestmark = [pytest.mark.official_images, pytest.mark.slow]


@pytest.fixture
def official(engine: None) -> DockerSettings:
    options = load_settings(
        environ={
            k: v
            for k, v in os.environ.items()
            if k != "NEXUS_CUTOVER_NEXUS_IMAGE" and k != "NEXUS_CUTOVER_PYPISERVER_IMAGE"
        }
    ).docker
    missing = missing_images([options.nexus_image, options.pypiserver_image])
    if missing and os.environ.get("NEXUS_CUTOVER_DOCKER_PULL") != "1":
        pytest.skip(
            f"official images {', '.join(missing)} are not present and cannot be pulled"
            " here (no container registry is reachable); where one is, set"
            " NEXUS_CUTOVER_DOCKER_PULL=1"
        )
    return options


def test_official_images_serve_the_sample_migration(
    official: DockerSettings, docker_settings: Settings, tmp_path: Path
) -> None:
    settings = docker_settings.model_copy(update={"docker": official})
    services = start_docker(settings, tmp_path / "docker")
    try:
        target = run_sample_migration(services, settings)
        page = requests.get(f"{target.nexus.simple('pypi-group')}acme-utils/", timeout=60)
        assert page.status_code == 200
        assert "acme_utils-1.1.0" in page.text
        assert target.nexus.log_dir is not None
        assert (target.nexus.log_dir / "request.log").is_file()
    finally:
        services.stop()
