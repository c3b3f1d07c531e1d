"""Step 8: Decommission pypiserver, only after every other check passes."""

from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from nexus_cutover.backends.local import scratch_pypiserver
from nexus_cutover.checks import lifecycle
from nexus_cutover.plugin import NOT_APPLICABLE, phase_checks, require, session_results
from nexus_cutover.target import Target


@pytest.mark.check("DECOM-1")
def test_decommission_only_after_everything_passed(pytestconfig: pytest.Config) -> None:
    """ "Only after verifying all projects work with Nexus!": this run's other checks all passed."""
    require(
        lifecycle.decommission_allowed(session_results(pytestconfig), phase_checks(pytestconfig))
    )


@pytest.mark.check("DECOM-2")
def test_pypiserver_no_longer_answers(target: Target) -> None:
    """docker-compose down: nothing answers at the old index URL any more."""
    if not target.pypiserver.url:
        pytest.skip(f"{NOT_APPLICABLE}: no pypiserver URL is configured")
    require(lifecycle.pypiserver_gone(target.pypiserver))


@pytest.mark.check("DECOM-3")
def test_archived_folder_is_complete(target: Target) -> None:
    """mv packages packages-archived-YYYYMMDD: the archived folder holds every file."""
    require(lifecycle.archive_complete(target.clients.archive_dir, target.clients.backup_archive))


def serve_folder(packages: Path) -> AbstractContextManager[str]:
    return scratch_pypiserver(packages, packages.parent)


@pytest.mark.check("ROLLBACK-1")
def test_backup_restores_into_pypiserver(target: Target, tmp_path: Path) -> None:
    """Rollback plan: the backup, restored, is served by a pypiserver, every file intact."""
    require(lifecycle.backup_restores(target.clients.backup_archive, tmp_path, serve_folder))
