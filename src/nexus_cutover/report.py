"""The checklist report: test results mapped onto the guide's final "Migration Checklist".

One run gives a `RunReport`; it is shown in the terminal (rich), written as JSON (read back by
`migrate decommission`) and as a self-contained HTML page. Every free-text field that came from
a check (messages, test ids) and the target pass through `redact()` before any output.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import textwrap
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args

import jinja2
from pydantic import BaseModel, ConfigDict, ValidationError
from rich.console import Console
from rich.text import Text

from nexus_cutover.catalogue import CHECKLIST, CHECKS, ChecklistItem, check_title
from nexus_cutover.redact import redact

Outcome = Literal["passed", "failed", "skipped"]
# An outcome as the report shows it, telling a not-applicable skip and a never-run check apart.
Status = Literal["passed", "failed", "skipped", "not_applicable", "not_run"]

OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
REPORT_FORMAT = "nexus-cutover-report/1"

_RANK: dict[Status, int] = {
    "passed": 0,
    "not_applicable": 1,
    "not_run": 2,
    "skipped": 3,
    "failed": 4,
}
_LABEL: dict[Status, str] = {
    "passed": "passed",
    "failed": "failed",
    "skipped": "skipped",
    "not_applicable": "n/a",
    "not_run": "not run",
}
_STYLE: dict[Status, str] = {
    "passed": "green",
    "failed": "bold red",
    "skipped": "yellow",
    "not_applicable": "dim",
    "not_run": "yellow",
}
_NOT_RUN_MESSAGE = "not collected in this run"
# Under an item, at most this many results per check ID; the rest are counted.
_RESULTS_PER_CHECK = 3
_ITEM_LABEL_WIDTH = len("SKIPPED") + 1
_STATUS_WIDTH = max(len(label) for label in _LABEL.values())
_ID_WIDTH = max(len(check.id) for check in CHECKS)
_DETAIL_INDENT = _ITEM_LABEL_WIDTH + len("10. ")


class ReportError(Exception):
    """A report file cannot be read or written; the message is one line that names the file."""


@dataclass(frozen=True)
class CheckResult:
    id: str
    outcome: Outcome
    message: str
    test: str
    duration: float
    not_applicable: bool = False

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(
                f"outcome of {self.id} must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}"
            )

    @property
    def status(self) -> Status:
        # The flag only means something on a skip; a pass or failure is never "not applicable".
        if self.outcome == "skipped" and self.not_applicable:
            return "not_applicable"
        return self.outcome


@dataclass(frozen=True)
class ChecklistOutcome:
    item: str
    outcome: Outcome
    checks: tuple[CheckResult, ...]
    check_ids: tuple[str, ...] = ()  # all check IDs of the item, in the catalogue's order

    def check_status(self, check_id: str) -> Status:
        """The worst status among the results of `check_id`; "not_run" when it has none."""
        return worst(result.status for result in self.checks if result.id == check_id)

    @property
    def statuses(self) -> tuple[tuple[str, Status], ...]:
        return tuple((check_id, self.check_status(check_id)) for check_id in self.check_ids)

    @property
    def not_run(self) -> tuple[str, ...]:
        return tuple(check_id for check_id, status in self.statuses if status == "not_run")


@dataclass(frozen=True)
class RunReport:
    target: str
    phase: str
    started: datetime
    finished: datetime
    checks: tuple[CheckResult, ...]

    def checklist(self) -> tuple[ChecklistOutcome, ...]:
        return checklist_outcomes(self.checks)

    @property
    def passed(self) -> bool:
        outcomes = {result.outcome for result in self.checks}
        return "failed" not in outcomes and "passed" in outcomes

    @property
    def verdict(self) -> str:
        """One sentence for a reader who looks at nothing else."""
        failed = sum(result.outcome == "failed" for result in self.checks)
        if failed:
            return f"Not done: {_plural(failed, 'check')} failed."
        if not self.passed:
            return "Nothing proven: no check passed."
        unproven = sum(item.outcome != "passed" for item in self.checklist())
        if unproven:
            return (
                f"No check failed, but {unproven} of {len(CHECKLIST)} checklist items "
                "are not proven yet (checks skipped or not run)."
            )
        return "Migration done: every checklist item is proven."


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of `statuses`; "not_run" when there are none."""
    return max(statuses, key=_RANK.__getitem__, default="not_run")


