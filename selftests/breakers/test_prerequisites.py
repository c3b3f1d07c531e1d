"""Breakers for PRE-2, ROLLBACK-1 and the DECOM checks: backups, archives, the old server."""

import shutil
from pathlib import Path

from nexus_cutover.migrate import backup
from nexus_cutover.samples import build_canary
from selftests.breakers.lab import Lab, only_failure


def _backup(lab: Lab) -> Path:
    archive = lab.target.clients.backup_archive
    assert archive is not None
    return archive


def test_file_added_after_backup_fails_pre_2(lab: Lab, tmp_path: Path) -> None:
    for path in build_canary(tmp_path, "acme-late", "1.0.0"):
        shutil.copy2(path, lab.services.packages_dir / path.name)
    only_failure(
        lab.run("PRE-2,ROLLBACK-1"),
        "PRE-2",
        "acme_late-1.0.0",
        "missing from the backup",
        "make a new backup",
    )


def test_backup_pypiserver_cannot_serve_fails_rollback_1(lab: Lab, tmp_path: Path) -> None:
    """A backup that restores files where pypiserver does not look (a dot folder)."""
    hidden = tmp_path / "packages" / ".old"
    shutil.copytree(lab.services.packages_dir, hidden)
    _backup(lab).unlink()
    backup(tmp_path / "packages", _backup(lab))
    only_failure(lab.run("ROLLBACK-1,PRE-2"), "ROLLBACK-1", "does not serve")


def test_other_failures_fail_decom_1(lab: Lab) -> None:
    lab.edit("user-config/.pypirc", "[nexus]", "[nexus-old]")
    only_failure(lab.run("DECOM-1,PUBLISH-2,REPO-1"), "DECOM-1", "PUBLISH-2", also=("PUBLISH-2",))


def test_running_pypiserver_fails_decom_2(lab: Lab) -> None:
    verdicts = lab.run("DECOM-2,REPO-1", "--phase", "postcutover")
    only_failure(verdicts, "DECOM-2", "still answers", lab.services.pypiserver_url)


def test_incomplete_archive_fails_decom_3(lab: Lab) -> None:
    archive = lab.services.packages_dir.parent / "packages-archived-20261124"
    shutil.copytree(lab.services.packages_dir, archive)
    (archive / "acme_data-0.9.0.zip").unlink()
    lab.services.pypiserver_control().stop()
    verdicts = lab.run("DECOM-3,DECOM-2", "--phase", "postcutover")
    only_failure(verdicts, "DECOM-3", "acme_data-0.9.0.zip")
