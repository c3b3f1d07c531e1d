"""What every renderer shows the same way: labels, the problems under an item, counts."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nexus_cutover.catalogue import CHECKLIST, CHECKS, check_title
from nexus_cutover.results import (
    RANK,
    ChecklistOutcome,
    CheckResult,
    ReportError,
    RunReport,
    Status,
    one_line,
    proven_count,
)

LABEL: dict[Status, str] = {
    "passed": "passed",
    "failed": "failed",
    "skipped": "skipped",
    "not_applicable": "n/a",
    "not_run": "not run",
}
STYLE: dict[Status, str] = {
    "passed": "green",
    "failed": "bold red",
    "skipped": "yellow",
    "not_applicable": "dim",
    "not_run": "yellow",
}
NOT_RUN_MESSAGE = "not collected in this run"
# Under an item, at most this many results per check ID; the rest are counted.
RESULTS_PER_CHECK = 3
ITEM_LABEL_WIDTH = len("SKIPPED") + 1
STATUS_WIDTH = max(len(label) for label in LABEL.values())
ID_WIDTH = max(len(check.id) for check in CHECKS)
DETAIL_INDENT = ITEM_LABEL_WIDTH + len("10. ")


@dataclass(frozen=True)
class Problem:
    status: Status
    check_id: str
    message: str


def item_problems(item: ChecklistOutcome) -> list[Problem]:
    """The checks that keep `item` from being proven, worst first, a few results per ID."""
    statuses = [(cid, status) for cid, status in item.statuses if RANK[status] >= RANK["not_run"]]
    statuses.sort(key=lambda pair: -RANK[pair[1]])
    problems: list[Problem] = []
    for check_id, status in statuses:
        problems.extend(_checkitem_problems(item.checks, check_id, status))
    return problems


def _checkitem_problems(
    results: Sequence[CheckResult], check_id: str, status: Status
) -> list[Problem]:
    if status == "not_run":
        return [Problem(status, check_id, NOT_RUN_MESSAGE)]
    matching = [r for r in results if r.id == check_id and r.status == status]
    shown = [Problem(status, check_id, one_line(r.message) or r.test) for r in matching]
    if len(shown) <= RESULTS_PER_CHECK + 1:
        return shown
    hidden = len(shown) - RESULTS_PER_CHECK
    more = Problem(status, check_id, f"... and {hidden} more {LABEL[status]} results")
    return [*shown[:RESULTS_PER_CHECK], more]


def evidence_lines(item: ChecklistOutcome) -> list[Problem]:
    """What each passing check of `item` proved, one line each."""
    return [
        Problem("passed", r.id, r.evidence or "passed (no evidence recorded)")
        for r in item.checks
        if r.status == "passed"
    ]


def warning_lines(item: ChecklistOutcome) -> list[Problem]:
    """The warnings of passing checks of `item` (shown even when evidence is not)."""
    return [Problem("passed", r.id, f"warning: {r.warning}") for r in item.checks if r.warning]


def outside_checklist(results: Sequence[CheckResult]) -> list[Problem]:
    """Non-passing results whose ID is in no checklist item (unknown or mistyped IDs)."""
    listed = {check_id for item in CHECKLIST for check_id in item.checks}
    return [
        Problem(r.status, r.id, one_line(r.message) or r.test)
        for r in results
        if r.id not in listed and r.status in ("failed", "skipped")
    ]


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def format_time(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


def summary(report: RunReport) -> dict[str, int]:
    checklist = report.checklist()
    counts = {status: 0 for status in ("passed", "failed", "skipped", "not_applicable")}
    for result in report.checks:
        counts[result.status] += 1
    counts["not_run"] = sum(len(item.not_run) for item in checklist)
    counts["items_proven"] = proven_count(checklist)
    counts["items"] = len(checklist)
    return counts


def counts_line(report: RunReport) -> str:
    counts = summary(report)
    warned = sum(result.warning is not None for result in report.checks)
    parts = [
        f"{counts['failed']} failed",
        f"{counts['passed']} passed" + (f" ({warned} with warnings)" if warned else ""),
        f"{counts['skipped']} skipped",
        f"{counts['not_applicable']} not applicable",
        f"{counts['not_run']} not run",
    ]
    elapsed = (report.finished - report.started).total_seconds()
    return f"{', '.join(parts)} ({format_duration(elapsed)})"


def write_text(path: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees half a report."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise ReportError(f"{path}: cannot write the report: {error.strerror or error}") from error


def title(check_id: str) -> str:
    try:
        return check_title(check_id)
    except KeyError:
        return "(not in the check catalogue)"
