"""Pre-Migration Checklist: Nexus runs, a backup exists, projects are listed, a canary works."""

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import requests

from nexus_cutover.checks import Proof, clients, lifecycle, publish, status
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.dists import Inventory
from nexus_cutover.scan import ScanResult
from nexus_cutover.target import Target


@pytest.mark.check("PRE-1")
def test_nexus_is_running(nexus: NexusClient, prove: Callable[[Proof], None]) -> None:
    """Nexus OSS is running: /v1/status and /v1/status/writable answer 200."""
    prove(status.nexus_answers(nexus))


@pytest.mark.check("PRE-4")
def test_canary_project_installs_through_nexus(
    sandbox: Sandbox,
    target: Target,
    canary_app: list[Path],
    nexus: NexusClient,
    nexus_http: requests.Session,
    prove: Callable[[Proof], None],
) -> None:
    """Test Nexus with one project first: a canary app (internal + public dependency)."""
    prove(publish.publish_then_install(sandbox, canary_app, target, nexus, nexus_http))


@pytest.mark.check("PRE-2")
def test_backup_exists_and_is_complete(
    target: Target, old_index: Inventory, prove: Callable[[Proof], None]
) -> None:
    """Backup existing pypiserver packages: the tar.gz opens and holds every file, byte for byte."""
    prove(lifecycle.backup_complete(target.clients.backup_archive, old_index))


@pytest.mark.check("PRE-3")
def test_projects_using_pypiserver_are_documented(
    projects: Sequence[ScanResult],
    project_setup_problems: list[str],
    prove: Callable[[Proof], None],
) -> None:
    """Document all projects using pypiserver: every configured project scans completely."""
    prove(clients.inventory_problems(projects, project_setup_problems))
