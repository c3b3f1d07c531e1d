"""decommission (refused, then done with a passing report) and rollback, on real services."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nexus_cutover import cli, migrate
from nexus_cutover.backends.local import LocalServices
from nexus_cutover.clients.pypiserver import PypiserverClient
from nexus_cutover.dists import inventory_folder, sha256_of
from nexus_cutover.migrate.state import StatePaths
from nexus_cutover.report.as_json import write_json
from nexus_cutover.results import CheckResult, Outcome, RunReport
from nexus_cutover.target import Target


def record_run(target: Target, outcome: Outcome) -> None:
    """What the pytest plugin leaves in the state dir after a full run."""
    finished = datetime.now(UTC)
    run = RunReport(
        target=target.describe(),
        phase="precutover",
        started=finished - timedelta(minutes=2),
        finished=finished,
        checks=(
            CheckResult("PARITY-1", "passed", "", "t::parity", 1.0),
            CheckResult("CLIENT-2", outcome, "", "t::client", 1.0),
        ),
    )
    write_json(run, StatePaths(target.state_dir).report)


def answers(target: Target) -> bool:
    return PypiserverClient(target.pypiserver).answers()


def test_decommission_is_refused_without_a_passing_run(
    target: Target, services: LocalServices, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(migrate.RefusedError, match="no acceptance report"):
        migrate.decommission(target)
    record_run(target, "failed")
    with pytest.raises(migrate.RefusedError, match="did not pass"):
        migrate.decommission(target)
    state = services.root.parent
    assert cli.main(["--state-dir", str(state), "migrate", "decommission"]) == 1
    assert cli.main(["--state-dir", str(state), "migrate", "decommission", "--force"]) == 2
    out = capsys.readouterr().err
    assert "decommission refused: the last acceptance run" in out
    assert "--force needs --reason TEXT" in out
    assert answers(target)
    assert services.packages_dir.is_dir()


def test_decommission_archives_verified_then_stops_and_rollback_brings_it_back(
    target: Target, services: LocalServices, tmp_path: Path
) -> None:
    packages = services.packages_dir
    served = {d.filename: d.sha256 for d in inventory_folder(packages).files}
    archive = tmp_path / "backup.tar.gz"
    migrate.backup(packages, archive)
    migrate.remember(StatePaths(target.state_dir).latest_backup, archive)
    record_run(target, "passed")

    dry = migrate.decommission(target, dry_run=True)
    assert (dry.copied, dry.stopped, dry.removed) == (len(served), True, True)
    assert answers(target)

    done = migrate.decommission(target)
    expected_archive = packages.parent / f"packages-archived-{datetime.now():%Y%m%d}"
    assert done.archive == expected_archive
    assert {p.name: sha256_of(p) for p in expected_archive.iterdir()} == served
    assert (done.verified, done.stopped, done.removed) == (len(served), True, True)
    assert not packages.exists()
    assert not answers(target)
    record = json.loads(StatePaths(target.state_dir).decommission.read_text(encoding="utf-8"))
    assert record["forced"] is False

    again = migrate.decommission(target)
    assert (again.copied, again.stopped, again.removed) == (0, False, False)

    back = migrate.rollback(target)
    assert back.restored is not None
    assert len(back.restored.restored) == len(served)
    assert back.started_pypiserver
    assert answers(target)
    old_index = PypiserverClient(target.pypiserver).inventory()
    assert {d.filename: d.sha256 for d in old_index.files} == served


def test_a_forced_decommission_records_its_reason(
    target: Target, services: LocalServices, capsys: pytest.CaptureFixture[str]
) -> None:
    StatePaths(target.state_dir).report.unlink(missing_ok=True)
    state = services.root.parent
    code = cli.main(
        [
            "--state-dir",
            str(state),
            "migrate",
            "decommission",
            "--force",
            "--reason",
            "old disk failing",
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "gate: forced: old disk failing" in out
    record = json.loads(StatePaths(target.state_dir).decommission.read_text(encoding="utf-8"))
    assert (record["forced"], record["why"]) == (True, "forced: old disk failing")
    assert not answers(target)
