"""Step 4: Update client configuration (pip, project files, requirements, CI pipelines)."""

from collections.abc import Callable, Sequence

import pytest

from nexus_cutover.checks import Proof, clients
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.scan import ScanResult
from nexus_cutover.target import Target


@pytest.mark.check("CLIENT-1")
def test_user_pip_configuration(target: Target, prove: Callable[[Proof], None]) -> None:
    """~/.config/pip/pip.conf (and the other configured files) set index-url to the group."""
    prove(clients.pip_configs_point_at_group(target.clients.pip_config_files, target))


@pytest.mark.check("CLIENT-2")
def test_project_pip_conf(projects: Sequence[ScanResult], prove: Callable[[Proof], None]) -> None:
    """Every project names the group in its pip settings; none relies on a machine-wide one."""
    prove(clients.project_pip_confs(projects))


@pytest.mark.check("CLIENT-3")
def test_requirements_resolve(
    projects: Sequence[ScanResult],
    sandbox: Sandbox,
    target: Target,
    prove: Callable[[Proof], None],
) -> None:
    """Every project's requirements files resolve through the group (pip --dry-run --report)."""
    group = target.nexus.repository(target.expected.group.name)
    prove(
        clients.requirements_resolve(
            sandbox, clients.requirement_files(projects), target.expected, group
        )
    )


@pytest.mark.check("CLIENT-4")
def test_ci_pipelines(projects: Sequence[ScanResult], prove: Callable[[Proof], None]) -> None:
    """GitHub Actions, GitLab CI and Jenkins files use the group and not pypiserver."""
    prove(clients.ci_pipelines(projects))
