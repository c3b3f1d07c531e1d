"""Breaker for DOCKER-3: a Dockerfile whose pip install cannot resolve through Nexus."""

from selftests.breakers.lab import Lab, only_failure
from selftests.docker.conftest import engine

__all__ = ["engine"]


def test_unresolvable_install_in_dockerfile_fails_docker_3(engine: None, lab: Lab) -> None:
    path = lab.projects / "maestro-hive" / "Dockerfile"
    path.write_text(
        path.read_text(encoding="utf-8") + "RUN pip install acme-not-published\n", encoding="utf-8"
    )
    only_failure(
        lab.run("DOCKER-3,DOCKER-1"), "DOCKER-3", "maestro-hive/Dockerfile", "acme-not-published"
    )
