"""configure and its undo on a copy of the sample projects that still use pypiserver."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nexus_cutover import migrate
from nexus_cutover.config import ClientSettings, Expected
from nexus_cutover.migrate.errors import JournalError
from nexus_cutover.migrate.state import StatePaths
from nexus_cutover.scan import IndexReference, scan_context, scan_tree
from nexus_cutover.target import Credentials, NexusEndpoint, PypiserverEndpoint, Target

OLD_PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects" / "old"
SECRETS = ("Hunter2", "s3cr3t-pypiserver")  # passwords the old fixture files hold
REPOSITORIES = "http://127.0.0.1:28083"
ALIAS = "http://maestro-nexus:8083"


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    copy = tmp_path / "projects"
    shutil.copytree(OLD_PROJECTS, copy)
    return copy


@pytest.fixture
def target(tmp_path: Path) -> Target:
    return Target(
        backend="external",
        nexus=NexusEndpoint(
            "http://127.0.0.1:28081", REPOSITORIES, Credentials("admin", "admin-pw")
        ),
        pypiserver=PypiserverEndpoint("http://localhost:8888", None, None),
        expected=Expected(nexus_aliases=(ALIAS,)),
        clients=ClientSettings(),
        state_dir=tmp_path / "state",
    )


def old_references(projects: Path, target: Target) -> list[IndexReference]:
    result = scan_tree(projects, scan_context(target))
    return [r for r in result.references if r.classification == "old-index"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_configure_leaves_no_old_index_reference_and_a_second_run_changes_nothing(
    projects: Path, target: Target
) -> None:
    assert old_references(projects, target)
    result = migrate.configure(target, [projects])
    assert len(result.files) == 23
    assert old_references(projects, target) == []

    hive = (projects / "maestro-hive" / "pip.conf").read_text(encoding="utf-8")
    assert f"index-url = {REPOSITORIES}/repository/pypi-group/simple\n" in hive
    assert hive.startswith("# Project pip configuration for maestro-hive (pypiserver era)\n")
    pypirc = (projects / "user-config" / ".pypirc").read_text(encoding="utf-8")
    assert f"[pypiserver]\nrepository = {REPOSITORIES}/repository/pypi-hosted/\n" in pypirc
    assert pypirc.endswith(f"\n[nexus]\nrepository = {REPOSITORIES}/repository/pypi-hosted/\n")
    assert "index-servers =\n    pypiserver\n    nexus\n" in pypirc
    # .pypirc copied into an image by worker.Dockerfile: the alias
    copied_rc = (projects / "ledger-worker" / ".pypirc").read_text(encoding="utf-8")
    assert f"repository = {ALIAS}/repository/pypi-hosted/" in copied_rc
    # inside image builds: the Docker-side alias, also for the pip.conf a Dockerfile copies
    docker = (projects / "billing-api" / "Dockerfile").read_text(encoding="utf-8")
    assert f"ARG PIP_INDEX_URL={ALIAS}/repository/pypi-group/simple" in docker
    assert "ARG PIP_TRUSTED_HOST=maestro-nexus" in docker
    assert "# RUN pip install -i http://localhost:8888/simple" in docker  # comments stay
    copied = (projects / "billing-api" / "docker" / "pip.conf").read_text(encoding="utf-8")
    assert f"index-url = {ALIAS}/repository/pypi-group/simple" in copied
    # no credential written: the password in the old CI URL is gone, nothing new appeared
    ci = (projects / "maestro-hive" / ".github" / "workflows" / "ci.yml").read_text("utf-8")
    assert "Hunter2" not in ci
    assert any("credentials in the old URL were not carried over" in n for n in result.notes)

    before = snapshot(projects)
    again = migrate.configure(target, [projects])
    assert again.files == ()
    assert snapshot(projects) == before


def test_a_dry_run_shows_masked_diffs_and_writes_nothing(projects: Path, target: Target) -> None:
    before = snapshot(projects)
    result = migrate.configure(target, [projects], dry_run=True)
    assert snapshot(projects) == before
    assert not StatePaths(target.state_dir).journal.exists()
    text = "\n".join(result.diffs)
    assert f"+index-url = {REPOSITORIES}/repository/pypi-group/simple" in text
    assert '-  PIP_TRUSTED_HOST: "pypi-server"' in text
    assert all(secret not in text for secret in SECRETS)
    assert "http://deploy:****@localhost:8888/simple" in text


def test_the_journal_holds_no_credential_and_rollback_restores_exact_bytes(
    projects: Path, target: Target
) -> None:
    migrate.configure(target, [projects])
    paths = StatePaths(target.state_dir)
    journal = paths.journal.read_text(encoding="utf-8")
    assert all(secret not in journal for secret in SECRETS)
    assert {c.path for c in migrate.Journal(paths).changes()} >= {
        str(projects / "maestro-hive" / "pip.conf")
    }

    result = migrate.rollback(target)
    assert result.undone is not None
    assert len(result.undone.restored) == 23
    assert snapshot(projects) == snapshot(OLD_PROJECTS)
    assert migrate.Journal(paths).changes() == []
    assert result.steps  # external backend: starting pypiserver is the user's


def test_rollback_refuses_a_file_edited_since_and_names_it(projects: Path, target: Target) -> None:
    migrate.configure(target, [projects])
    edited = projects / "maestro-hive" / "requirements.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "requests\n", encoding="utf-8")
    untouched = projects / "user-config" / "pip.conf"
    rewritten = untouched.read_bytes()
    with pytest.raises(JournalError, match=r"maestro-hive/requirements\.txt"):
        migrate.rollback(target)
    assert untouched.read_bytes() == rewritten

    result = migrate.rollback(target, skip_changed=True)
    assert result.undone is not None
    assert result.undone.refused == (edited,)
    assert untouched.read_bytes() == (OLD_PROJECTS / "user-config" / "pip.conf").read_bytes()
    assert edited.read_text(encoding="utf-8").endswith("requests\n")


def test_a_missing_path_is_refused_before_anything_changes(projects: Path, target: Target) -> None:
    before = snapshot(projects)
    with pytest.raises(migrate.MigrationError, match="no such file or folder"):
        migrate.configure(target, [projects, projects / "nope"])
    assert snapshot(projects) == before
