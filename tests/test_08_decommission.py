"""Step 8: Decommission pypiserver, only after every other check passes."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from nexus_cutover.backends.local import scratch_pypiserver
from nexus_cutover.checks import Proof, lifecycle
from nexus_cutover.dists import Inventory
from nexus_cutover.plugin import phase_checks, session_results
from nexus_cutover.target import Target


@pytest.mark.check("DECOM-1")
def test_decommission_only_after_everything_passed(
    pytestconfig: pytest.Config, prove: Callable[[Proof], None]
) -> None:
    """ "Only after verifying all projects work with Nexus!": this run's other checks all passed."""
    prove(lifecycle.decommission_allowed(session_results(pytestconfig), phase_checks(pytestconfig)))


@pytest.mark.check("DECOM-2")
def test_pypiserver_no_longer_answers(target: Target, prove: Callable[[Proof], None]) -> None:
    """docker-compose down: the old address refuses connections (or a replacement says 404/410)."""
    if not target.pypiserver.url:
        pytest.skip(
            "not proven: no pypiserver URL is configured (pypiserver.url), so nothing shows"
            " that the old index stopped answering"
        )
    prove(lifecycle.pypiserver_gone(target.pypiserver.url))


@pytest.mark.check("DECOM-3")
def test_archived_folder_is_complete(target: Target, prove: Callable[[Proof], None]) -> None:
    """mv packages packages-archived-YYYYMMDD: the archived folder holds every file."""
    prove(
        lifecycle.archive_complete(
            target.clients.archive_dir, target.clients.backup_archive, target.pypiserver
        )
    )


def serve_folder(packages: Path) -> AbstractContextManager[str]:
    return scratch_pypiserver(packages, packages.parent)


@pytest.mark.check("ROLLBACK-1")
def test_backup_restores_into_pypiserver(
    target: Target, tmp_path: Path, old_index: Inventory, prove: Callable[[Proof], None]
) -> None:
    """Rollback plan: the backup, restored, serves every file of the old index, intact."""
    prove(
        lifecycle.backup_restores(target.clients.backup_archive, tmp_path, serve_folder, old_index)
    )
