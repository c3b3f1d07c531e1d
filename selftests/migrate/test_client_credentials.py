"""Credentials stay where they belong: configure strips pypiserver's login from .pypirc
sections it points at Nexus, the journal's copies of user files are owner-only, and
`rollback --purge` / decommission delete them. Through the real command line."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

OLD_PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects" / "old"
OLD_PASSWORD = "s3cr3t-pypiserver"  # what the sample user .pypirc stores for pypiserver


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder)}
    return subprocess.run(
        [sys.executable, "-m", "nexus_cutover", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(OLD_PROJECTS, tmp_path / "projects")
    (tmp_path / "cutover.toml").write_text(
        'backend = "external"\n'
        "[nexus]\n"
        'url = "http://127.0.0.1:9"\n'
        "[pypiserver]\n"
        'url = "http://localhost:8888"\n'
        "[expected]\n"
        'old_index_urls = ["http://localhost:8888/simple", "http://pypi-server:8888/simple"]\n',
        encoding="utf-8",
    )
    return tmp_path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_configure_removes_the_old_login_and_the_journal_keeps_owner_only_copies(
    workspace: Path,
) -> None:
    pypirc = workspace / "projects" / "user-config" / ".pypirc"
    before = pypirc.read_bytes()
    assert OLD_PASSWORD.encode() in before

    configured = cli(workspace, "migrate", "configure", "projects")
    assert configured.returncode == 0, configured.stderr
    text = pypirc.read_text(encoding="utf-8")
    assert "[pypiserver]\nrepository = http://127.0.0.1:9/repository/pypi-hosted/\n" in text
    assert "username" not in text
    assert "password" not in text
    note = (
        f"note: {pypirc}: removed pypiserver's username and password from [pypiserver],"
        " which now uploads to Nexus; give twine the Nexus login as TWINE_USERNAME and"
        " TWINE_PASSWORD, in the keyring"
    )
    assert note in " ".join(configured.stdout.split())
    assert OLD_PASSWORD not in configured.stdout + configured.stderr

    journal = workspace / ".cutover" / "journal"
    originals = journal / "originals"
    copies = sorted(originals.iterdir())
    assert copies
    assert {mode(copy) for copy in copies} == {0o600}
    assert (mode(journal), mode(originals), mode(journal / "configure.jsonl")) == (
        0o700,
        0o700,
        0o600,
    )
    assert OLD_PASSWORD not in (journal / "configure.jsonl").read_text(encoding="utf-8")

    rolled_back = cli(workspace, "migrate", "rollback", "--purge")
    assert rolled_back.returncode == 0, rolled_back.stdout + rolled_back.stderr
    assert pypirc.read_bytes() == before  # the exact bytes, the old login included
    assert f"purged: {originals} holds no copies of client files any more" in rolled_back.stdout
    assert not originals.exists()


def test_purge_keeps_the_copies_while_changes_are_still_recorded(workspace: Path) -> None:
    assert cli(workspace, "migrate", "configure", "projects").returncode == 0
    edited = workspace / "projects" / "maestro-hive" / "pip.conf"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited since\n", encoding="utf-8")
    result = cli(workspace, "migrate", "rollback", "--skip-changed", "--purge")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not purged: " in result.stdout
    assert any((workspace / ".cutover" / "journal" / "originals").iterdir())


def test_decommission_deletes_the_kept_copies(workspace: Path) -> None:
    packages = workspace / "packages"
    packages.mkdir()
    (packages / "demo-1.0.tar.gz").write_bytes(b"not really, but a file to archive\n")
    with (workspace / "cutover.toml").open("a", encoding="utf-8") as config:
        config.write(f'[clients]\narchive_dir = "{workspace / "archived"}"\n')
    config_text = (workspace / "cutover.toml").read_text(encoding="utf-8")
    (workspace / "cutover.toml").write_text(
        config_text.replace("[pypiserver]\n", f'[pypiserver]\npackages_dir = "{packages}"\n'),
        encoding="utf-8",
    )
    assert cli(workspace, "migrate", "configure", "projects").returncode == 0
    originals = workspace / ".cutover" / "journal" / "originals"
    assert any(originals.iterdir())
    result = cli(
        workspace, "migrate", "decommission", "--force", "--reason", "self-test", "--no-progress"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kept copies of client files" in result.stdout
    assert not originals.exists()
