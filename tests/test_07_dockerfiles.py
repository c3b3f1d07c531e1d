"""Step 7: Update Dockerfiles."""

from collections.abc import Sequence

import pytest

from nexus_cutover.checks import clients
from nexus_cutover.plugin import require
from nexus_cutover.scan import ScanResult

pytestmark = pytest.mark.phase("precutover", "postcutover", "health")


@pytest.mark.check("DOCKER-1")
def test_no_dockerfile_names_old_index(projects: Sequence[ScanResult]) -> None:
    """No Dockerfile line references pypiserver."""
    require(clients.dockerfiles_free_of_old_index(projects))


@pytest.mark.check("DOCKER-2")
def test_installing_dockerfiles_use_group(projects: Sequence[ScanResult]) -> None:
    """Each Dockerfile that pip-installs names the group (flag, ENV/ARG or copied pip.conf)."""
    require(clients.dockerfiles_use_group(projects))
