"""Step 8: retire pypiserver, only once the acceptance suite has proven the migration.

Refused unless the last full run of the suite on this target passed recently (the report the
pytest plugin leaves in the state dir), or `force` is given with a reason, which is recorded.
Then the packages folder is copied to `packages-archived-YYYYMMDD` and every copy is checked
against its original before anything is stopped or removed; the guide's `mv` becomes
copy, verify, stop, remove.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console

from nexus_cutover.archive import folder_files
from nexus_cutover.atomic import atomic_path
from nexus_cutover.dists import sha256_of
from nexus_cutover.errors import ConfigError
from nexus_cutover.migrate.errors import MigrationError, RefusedError
from nexus_cutover.migrate.journal import Journal
from nexus_cutover.migrate.progress import Advance, progress_bar
from nexus_cutover.migrate.state import StatePaths, read_json, write_json_atomic
from nexus_cutover.migrate.stragglers import refuse_while_stragglers
from nexus_cutover.results import ReportError
from nexus_cutover.results import read_json as read_report
from nexus_cutover.target import ServiceControl, Target

DEFAULT_MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class Gate:
    allowed: bool
    why: str
    forced: bool = False


@dataclass(frozen=True)
class DecommissionResult:
    gate: Gate
    archive: Path | None
    copied: int
    verified: int
    stopped: bool
    removed: bool
    steps: tuple[str, ...]  # what the user must do by hand (external backend)
    dry_run: bool
    purged: int = 0  # the journal's copies of client files deleted (configure is final now)


# -- the gate -------------------------------------------------------------------------------


# Runs whose results may open the gate: the whole pre-cutover suite (or every phase at once).
GATING_PHASES = ("precutover", "all")


def check_gate(
    target: Target,
    report_path: Path,
    *,
    force: bool = False,
    reason: str | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
    now: datetime | None = None,
) -> Gate:
    if force:
        if not reason or not reason.strip():
            raise ConfigError(
                "--force needs --reason TEXT: why decommission without a passing acceptance run"
            )
        return Gate(True, f"forced: {reason.strip()}", forced=True)
    if not report_path.is_file():
        return Gate(
            False,
            f"no acceptance report at {report_path}: run the whole suite"
            " (`nexus-cutover run`) against this target first",
        )
    try:
        report = read_report(report_path)
    except ReportError as error:
        return Gate(False, str(error))
    finished = report.finished if report.finished.tzinfo else report.finished.astimezone()
    if not report.passed:
        return Gate(
            False,
            f"the last acceptance run ({finished:%Y-%m-%d %H:%M}) did not pass: {report.verdict}",
        )
    unproven = sorted(
        {
            c.id
            for c in report.checks
            if c.outcome != "passed" and not (c.outcome == "skipped" and c.not_applicable)
        }
    )
    if report.phase not in GATING_PHASES or unproven:
        return Gate(
            False,
            f"the last acceptance run ({report.phase} phase) left checks"
            f" unproven ({', '.join(unproven[:6]) or 'not a pre-cutover run'}):"
            " run the whole suite with --phase precutover, without --read-only",
        )
    if not report.target.startswith(f"Nexus {target.nexus.url} "):
        return Gate(False, f"the last acceptance report is for another target ({report.target})")
    age = (now or datetime.now(UTC)) - finished
    if age > max_age:
        return Gate(
            False,
            f"the last passing acceptance run is {_hours(age)} old; the limit is"
            f" {_hours(max_age)}: run the suite again",
        )
    return Gate(True, f"the acceptance suite passed on this target at {finished:%Y-%m-%d %H:%M}")


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:.1f} h"


# -- archiving ------------------------------------------------------------------------------


def archive_path(target: Target, packages_dir: Path, day: datetime) -> Path:
    """`clients.archive_dir` when configured (the archived folder itself, which DECOM-3
    reads), else `packages-archived-YYYYMMDD` beside the packages folder, as in the guide."""
    if target.clients.archive_dir is not None:
        return target.clients.archive_dir
    return packages_dir.parent / f"{packages_dir.name}-archived-{day:%Y%m%d}"


def copy_verified(
    source: Path, files: Sequence[Path], destination: Path, advance: Advance
) -> tuple[int, int]:
    """Copy each file not yet there; check every copy's sha256. (copied, verified)."""
    copied = verified = 0
    for path in files:
        target = destination / path.relative_to(source)
        digest = sha256_of(path)
        if target.exists():
            if sha256_of(target) != digest:
                raise MigrationError(
                    f"{target} exists with other bytes than {path}; move it away and run again"
                )
        else:
            with atomic_path(target) as temporary:
                shutil.copy2(path, temporary)
                if sha256_of(temporary) != digest:
                    raise MigrationError(f"{target}: the copy differs from {path}")
            copied += 1
        verified += 1
        advance(1)
    return copied, verified


