"""Unit tests of the checklist report: outcome rules, terminal, JSON and HTML output."""

from __future__ import annotations

import html
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from nexus_cutover.catalogue import CHECKLIST, CHECKS
from nexus_cutover.report.as_html import write_html
from nexus_cutover.report.as_json import write_json
from nexus_cutover.report.terminal import render_terminal
from nexus_cutover.results import (
    ChecklistOutcome,
    CheckResult,
    Outcome,
    ReportError,
    RunReport,
    checklist_outcomes,
    read_json,
)

STARTED = datetime(2025, 5, 1, 10, 0, 0, tzinfo=UTC)
PASSWORD = "hunter2-Secret"
LEAKY_URL = f"http://deployer:{PASSWORD}@nexus.example:8083/repository/pypi-hosted/"


def result(
    check_id: str,
    outcome: Outcome = "passed",
    message: str = "",
    *,
    not_applicable: bool = False,
    test: str = "",
) -> CheckResult:
    return CheckResult(
        id=check_id,
        outcome=outcome,
        message=message,
        test=test or f"tests/test_x.py::test_{check_id}",
        duration=0.25,
        not_applicable=not_applicable,
    )


def all_passed(*, except_ids: tuple[str, ...] = ()) -> list[CheckResult]:
    return [result(check.id) for check in CHECKS if check.id not in except_ids]


def make_report(results: list[CheckResult], target: str = "nexus http://nexus:8081") -> RunReport:
    return RunReport(
        target=target,
        phase="all",
        started=STARTED,
        finished=STARTED + timedelta(seconds=42.5),
        checks=tuple(results),
    )


def item(results: list[CheckResult], name: str) -> ChecklistOutcome:
    matches = [outcome for outcome in checklist_outcomes(results) if outcome.item == name]
    assert len(matches) == 1, name
    return matches[0]


def terminal_text(
    report: RunReport, width: int = 100, secrets: Sequence[str] = (), verbose: bool = False
) -> str:
    console = Console(record=True, width=width, no_color=True, file=io.StringIO())
    render_terminal(report, console, secrets=secrets, verbose=verbose)
    return console.export_text()


REPOS = "Nexus repositories configured (proxy, hosted, group)"
PACKAGES = "Existing packages uploaded to Nexus"
PUBLISHING = "Test publishing to Nexus"
DECOMMISSION = "Decommission pypiserver"


# -- checklist item rules -------------------------------------------------------------------


def test_every_item_passes_when_every_check_passed() -> None:
    outcomes = checklist_outcomes(all_passed())
    assert [outcome.item for outcome in outcomes] == [entry.item for entry in CHECKLIST]
    assert {outcome.outcome for outcome in outcomes} == {"passed"}
    assert make_report(all_passed()).passed


def test_a_failed_check_fails_its_item_whatever_else_passed() -> None:
    results = [
        *all_passed(except_ids=("REPO-3", "LDAP-1")),
        result("REPO-3", "failed", "group pypi-group lacks member pypi-proxy"),
        result("LDAP-1", "skipped", "no LDAP configured", not_applicable=True),
    ]
    assert item(results, REPOS).outcome == "failed"
    assert not make_report(results).passed


def test_a_not_applicable_skip_still_lets_the_item_pass() -> None:
    results = [
        *all_passed(except_ids=("LDAP-1",)),
        result("LDAP-1", "skipped", "no LDAP configured", not_applicable=True),
    ]
    repos = item(results, REPOS)
    assert repos.outcome == "passed"
    assert repos.check_status("LDAP-1") == "not_applicable"


def test_a_read_only_skip_leaves_the_item_skipped_never_passed() -> None:
    results = [
        *all_passed(except_ids=("PUBLISH-3",)),
        result("PUBLISH-3", "skipped", "--read-only: re-upload writes to pypi-hosted"),
    ]
    assert item(results, PUBLISHING).outcome == "skipped"
    # the run itself passes: nothing failed
    assert make_report(results).passed


