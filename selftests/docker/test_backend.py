"""The docker backend: both containers start, the Target works, the migration code runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from nexus_cutover.backends.docker import (
    LOCAL_PYTHON_IMAGE,
    DockerServices,
    container_status,
    load_docker,
    start_docker,
)
from nexus_cutover.checks import troubleshooting
from nexus_cutover.config import Settings
from nexus_cutover.dists import parse_filename
from nexus_cutover.errors import ServiceStartError
from nexus_cutover.target import Target

from .conftest import docker_options

pytestmark = pytest.mark.slow


def test_target_reaches_both_containers(
    docker_services: DockerServices, docker_settings: Settings
) -> None:
    target = docker_services.target(docker_settings)
    assert target.backend == "docker"
    assert docker_services.alive()
    status = requests.get(f"{target.nexus.rest_url}/v1/status/writable", timeout=10)
    assert status.status_code == 200
    assert target.nexus.credentials is not None
    repositories = requests.get(
        f"{target.nexus.rest_url}/v1/repositories",
        auth=target.nexus.credentials.as_tuple(),
        timeout=10,
    )
    assert repositories.status_code == 200, repositories.text


def test_pypiserver_serves_the_seeded_packages(
    docker_services: DockerServices, docker_settings: Settings
) -> None:
    target = docker_services.target(docker_settings)
    seeded = sorted(p.name for p in docker_services.packages_dir.iterdir())
    assert seeded, "no sample packages were seeded"
    listing = requests.get(f"{target.pypiserver.url}/packages/", timeout=10)
    assert listing.status_code == 200
    for name in seeded:
        assert name in listing.text
    first = docker_services.packages_dir / seeded[0]
    download = requests.get(f"{target.pypiserver.url}/packages/{seeded[0]}", timeout=10)
    assert download.content == first.read_bytes()


def test_uploads_need_the_pypiserver_user(
    docker_services: DockerServices, docker_settings: Settings
) -> None:
    target = docker_services.target(docker_settings)
    anonymous = requests.post(
        f"{target.pypiserver.url}/", data={":action": "file_upload"}, timeout=10
    )
    assert anonymous.status_code in (401, 403)


def test_sample_migration_runs_against_the_containers(
    migrated: Target, docker_services: DockerServices
) -> None:
    assert migrated.backend == "docker"
    group = migrated.nexus.simple(migrated.expected.group.name)
    for path in docker_services.packages_dir.iterdir():
        project = parse_filename(path.name)[0]  # normalised, as pip asks for it
        page = requests.get(f"{group}{project}/", timeout=30)
        assert page.status_code == 200
        assert path.name in page.text, f"{path.name} missing from the group's page"
    wheel = next(docker_services.packages_dir.glob("acme_utils-1.1.0-*.whl"))
    link = f"{migrated.nexus.repository('pypi-group')}packages/acme-utils/1.1.0/{wheel.name}"
    assert requests.get(link, timeout=30).content == wheel.read_bytes()


def test_nexus_log_folder_is_readable_on_the_host(migrated: Target) -> None:
    """TS-10 reads /nexus-data/log through the bind mount, as for a real Nexus."""
    assert migrated.nexus.log_dir is not None
    lines = troubleshooting.request_log_lines(migrated.nexus.log_dir)
    assert any("/repository/pypi-hosted/" in line for line in lines)


def test_state_is_reusable_and_stop_removes_the_containers(
    engine: None, docker_settings: Settings, tmp_path: Path
) -> None:
    services = start_docker(docker_settings, tmp_path / "docker", seed=())
    try:
        again = load_docker(tmp_path / "docker")
        assert again is not None
        assert again.nexus == services.nexus
        assert again.target(docker_settings).nexus.url == services.nexus_url
    finally:
        services.stop()
    assert container_status(services.nexus) == "removed"
    assert services.pypiserver is not None
    assert container_status(services.pypiserver) == "removed"
    assert load_docker(tmp_path / "docker") is None


def test_a_container_that_dies_fails_with_its_log(
    engine: None, docker_settings: Settings, tmp_path: Path
) -> None:
    # The Python image's default command exits at once: Nexus "stops while starting".
    options = docker_options().model_copy(
        update={"nexus_image": LOCAL_PYTHON_IMAGE, "pull": False, "nexus_start_timeout": 30}
    )
    settings = docker_settings.model_copy(update={"docker": options})
    with pytest.raises(ServiceStartError, match=r"Nexus container .* stopped .* last lines"):
        start_docker(settings, tmp_path / "docker", seed=())
    assert load_docker(tmp_path / "docker") is None


def test_a_missing_image_is_not_pulled_when_pulls_are_off(
    engine: None, docker_settings: Settings, tmp_path: Path
) -> None:
    options = docker_options().model_copy(
        update={"nexus_image": "nexus-cutover/not-built:0", "pull": False}
    )
    settings = docker_settings.model_copy(update={"docker": options})
    with pytest.raises(ServiceStartError, match=r"not present and pulling is off.*docker-setup"):
        start_docker(settings, tmp_path / "docker", seed=())