def checklist_outcomes(results: Sequence[CheckResult]) -> tuple[ChecklistOutcome, ...]:
    """The guide's ten checklist items, in its order, each with the outcome of its checks."""
    return tuple(_item_outcome(item, results) for item in CHECKLIST)


def _item_outcome(item: ChecklistItem, results: Sequence[CheckResult]) -> ChecklistOutcome:
    order = {check_id: index for index, check_id in enumerate(item.checks)}
    ran = tuple(sorted((r for r in results if r.id in order), key=lambda r: order[r.id]))
    not_run = set(item.checks) - {result.id for result in ran}
    return ChecklistOutcome(item.item, _combine(ran, bool(not_run)), ran, item.checks)


def _combine(results: Sequence[CheckResult], some_not_run: bool) -> Outcome:
    statuses = {result.status for result in results}
    if "failed" in statuses:
        return "failed"
    # A skip is never a pass: only "does not apply here" may stand beside passing checks.
    if "passed" in statuses and statuses <= {"passed", "not_applicable"} and not some_not_run:
        return "passed"
    return "skipped"


def proven_count(checklist: Sequence[ChecklistOutcome]) -> int:
    return sum(item.outcome == "passed" for item in checklist)


def headline(checklist: Sequence[ChecklistOutcome]) -> str:
    return f"Migration checklist: {proven_count(checklist)} of {len(checklist)} items proven"


# -- redaction ---------------------------------------------------------------------------------


def redacted(report: RunReport, secrets: Collection[str] = ()) -> RunReport:
    """`report` with URL passwords and the known `secrets` masked in every free-text field."""
    return replace(
        report,
        target=redact(report.target, secrets),
        checks=tuple(
            replace(
                result,
                message=redact(result.message, secrets),
                test=redact(result.test, secrets),
            )
            for result in report.checks
        ),
    )


# -- what is shown under an item that is not proven ------------------------------------------


@dataclass(frozen=True)
class _Problem:
    status: Status
    check_id: str
    message: str


def _problems(item: ChecklistOutcome) -> list[_Problem]:
    """The checks that keep `item` from being proven, worst first, a few results per ID."""
    statuses = [(cid, status) for cid, status in item.statuses if _RANK[status] >= _RANK["not_run"]]
    statuses.sort(key=lambda pair: -_RANK[pair[1]])
    problems: list[_Problem] = []
    for check_id, status in statuses:
        problems.extend(_check_problems(item.checks, check_id, status))
    return problems


def _check_problems(
    results: Sequence[CheckResult], check_id: str, status: Status
) -> list[_Problem]:
    if status == "not_run":
        return [_Problem(status, check_id, _NOT_RUN_MESSAGE)]
    matching = [r for r in results if r.id == check_id and r.status == status]
    shown = [_Problem(status, check_id, _one_line(r.message) or r.test) for r in matching]
    if len(shown) <= _RESULTS_PER_CHECK + 1:
        return shown
    hidden = len(shown) - _RESULTS_PER_CHECK
    more = _Problem(status, check_id, f"... and {hidden} more {_LABEL[status]} results")
    return [*shown[:_RESULTS_PER_CHECK], more]