def test_checks_that_were_not_run_leave_the_item_skipped() -> None:
    results = all_passed(except_ids=("DECOM-2",))
    decommission = item(results, DECOMMISSION)
    assert decommission.outcome == "skipped"
    assert decommission.not_run == ("DECOM-2",)
    assert decommission.check_status("DECOM-2") == "not_run"
    assert [r.id for r in decommission.checks] == ["DECOM-1"]


def test_an_item_none_of_whose_checks_ran_is_skipped() -> None:
    results = all_passed(except_ids=("DECOM-1", "DECOM-2"))
    decommission = item(results, DECOMMISSION)
    assert decommission.outcome == "skipped"
    assert decommission.checks == ()


def test_only_not_applicable_skips_prove_nothing() -> None:
    results = [
        result(check_id, "skipped", "n/a", not_applicable=True)
        for check_id in ("DECOM-1", "DECOM-2")
    ]
    assert item(results, DECOMMISSION).outcome == "skipped"
    assert not make_report(results).passed


def test_a_repeated_id_takes_the_worst_of_its_results() -> None:
    parity = (
        result("PARITY-1", test="t::sha[a]"),
        result("PARITY-1", "failed", "b-1.0.whl: sha256 differs", test="t::sha[b]"),
        result("PARITY-1", "skipped", "c-1.0.whl: not readable", test="t::sha[c]"),
    )
    results = [*all_passed(except_ids=("PARITY-1",)), *parity]
    packages = item(results, PACKAGES)
    assert packages.check_status("PARITY-1") == "failed"
    assert packages.outcome == "failed"

    without_failure = [r for r in results if r.outcome != "failed"]
    assert item(without_failure, PACKAGES).check_status("PARITY-1") == "skipped"
    assert item(without_failure, PACKAGES).outcome == "skipped"


def test_a_repeated_id_with_a_pass_and_a_not_applicable_skip_still_passes() -> None:
    results = [
        *all_passed(),
        result("LDAP-1", "skipped", "second directory not configured", not_applicable=True),
    ]
    repos = item(results, REPOS)
    assert repos.check_status("LDAP-1") == "not_applicable"
    assert repos.outcome == "passed"


def test_not_applicable_on_a_failure_does_not_hide_it() -> None:
    results = [
        *all_passed(except_ids=("REPO-1",)),
        result("REPO-1", "failed", "x", not_applicable=True),
    ]
    assert item(results, REPOS).outcome == "failed"


def test_a_run_with_nothing_passed_is_not_passed() -> None:
    assert not make_report([]).passed
    assert not make_report([result("PRE-1", "skipped", "--read-only")]).passed


def test_an_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="error"):
        CheckResult("PRE-1", "error", "", "t", 0.0)  # type: ignore[arg-type]


# -- terminal -------------------------------------------------------------------------------


def test_terminal_shows_headline_items_in_order_and_reasons() -> None:
    results = [
        *all_passed(except_ids=("REPO-3", "PUBLISH-3", "DECOM-2")),
        result("REPO-3", "failed", "group pypi-group lacks member pypi-proxy"),
        result("PUBLISH-3", "skipped", "--read-only: re-upload writes to pypi-hosted"),
    ]
    text = terminal_text(make_report(results))

    assert "Migration checklist: 7 of 10 items proven" in text
    positions = [text.index(entry.item) for entry in CHECKLIST]
    assert positions == sorted(positions)
    lines = text.splitlines()
    assert any(line.startswith("FAILED") and REPOS in line for line in lines)
    assert any(line.startswith("SKIPPED") and PUBLISHING in line for line in lines)
    assert any(line.startswith("PASSED") and PACKAGES in line for line in lines)
    assert "REPO-3" in text
    assert "group pypi-group lacks member pypi-proxy" in text
    assert "PUBLISH-3" in text
    assert "--read-only" in text
    assert any("not run" in line and "DECOM-2" in line for line in lines)
    assert "FAILED" in lines[-2]
    assert "1 failed" in lines[-1]


