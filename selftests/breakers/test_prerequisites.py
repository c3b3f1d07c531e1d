"""Breakers for PRE-2, ROLLBACK-1 and the DECOM checks: backups, archives, the old server."""

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_cutover.migrate import backup
from nexus_cutover.samples import build_canary
from selftests.breakers.lab import Lab, Verdict, only_failure


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A listener on loopback whose connections are accepted by the kernel, never answered."""
    server = socket.create_server(("127.0.0.1", 0), backlog=16)
    try:
        yield int(server.getsockname()[1])
    finally:
        server.close()


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


def test_stopped_pypiserver_passes_decom_2(lab: Lab) -> None:
    lab.services.pypiserver_control().stop()
    verdicts = lab.run("DECOM-2,REPO-1", "--phase", "postcutover")
    assert verdicts["DECOM-2"].outcome == "passed", verdicts


def _decom_2(lab: Lab, url: str) -> dict[str, Verdict]:
    lab.services.pypiserver_control().stop()
    return lab.run(
        "DECOM-2,REPO-1", "--phase", "postcutover", "--pypiserver-url", url, external=True
    )


def test_name_that_does_not_resolve_fails_decom_2(lab: Lab) -> None:
    """A DNS name removed first proves nothing about the server behind it."""
    verdicts = _decom_2(lab, "http://pypi-server.invalid:8888")
    only_failure(verdicts, "DECOM-2", "pypi-server.invalid does not resolve")


def test_address_that_never_answers_fails_decom_2(lab: Lab, silent_port: int) -> None:
    """Something accepts connections but never answers (a firewall, a hung server)."""
    verdicts = _decom_2(lab, f"http://127.0.0.1:{silent_port}")
    only_failure(verdicts, "DECOM-2", "no answer within", "not a stopped one")


def test_tls_error_fails_decom_2(lab: Lab) -> None:
    """https at the old address gets no TLS handshake: a TLS error is not a refusal."""
    verdicts = _decom_2(lab, f"https://127.0.0.1:{lab.services.ports.nexus}")
    only_failure(verdicts, "DECOM-2", "TLS error")


def test_no_pypiserver_url_leaves_decom_2_unproven(lab: Lab) -> None:
    lab.services.pypiserver_control().stop()
    verdicts = _decom_2(lab, "")
    assert verdicts["DECOM-2"].outcome == "skipped", verdicts
    assert verdicts["DECOM-2"].message.startswith("not proven"), verdicts


def test_empty_backup_manifest_fails_rollback_1(lab: Lab, tmp_path: Path) -> None:
    """A backup of an empty folder is consistent with itself and restores nothing."""
    empty = tmp_path / "packages"
    empty.mkdir()
    (empty / "README").write_text("moved elsewhere\n", encoding="utf-8")
    _backup(lab).unlink()
    backup(empty, _backup(lab))
    verdicts = lab.run("ROLLBACK-1,REPO-1")
    only_failure(verdicts, "ROLLBACK-1", "lists no distribution file")


def test_backup_of_another_folder_fails_rollback_1(lab: Lab, tmp_path: Path) -> None:
    """The backup is complete by its own manifest, but it is not the old index's folder."""
    other = tmp_path / "packages"
    shutil.copytree(lab.services.packages_dir, other)
    (other / "acme_data-0.9.0.zip").unlink()
    _backup(lab).unlink()
    backup(other, _backup(lab))
    verdicts = lab.run("ROLLBACK-1,REPO-1")
    only_failure(verdicts, "ROLLBACK-1", "acme_data-0.9.0.zip")


def test_archive_of_another_folder_fails_decom_3(lab: Lab) -> None:
    """The archived folder matches nothing of the backup it should hold."""
    archive = lab.services.packages_dir.parent / "packages-archived-20261124"
    archive.mkdir()
    shutil.copy2(lab.services.packages_dir / "acme_data-0.9.0.zip", archive)
    lab.services.pypiserver_control().stop()
    verdicts = lab.run("DECOM-3,DECOM-2", "--phase", "postcutover")
    only_failure(verdicts, "DECOM-3", "lacks or changed")


def test_incomplete_archive_fails_decom_3(lab: Lab) -> None:
    archive = lab.services.packages_dir.parent / "packages-archived-20261124"
    shutil.copytree(lab.services.packages_dir, archive)
    (archive / "acme_data-0.9.0.zip").unlink()
    lab.services.pypiserver_control().stop()
    verdicts = lab.run("DECOM-3,DECOM-2", "--phase", "postcutover")
    only_failure(verdicts, "DECOM-3", "acme_data-0.9.0.zip")
