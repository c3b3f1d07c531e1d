"""report.html: one self-contained page a cutover meeting can read."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from nexus_cutover.catalogue import CHECKLIST, CHECKS
from nexus_cutover.report.common import (
    LABEL,
    NOT_RUN_MESSAGE,
    Problem,
    counts_line,
    format_duration,
    format_time,
    item_problems,
    outside_checklist,
    title,
    write_text,
)
from nexus_cutover.results import (
    ChecklistOutcome,
    CheckResult,
    Outcome,
    RunReport,
    Status,
    headline,
    proven_count,
    redacted,
)


@dataclass(frozen=True)
class _ItemView:
    number: int
    item: str
    outcome: Outcome
    label: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _RowView:
    check_id: str
    title: str
    status: Status
    label: str
    message: str
    test: str
    duration: str


_ITEM_LABELS: dict[Outcome, str] = {
    "passed": "Proven",
    "failed": "Failed",
    "skipped": "Not proven",
}


def write_html(report: RunReport, path: Path, *, secrets: Collection[str] = ()) -> None:
    write_text(path, render_html(report, secrets=secrets))


def render_html(report: RunReport, *, secrets: Collection[str] = ()) -> str:
    report = redacted(report, secrets)
    checklist = report.checklist()
    template = _environment().get_template("report.html.j2")
    return template.render(
        headline=headline(checklist, report.phase),
        target=report.target,
        config_file=report.config_file,
        phase=report.phase,
        started=format_time(report.started),
        finished=format_time(report.finished),
        verdict=report.verdict,
        verdict_class=_verdict_class(report, checklist),
        counts=counts_line(report),
        items=[
            _ItemView(
                n, item.item, item.outcome, _ITEM_LABELS[item.outcome], tuple(item_problems(item))
            )
            for n, item in enumerate(checklist, start=1)
        ],
        others=outside_checklist(report.checks),
        rows=_detail_rows(report.checks),
        labels=LABEL,
    )


def _verdict_class(report: RunReport, checklist: Sequence[ChecklistOutcome]) -> str:
    if not report.passed:
        return "bad"
    return "ok" if proven_count(checklist) == len(checklist) else "open"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("nexus_cutover.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _detail_rows(results: Sequence[CheckResult]) -> list[_RowView]:
    """Every result in catalogue order, a "not run" row for each check without one, then the
    results whose ID is not in the catalogue."""
    rows: list[_RowView] = []
    listed = {check_id for item in CHECKLIST for check_id in item.checks}
    for check in CHECKS:
        matching = [r for r in results if r.id == check.id]
        rows.extend(_row(r) for r in matching)
        if not matching and check.id in listed:
            rows.append(
                _RowView(
                    check.id, check.title, "not_run", LABEL["not_run"], NOT_RUN_MESSAGE, "", ""
                )
            )
    known = {check.id for check in CHECKS}
    rows.extend(_row(r) for r in results if r.id not in known)
    return rows


def _row(result: CheckResult) -> _RowView:
    return _RowView(
        check_id=result.id,
        title=title(result.id),
        status=result.status,
        label=LABEL[result.status],
        message=result.message or result.evidence,
        test=result.test,
        duration=format_duration(result.duration),
    )