def test_terminal_lines_fit_80_columns_and_long_messages_are_cut() -> None:
    long_message = "sha256 differs: " + " ".join(f"pkg{n}-1.0-py3-none-any.whl" for n in range(60))
    results = [*all_passed(except_ids=("PARITY-1",)), result("PARITY-1", "failed", long_message)]
    text = terminal_text(make_report(results), width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "pkg0-1.0" in text
    assert "pkg59-1.0" not in text
    assert " ..." in text


def test_terminal_caps_the_results_shown_per_check() -> None:
    failures = [result("PARITY-2", "failed", f"file {n} differs") for n in range(10)]
    text = terminal_text(make_report([*all_passed(except_ids=("PARITY-2",)), *failures]))
    assert "file 2 differs" in text
    assert "file 3 differs" not in text
    assert "7 more failed results" in text


def test_terminal_prints_brackets_in_messages_literally() -> None:
    results = [
        *all_passed(except_ids=("DOCKER-3",)),
        result("DOCKER-3", "skipped", "no [bold]docker[/bold]"),
    ]
    assert "no [bold]docker[/bold]" in terminal_text(make_report(results))


def test_terminal_lists_failures_outside_the_checklist() -> None:
    results = [*all_passed(), result("NOPE-1", "failed", "a test with an unknown check ID")]
    text = terminal_text(make_report(results))
    assert "Migration checklist: 10 of 10 items proven" in text
    assert "Checks outside the checklist" in text
    assert "NOPE-1" in text
    assert "Not done" in text


# -- JSON -----------------------------------------------------------------------------------


def test_json_has_the_agreed_shape(tmp_path: Path) -> None:
    results = [
        *all_passed(except_ids=("LDAP-1", "DECOM-2")),
        result("LDAP-1", "skipped", "no LDAP configured", not_applicable=True),
    ]
    path = tmp_path / "out" / "report.json"
    write_json(make_report(results), path)
    data = json.loads(path.read_text(encoding="utf-8"))

    assert [check["id"] for check in data["checks"]] == [r.id for r in results]
    for check in data["checks"]:
        assert {"id", "outcome", "message"} <= check.keys()
        assert check["outcome"] in ("passed", "failed", "skipped")
    assert [entry["item"] for entry in data["checklist"]] == [entry.item for entry in CHECKLIST]
    for entry, expected in zip(data["checklist"], CHECKLIST, strict=True):
        assert entry["checks"] == list(expected.checks)
        assert entry["outcome"] in ("passed", "failed", "skipped")
    repos, decommission = data["checklist"][0], data["checklist"][-1]
    assert repos["outcome"] == "passed"
    assert repos["check_outcomes"]["LDAP-1"] == "not_applicable"
    assert decommission["outcome"] == "skipped"
    assert decommission["check_outcomes"] == {"DECOM-1": "passed", "DECOM-2": "not_run"}
    assert data["passed"] is True
    assert data["phase"] == "all"
    assert data["summary"]["items_proven"] == 9


def test_json_round_trips(tmp_path: Path) -> None:
    report = make_report(
        [
            *all_passed(except_ids=("LDAP-1", "REPO-2")),
            result("LDAP-1", "skipped", "no LDAP configured", not_applicable=True),
            result("REPO-2", "failed", "deployment policy is deny, expected allow — ünïcode"),
            result("REPO-2", "passed", test="t::repo2[second]"),
        ]
    )
    path = tmp_path / "report.json"
    write_json(report, path)
    again = read_json(path)
    assert again == report
    assert again.checklist() == report.checklist()


def test_json_round_trips_naive_timestamps(tmp_path: Path) -> None:
    report = RunReport(
        "t", "health", datetime(2025, 1, 2, 3, 4, 5, 678), datetime(2025, 1, 2, 3, 5), ()
    )
    write_json(report, tmp_path / "report.json")
    assert read_json(tmp_path / "report.json") == report


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "Invalid JSON"),
        ("{not json", "Invalid JSON"),
        ("[]", "should be an object"),
        ('{"target": "t", "phase": "all", "started": "2025-01-01T00:00:00"}', "finished"),
        (
            '{"target": "t", "phase": "all", "started": "2025-01-01T00:00:00",'
            ' "finished": "2025-01-01T00:00:00",'
            ' "checks": [{"id": "PRE-1", "outcome": "maybe", "message": ""}]}',
            "checks.0.outcome",
        ),
        (
            '{"target": "t", "phase": "all", "started": "yesterday",'
            ' "finished": "2025-01-01T00:00:00", "checks": []}',
            "started",
        ),
    ],
)
def test_a_malformed_report_raises_one_line_naming_the_file(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "recorded.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        read_json(path)
    message = str(caught.value)
    assert str(path) in message
    assert reason in message
    assert "\n" not in message


def test_a_missing_report_raises_report_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(ReportError, match=r"absent\.json"):
        read_json(path)


def test_an_unwritable_path_raises_report_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ReportError, match=r"report\.json"):
        write_json(make_report(all_passed()), blocker / "report.json")