def _outside_checklist(results: Sequence[CheckResult]) -> list[_Problem]:
    """Non-passing results whose ID is in no checklist item (unknown or mistyped IDs)."""
    listed = {check_id for item in CHECKLIST for check_id in item.checks}
    return [
        _Problem(r.status, r.id, _one_line(r.message) or r.test)
        for r in results
        if r.id not in listed and r.status in ("failed", "skipped")
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def _format_time(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


def _summary(report: RunReport) -> dict[str, int]:
    checklist = report.checklist()
    counts = {status: 0 for status in ("passed", "failed", "skipped", "not_applicable")}
    for result in report.checks:
        counts[result.status] += 1
    counts["not_run"] = sum(len(item.not_run) for item in checklist)
    counts["items_proven"] = proven_count(checklist)
    counts["items"] = len(checklist)
    return counts


def _counts_line(report: RunReport) -> str:
    counts = _summary(report)
    parts = [
        f"{counts['failed']} failed",
        f"{counts['passed']} passed",
        f"{counts['skipped']} skipped",
        f"{counts['not_applicable']} not applicable",
        f"{counts['not_run']} not run",
    ]
    elapsed = (report.finished - report.started).total_seconds()
    return f"{', '.join(parts)} ({_format_duration(elapsed)})"


# -- terminal ----------------------------------------------------------------------------------


def render_terminal(report: RunReport, console: Console, *, secrets: Collection[str] = ()) -> None:
    """Print the checklist summary; reads without colour, at 80 columns and wider."""
    report = redacted(report, secrets)
    checklist = report.checklist()
    # Text objects throughout: messages may hold "[...]", which rich would take as markup.
    console.print(Text(headline(checklist), style="bold"))
    console.print(Text(f"Target: {report.target}"))
    console.print(
        Text(
            f"Phase:  {report.phase}, {_format_time(report.started)} to "
            f"{_format_time(report.finished)}"
        )
    )
    console.print()
    for number, item in enumerate(checklist, start=1):
        console.print(_item_line(number, item))
        if item.outcome != "passed":
            _print_problems(console, _problems(item), _DETAIL_INDENT)
    others = _outside_checklist(report.checks)
    if others:
        console.print()
        console.print(Text("Checks outside the checklist:"))
        _print_problems(console, others, _DETAIL_INDENT)
    console.print()
    result = "PASSED" if report.passed else "FAILED"
    console.print(
        Text.assemble(
            "Result: ",
            (result, "bold green" if report.passed else "bold red"),
            " - ",
            (report.verdict, "bold"),
        )
    )
    console.print(Text(f"Checks: {_counts_line(report)}"))


def _item_line(number: int, item: ChecklistOutcome) -> Text:
    return Text.assemble(
        (item.outcome.upper().ljust(_ITEM_LABEL_WIDTH), _STYLE[item.outcome]),
        f"{number:>2}. {item.item}",
    )


def _print_problems(console: Console, problems: Sequence[_Problem], indent: int) -> None:
    # Fixed columns, so the IDs line up under every item; wrapped by hand for a hanging indent
    # without the trailing padding a rich table would add to CI logs.
    id_width = max([_ID_WIDTH, *(len(p.check_id) for p in problems)])
    hanging = indent + _STATUS_WIDTH + 1 + id_width + 1
    message_width = max(console.width - hanging - 1, 30)
    for problem in problems:
        # The full message is in the JSON and HTML reports; here two lines are enough.
        lines = textwrap.wrap(problem.message, message_width, max_lines=2, placeholder=" ...")
        first = Text.assemble(
            " " * indent,
            (_LABEL[problem.status].ljust(_STATUS_WIDTH), _STYLE[problem.status]),
            " ",
            problem.check_id.ljust(id_width),
            " ",
            lines[0] if lines else "",
        )
        console.print(first, overflow="fold")
        for line in lines[1:]:
            console.print(Text(" " * hanging + line), overflow="fold")


# -- JSON --------------------------------------------------------------------------------------


def to_json_data(report: RunReport) -> dict[str, Any]:
    """The JSON document for `report`, as written by `write_json` (not redacted here)."""
    return {
        "format": REPORT_FORMAT,
        "target": report.target,
        "phase": report.phase,
        "started": report.started.isoformat(),
        "finished": report.finished.isoformat(),
        "passed": report.passed,
        "verdict": report.verdict,
        "summary": _summary(report),
        "checks": [
            {
                "id": result.id,
                "title": _title(result.id),
                "outcome": result.outcome,
                "message": result.message,
                "test": result.test,
                "duration": result.duration,
                "not_applicable": result.not_applicable,
            }
            for result in report.checks
        ],
        "checklist": [
            {
                "item": item.item,
                "outcome": item.outcome,
                "checks": list(item.check_ids),
                "check_outcomes": dict(item.statuses),
            }
            for item in report.checklist()
        ],
    }


def write_json(report: RunReport, path: Path, *, secrets: Collection[str] = ()) -> None:
    data = to_json_data(redacted(report, secrets))
    _write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


class _CheckModel(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True)

    id: str
    outcome: Outcome
    message: str
    test: str = ""
    duration: float = 0.0
    not_applicable: bool = False


class _ReportModel(BaseModel):
    # The checklist in the file is derived data: it is recomputed from the checks, never trusted.
    model_config = ConfigDict(strict=True, frozen=True)

    target: str
    phase: str
    started: datetime
    finished: datetime
    checks: list[_CheckModel]


def read_json(path: Path) -> RunReport:
    """Read a report written by `write_json`; anything else raises `ReportError`."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ReportError(f"{path}: cannot read the report: {error.strerror or error}") from error
    try:
        model = _ReportModel.model_validate_json(raw)
    except ValidationError as error:
        raise ReportError(f"{path}: not a valid report: {_first_error(error)}") from error
    return RunReport(
        target=model.target,
        phase=model.phase,
        started=model.started,
        finished=model.finished,
        checks=tuple(
            CheckResult(
                id=check.id,
                outcome=check.outcome,
                message=check.message,
                test=check.test,
                duration=check.duration,
                not_applicable=check.not_applicable,
            )
            for check in model.checks
        ),
    )


def _first_error(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    text = _one_line(str(first["msg"]))
    more = error.error_count() - 1
    suffix = f" (and {_plural(more, 'more problem')})" if more else ""
    return f"{where}: {text}{suffix}" if where else f"{text}{suffix}"


def _write_text(path: Path, text: str) -> None:
    # Write beside the target and rename, so a reader never sees half a report.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise ReportError(f"{path}: cannot write the report: {error.strerror or error}") from error


# -- HTML --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ItemView:
    number: int
    item: str
    outcome: Outcome
    label: str
    problems: tuple[_Problem, ...]


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
    _write_text(path, render_html(report, secrets=secrets))


def render_html(report: RunReport, *, secrets: Collection[str] = ()) -> str:
    report = redacted(report, secrets)
    checklist = report.checklist()
    template = _environment().get_template("report.html.j2")
    return template.render(
        headline=headline(checklist),
        target=report.target,
        phase=report.phase,
        started=_format_time(report.started),
        finished=_format_time(report.finished),
        verdict=report.verdict,
        verdict_class=_verdict_class(report, checklist),
        counts=_counts_line(report),
        items=[
            _ItemView(
                n, item.item, item.outcome, _ITEM_LABELS[item.outcome], tuple(_problems(item))
            )
            for n, item in enumerate(checklist, start=1)
        ],
        others=_outside_checklist(report.checks),
        rows=_detail_rows(report.checks),
        labels=_LABEL,
    )


def _verdict_class(report: RunReport, checklist: Sequence[ChecklistOutcome]) -> str:
    if not report.passed:
        return "bad"
    return "ok" if proven_count(checklist) == len(checklist) else "open"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("nexus_cutover", "templates"),
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
                    check.id, check.title, "not_run", _LABEL["not_run"], _NOT_RUN_MESSAGE, "", ""
                )
            )
    known = {check.id for check in CHECKS}
    rows.extend(_row(r) for r in results if r.id not in known)
    return rows


def _row(result: CheckResult) -> _RowView:
    return _RowView(
        check_id=result.id,
        title=_title(result.id),
        status=result.status,
        label=_LABEL[result.status],
        message=result.message,
        test=result.test,
        duration=_format_duration(result.duration),
    )


def _title(check_id: str) -> str:
    try:
        return check_title(check_id)
    except KeyError:
        return "(not in the check catalogue)"
