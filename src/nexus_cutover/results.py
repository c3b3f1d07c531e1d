"""The result of one run: each check's outcome, mapped onto the guide's Migration Checklist.

Written by the pytest plugin, rendered by `report/` (terminal, JSON, HTML, JUnit), and read
back from JSON by the decommission gate. Every free-text field that came from a check passes
through `redacted()` before any output.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from nexus_cutover.catalogue import CHECKLIST, ChecklistItem
from nexus_cutover.redact import redact

Outcome = Literal["passed", "failed", "skipped"]
# An outcome as the report shows it, telling a not-applicable skip and a never-run check apart.
Status = Literal["passed", "failed", "skipped", "not_applicable", "not_run"]

OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
REPORT_FORMAT = "nexus-cutover-report/1"
# A pass that deserves attention: its evidence starts with this (e.g. an instance at 80% of its
# usage limits, a health check run as an admin). Still a pass: never counted as a failure.
WARNING_PREFIX = "warning: "

RANK: dict[Status, int] = {
    "passed": 0,
    "not_applicable": 1,
    "not_run": 2,
    "skipped": 3,
    "failed": 4,
}


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
    evidence: str = ""  # what a pass proved, one line

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(
                f"outcome of {self.id} must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}"
            )

    @property
    def warning(self) -> str | None:
        """The warning a pass carries (its evidence's first part), None for a plain pass."""
        if self.outcome != "passed" or not self.evidence.startswith(WARNING_PREFIX):
            return None
        return self.evidence.removeprefix(WARNING_PREFIX).split(" | ", 1)[0]

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
    config_file: str | None = None  # the configuration file of the run, if any
    # The check IDs a partial run (--checks) selected; None for a full run of the phase.
    selected: tuple[str, ...] | None = None
    # The check IDs of the run's phase; None: every check of the catalogue.
    phase_checks: tuple[str, ...] | None = None
    # The target's addresses by name (nexus_url, repository_url, pypiserver_url).
    urls: tuple[tuple[str, str], ...] = ()

    def checklist(self) -> tuple[ChecklistOutcome, ...]:
        return checklist_outcomes(self.checks, self.selected or self.phase_checks)

    @property
    def passed(self) -> bool:
        outcomes = {result.outcome for result in self.checks}
        return "failed" not in outcomes and "passed" in outcomes

    @property
    def proven(self) -> bool:
        """Every checklist item of the run is proven (nothing failed, skipped or not run)."""
        return self.passed and all(item.outcome == "passed" for item in self.checklist())

    @property
    def verdict(self) -> str:
        """One sentence for a reader who looks at nothing else."""
        failed = sum(result.outcome == "failed" for result in self.checks)
        if failed:
            return f"Not done: {plural(failed, 'check')} failed."
        if not self.passed:
            return "Nothing proven: no check passed."
        checklist = self.checklist()
        unproven = sum(item.outcome != "passed" for item in checklist)
        if unproven:
            return (
                f"No check failed, but {unproven} of {len(checklist)} checklist items "
                "are not proven yet (checks skipped or not run)."
            )
        if self.selected is not None:
            return (
                f"The selected checks passed ({', '.join(self.selected)}); a partial run"
                " proves only those, not the migration."
            )
        return PROVEN_VERDICTS.get(self.phase, PROVEN_VERDICTS["all"])


# What a run that proved every item of its phase may claim, and no more.
PROVEN_VERDICTS = {
    "precutover": "Ready for the cutover: every pre-cutover checklist item is proven.",
    "postcutover": "Migration done: every post-cutover checklist item is proven.",
    "health": "Healthy: every checklist item of the health phase is proven.",
    "all": "Migration done: every checklist item is proven.",
}


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of `statuses`; "not_run" when there are none."""
    return max(statuses, key=RANK.__getitem__, default="not_run")


def checklist_outcomes(
    results: Sequence[CheckResult], selected: Sequence[str] | None = None
) -> tuple[ChecklistOutcome, ...]:
    """The guide's checklist items, in its order, each with the outcome of its checks.

    `selected` (a partial run, or the checks of the run's phase): only the items with such a
    check are shown, each with just those checks.
    """
    if selected is None:
        return tuple(_item_outcome(item, results) for item in CHECKLIST)
    wanted = set(selected)
    partial = (
        ChecklistItem(item.item, tuple(c for c in item.checks if c in wanted)) for item in CHECKLIST
    )
    return tuple(_item_outcome(item, results) for item in partial if item.checks)


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


def headline(checklist: Sequence[ChecklistOutcome], phase: str = "all") -> str:
    scope = "" if phase == "all" else f" ({phase} phase)"
    return f"Migration checklist{scope}: {proven_count(checklist)} of {len(checklist)} items proven"


def redacted(report: RunReport, secrets: Collection[str] = ()) -> RunReport:
    """`report` with URL passwords and the known `secrets` masked in every free-text field."""
    return replace(
        report,
        target=redact(report.target, secrets),
        checks=tuple(
            replace(
                result,
                message=redact(result.message, secrets),
                evidence=redact(result.evidence, secrets),
                test=redact(result.test, secrets),
            )
            for result in report.checks
        ),
    )


class _CheckModel(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True)

    id: str
    outcome: Outcome
    message: str
    test: str = ""
    duration: float = 0.0
    not_applicable: bool = False
    evidence: str = ""


class _ReportModel(BaseModel):
    # The checklist in the file is derived data: it is recomputed from the checks, never trusted.
    model_config = ConfigDict(strict=True, frozen=True)

    target: str
    phase: str
    started: datetime
    finished: datetime
    checks: list[_CheckModel]
    config_file: str | None = None
    selected: list[str] | None = None
    phase_checks: list[str] | None = None
    urls: dict[str, str] | None = None


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
                evidence=check.evidence,
            )
            for check in model.checks
        ),
        config_file=model.config_file,
        selected=tuple(model.selected) if model.selected is not None else None,
        phase_checks=tuple(model.phase_checks) if model.phase_checks is not None else None,
        urls=tuple((model.urls or {}).items()),
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def one_line(text: str) -> str:
    return " ".join(text.split())


def _first_error(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    text = one_line(str(first["msg"]))
    more = error.error_count() - 1
    suffix = f" (and {plural(more, 'more problem')})" if more else ""
    return f"{where}: {text}{suffix}" if where else f"{text}{suffix}"
