"""Step 4: Update client configuration (pip, project files, requirements, CI pipelines)."""

from collections.abc import Sequence

import pytest

from nexus_cutover.checks import clients
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.plugin import require
from nexus_cutover.scan import ScanResult
from nexus_cutover.target import Target


@pytest.mark.check("CLIENT-1")
def test_user_pip_configuration(target: Target) -> None:
    """~/.config/pip/pip.conf (and the other configured files) set index-url to the group."""
    require(clients.pip_configs_point_at_group(target.clients.pip_config_files, target))


@pytest.mark.check("CLIENT-2")
def test_project_pip_conf(projects: Sequence[ScanResult]) -> None:
    """Every project pip.conf points at the group."""
    require(clients.project_pip_confs(projects))


@pytest.mark.check("CLIENT-3")
def test_requirements_resolve(
    projects: Sequence[ScanResult], sandbox: Sandbox, target: Target
) -> None:
    """Every project's requirements files resolve through the group (pip --dry-run --report)."""
    group = target.nexus.repository(target.expected.group.name)
    require(
        clients.requirements_resolve(
            sandbox, clients.requirement_files(projects), target.expected, group
        )
    )


@pytest.mark.check("CLIENT-4")
def test_ci_pipelines(projects: Sequence[ScanResult]) -> None:
    """GitHub Actions, GitLab CI and Jenkins files use the group and not pypiserver."""
    require(clients.ci_pipelines(projects))