# -- the step -------------------------------------------------------------------------------


def decommission(
    target: Target,
    *,
    force: bool = False,
    reason: str | None = None,
    report_path: Path | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
    dry_run: bool = False,
    now: datetime | None = None,
    progress: bool = False,
    console: Console | None = None,
) -> DecommissionResult:
    paths = StatePaths(target.state_dir)
    gate = check_gate(
        target, report_path or paths.report, force=force, reason=reason, max_age=max_age, now=now
    )
    if not gate.allowed:
        raise RefusedError(f"decommission refused: {gate.why}; or give --force --reason TEXT")
    if not gate.forced:
        refuse_while_stragglers(target, target.pypiserver.straggler_hours, now)
    packages = target.pypiserver.packages_dir
    if packages is None:
        return DecommissionResult(
            gate, None, 0, 0, False, False, external_steps(target, None), dry_run
        )
    if not packages.is_dir():
        return _already_done(target, paths, gate, dry_run)
    archive = archive_path(target, packages, (now or datetime.now(UTC)).astimezone())
    files = folder_files(packages)
    control = target.pypiserver.control
    if dry_run:
        ours = control is not None
        return DecommissionResult(gate, archive, len(files), 0, ours, ours, (), True)
    with progress_bar("archiving", len(files), enabled=progress, console=console) as advance:
        copied, verified = copy_verified(packages, files, archive, advance)
    _record(paths, archive, verified, gate, now)
    purged = Journal(paths).purge_originals()
    if control is None:
        steps = external_steps(target, archive)
        return DecommissionResult(
            gate, archive, copied, verified, False, False, steps, dry_run, purged
        )
    stopped = _stop(control)
    shutil.rmtree(packages)
    return DecommissionResult(gate, archive, copied, verified, stopped, True, (), dry_run, purged)


def _already_done(
    target: Target, paths: StatePaths, gate: Gate, dry_run: bool
) -> DecommissionResult:
    """The folder is gone: fine if an earlier run archived it; pypiserver must still stop."""
    record = (
        read_json(paths.decommission, "decommission record")
        if paths.decommission.exists()
        else None
    )
    archived = Path(record["archived_to"]) if isinstance(record, dict) else None
    if archived is None or not archived.is_dir():
        raise MigrationError(
            f"{target.pypiserver.packages_dir}: packages folder not found, and"
            " no earlier decommission archived it"
        )
    control = target.pypiserver.control
    stopped = _stop(control) if control is not None and not dry_run else False
    steps = () if control is not None else external_steps(target, archived)
    return DecommissionResult(gate, archived, 0, 0, stopped, False, steps, dry_run)


def _stop(control: ServiceControl) -> bool:
    """Stop the old index this tool runs; False if it was not running."""
    was_running = control.running()
    control.stop()
    return was_running


def _record(paths: StatePaths, archive: Path, files: int, gate: Gate, now: datetime | None) -> None:
    write_json_atomic(
        paths.decommission,
        {
            "archived_to": str(archive.resolve()),
            "files": files,
            "forced": gate.forced,
            "why": gate.why,
            "at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        },
    )


def external_steps(target: Target, archive: Path | None) -> tuple[str, ...]:
    folder = target.pypiserver.packages_dir
    steps = ["stop pypiserver, e.g. `docker-compose down` in its folder"]
    if folder and archive:
        steps.append(f"remove {folder}: its verified copy is {archive}")
    else:
        steps.append("archive the packages folder: mv packages packages-archived-$(date +%Y%m%d)")
    return tuple(steps)