# -- HTML -----------------------------------------------------------------------------------


def test_html_shows_every_item_and_every_check(tmp_path: Path) -> None:
    results = [
        *all_passed(except_ids=("REPO-3", "DECOM-2")),
        result("REPO-3", "failed", "group lacks member pypi-proxy"),
    ]
    path = tmp_path / "report.html"
    write_html(make_report(results), path)
    page = path.read_text(encoding="utf-8")

    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Migration checklist: 8 of 10 items proven</title>" in page
    for entry in CHECKLIST:
        assert entry.item in html.unescape(page)
    for check in CHECKS:
        assert f"<code>{check.id}</code>" in page
    assert "group lacks member pypi-proxy" in page
    assert "not run" in page
    assert "Not done: 1 check failed." in page
    # self-contained: no scripts, stylesheets or images from elsewhere
    assert "<script" not in page
    assert "<link" not in page
    assert "src=" not in page


def test_html_escapes_everything(tmp_path: Path) -> None:
    results = [
        *all_passed(except_ids=("SEC-1",)),
        result("SEC-1", "failed", "<script>alert('x')</script> & <b>bold</b>"),
    ]
    path = tmp_path / "report.html"
    write_html(make_report(results, target="<img src=x onerror=alert(1)>"), path)
    page = path.read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


# -- redaction ------------------------------------------------------------------------------


def leaky_report() -> RunReport:
    return make_report(
        [
            *all_passed(except_ids=("PUBLISH-1",)),
            result("PUBLISH-1", "failed", f"twine upload to {LEAKY_URL} answered 403"),
        ],
        target=f"nexus {LEAKY_URL}",
    )


def test_credentials_are_masked_in_the_terminal() -> None:
    text = terminal_text(leaky_report())
    assert PASSWORD not in text
    assert "deployer:****@nexus.example" in text


def test_credentials_are_masked_in_json(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_json(leaky_report(), path)
    content = path.read_text(encoding="utf-8")
    assert PASSWORD not in content
    assert "deployer:****@nexus.example" in content


def test_credentials_are_masked_in_html(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_html(leaky_report(), path)
    content = path.read_text(encoding="utf-8")
    assert PASSWORD not in content
    assert "deployer:****@nexus.example" in content


def test_known_secrets_are_masked_everywhere(tmp_path: Path) -> None:
    token = "tok-3c9f1a"
    report = make_report(
        [*all_passed(except_ids=("TS-5",)), result("TS-5", "failed", f"token {token} was refused")],
        target=f"nexus with token {token}",
    )
    write_json(report, tmp_path / "report.json", secrets=[token])
    write_html(report, tmp_path / "report.html", secrets=[token])
    assert token not in terminal_text(report, secrets=[token])
    assert token not in (tmp_path / "report.json").read_text(encoding="utf-8")
    assert token not in (tmp_path / "report.html").read_text(encoding="utf-8")
