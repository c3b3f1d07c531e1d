"""The `migrate` steps through the real command line: output, exit codes, no secrets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nexus_cutover import cli
from nexus_cutover.backends.local import LocalServices

OLD_PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects" / "old"


def run(services: LocalServices, *args: str) -> int:
    return cli.main(["--state-dir", str(services.root.parent), "migrate", *args])


def test_backup_then_rollback_dry_run(
    services: LocalServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "b.tar.gz"
    assert run(services, "backup", "--archive", str(archive), "--dry-run") == 0
    assert not archive.exists()
    assert run(services, "backup", "--archive", str(archive), "--no-progress") == 0
    assert run(services, "backup", "--archive", str(archive), "--no-progress") == 0
    out = capsys.readouterr().out
    count = len(list(services.packages_dir.iterdir()))
    assert f"would create {archive} with {count} files" in out
    assert "each file verified by reading the archive back" in out
    assert "verified, unchanged" in out

    assert run(services, "rollback", "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"from {archive} ({count} already there)" in out


def test_configure_dry_run_prints_a_diff_without_passwords(
    services: LocalServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    projects = tmp_path / "projects"
    shutil.copytree(OLD_PROJECTS, projects)
    assert run(services, "configure", str(projects), "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"+++ {projects}/" in out
    assert "/repository/pypi-group/simple" in out
    assert "Hunter2" not in out
    assert "s3cr3t-pypiserver" not in out
    assert "summary: would rewrite" in out


def test_bad_input_is_one_line_and_exit_2(
    services: LocalServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(services, "upload", "--from", str(tmp_path)) == 2  # nothing provisioned here
    assert run(services, "backup", "--packages", str(tmp_path / "missing")) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(lines) == 2
    assert lines[0].startswith(
        "nexus-cutover: error: the hosted repository 'pypi-hosted' does"
        " not exist on http://127.0.0.1:"
    )
    assert lines[0].endswith("; run `nexus-cutover migrate provision` first")
    assert lines[1] == f"nexus-cutover: error: {tmp_path / 'missing'}: packages folder not found"
