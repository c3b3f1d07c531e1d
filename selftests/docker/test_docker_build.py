"""DOCKER-3 on a real engine: builds resolve through the group of the docker backend's Nexus."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from nexus_cutover.backends.docker import DockerServices
from nexus_cutover.backends.processes import LOOPBACK
from nexus_cutover.checks.docker_build import dockerfiles_build
from nexus_cutover.target import Target

from .conftest import build_options, request_log

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "projects"
GUIDE_NEXUS = "maestro-nexus:8083"  # the Docker-side name and port the fixtures use
OLD_INDEX_PORT = 8888


def migrated_copy(name: str, tmp_path: Path, nexus_port: int) -> Path:
    """A migrated fixture project whose Docker-side Nexus URL has this Nexus's port."""
    project = tmp_path / name
    shutil.copytree(FIXTURES / "migrated" / name, project)
    for path in project.rglob("*"):
        if path.is_file() and GUIDE_NEXUS in path.read_text(encoding="utf-8"):
            text = path.read_text(encoding="utf-8")
            path.write_text(
                text.replace(GUIDE_NEXUS, f"maestro-nexus:{nexus_port}"), encoding="utf-8"
            )
    return project


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((LOOPBACK, port)) != 0


def test_migrated_dockerfile_builds_through_the_group(
    migrated: Target, docker_services: DockerServices, tmp_path: Path
) -> None:
    project = migrated_copy("billing-api", tmp_path, docker_services.nexus_port)
    before = len(request_log(docker_services))
    assert dockerfiles_build([project], migrated, build_options()).ok
    during = request_log(docker_services)[before:]
    simple = "/repository/pypi-group/simple/acme-utils/"
    assert any(simple in line for line in during), "pip in the build never asked the group"


def test_old_dockerfile_fails_with_the_build_log_tail(migrated: Target, tmp_path: Path) -> None:
    if not port_free(OLD_INDEX_PORT):
        pytest.skip(f"something listens on {LOOPBACK}:{OLD_INDEX_PORT}, the old index's port")
    project = tmp_path / "billing-api"
    shutil.copytree(FIXTURES / "old" / "billing-api", project)
    problems = dockerfiles_build([project], migrated, build_options()).problems
    assert len(problems) == 1
    assert problems[0].startswith("billing-api/Dockerfile does not build: ")
    assert "pypi-server:8888" in problems[0]
    assert "\x1b[" not in problems[0]


def test_heredocs_build_on_a_builder_without_them(
    migrated: Target, docker_services: DockerServices, tmp_path: Path
) -> None:
    group = f"http://maestro-nexus:{docker_services.nexus_port}/repository/pypi-group/simple"
    project = tmp_path / "heredocs"
    project.mkdir()
    (project / "Dockerfile").write_text(
        "FROM python:3.11-slim\n"
        "RUN cat > /etc/pip.conf <<EOF\n"
        "[global]\n"
        f"index-url = {group}\n"
        "trusted-host = maestro-nexus\n"
        "EOF\n"
        "COPY <<EOF /app/requirements.txt\n"
        "acme-utils==1.1.0\n"
        "EOF\n"
        "RUN <<EOF\n"
        "set -e\n"
        "pip install --no-cache-dir -r /app/requirements.txt\n"
        "python -c 'import acme_utils'\n"
        "EOF\n",
        encoding="utf-8",
    )
    options = build_options().model_copy(update={"heredocs": "translate"})
    assert dockerfiles_build([project], migrated, options).ok


def test_missing_base_image_is_reported_not_pulled(migrated: Target, tmp_path: Path) -> None:
    project = tmp_path / "unmapped"
    project.mkdir()
    (project / "Dockerfile").write_text(
        "FROM nexus-cutover/not-built:0\nRUN pip install acme-utils\n", encoding="utf-8"
    )
    options = build_options().model_copy(update={"pull": False})
    problems = dockerfiles_build([project], migrated, options).problems
    assert problems == [
        "unmapped/Dockerfile cannot be built here: base image"
        " nexus-cutover/not-built:0 is not present and pulls are off; map it"
        " to a local image (NEXUS_CUTOVER_BASE_IMAGES) or pull it"
    ]
