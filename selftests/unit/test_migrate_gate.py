"""Unit tests of decommission's gate: a recent passing acceptance run on this target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nexus_cutover.config import ClientSettings, Expected
from nexus_cutover.errors import ConfigError
from nexus_cutover.migrate.decommission import check_gate, decommission
from nexus_cutover.report.as_json import write_json
from nexus_cutover.results import CheckResult, Outcome, RunReport
from nexus_cutover.target import NexusEndpoint, PypiserverEndpoint, Target

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TARGET = Target(
    backend="external",
    nexus=NexusEndpoint("http://nexus.example:8081", "http://nexus.example:8083", None),
    pypiserver=PypiserverEndpoint("http://old.example:8888", None, None),
    expected=Expected(),
    clients=ClientSettings(),
    state_dir=Path("/nonexistent"),
)


def report(
    tmp_path: Path,
    outcome: Outcome = "passed",
    *,
    age: timedelta = timedelta(hours=1),
    target: str | None = None,
    phase: str = "precutover",
) -> Path:
    finished = NOW - age
    run = RunReport(
        target=target or TARGET.describe(),
        phase=phase,
        started=finished - timedelta(minutes=3),
        finished=finished,
        checks=(
            CheckResult("PARITY-1", "passed", "", "t::a", 1.0),
            CheckResult("REPO-1", outcome, "drift", "t::b", 1.0),
        ),
    )
    path = tmp_path / "last-report.json"
    write_json(run, path)
    return path


def test_a_recent_passing_run_opens_the_gate(tmp_path: Path) -> None:
    gate = check_gate(TARGET, report(tmp_path), now=NOW)
    assert (gate.allowed, gate.forced) == (True, False)
    assert "passed on this target" in gate.why


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: p / "missing.json", "no acceptance report"),
        (lambda p: report(p, "failed"), "did not pass"),
        (lambda p: report(p, age=timedelta(hours=30)), "30.0 h old"),
        (lambda p: report(p, target="Nexus http://other:8081, backend local"), "another target"),
        (lambda p: report(p, target="Nexus http://nexus.example:80810 (x)"), "another target"),
        (lambda p: report(p, phase="health"), "not a pre-cutover run"),
        (lambda p: report(p, "skipped"), "left checks unproven (REPO-1)"),
    ],
)
def test_the_gate_stays_shut_and_says_why(
    tmp_path: Path, make: Callable[[Path], Path], why: str
) -> None:
    gate = check_gate(TARGET, make(tmp_path), now=NOW)
    assert not gate.allowed
    assert why in gate.why


def test_an_unreadable_report_shuts_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "last-report.json"
    path.write_text("{}", encoding="utf-8")
    gate = check_gate(TARGET, path, now=NOW)
    assert not gate.allowed
    assert "not a valid report" in gate.why


def test_force_needs_a_reason(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--force needs --reason"):
        check_gate(TARGET, tmp_path / "none.json", force=True, reason="  ")
    gate = check_gate(TARGET, tmp_path / "none.json", force=True, reason="pypiserver disk died")
    assert (gate.allowed, gate.forced, gate.why) == (True, True, "forced: pypiserver disk died")


def test_an_external_decommission_prints_the_steps_and_touches_nothing(tmp_path: Path) -> None:
    result = decommission(replace(TARGET, state_dir=tmp_path), force=True, reason="disk died")
    assert (result.archive, result.stopped, result.removed) == (None, False, False)
    assert result.steps[0].startswith("stop pypiserver")
