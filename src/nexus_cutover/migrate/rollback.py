"""The guide's Rollback Plan: configuration files back as they were, pypiserver back up.

Order: the journal is checked first (a file edited since `configure` stops everything before
any change), then the packages come back from the backup and pypiserver starts, and only then
do the client files point at it again, so no client is sent to an index that is not up yet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from nexus_cutover.archive import RestoreResult, restore_backup
from nexus_cutover.migrate.backup import remembered
from nexus_cutover.migrate.errors import MigrationError
from nexus_cutover.migrate.journal import FileUndo, Journal, UndoResult, refuse_changed
from nexus_cutover.migrate.state import StatePaths
from nexus_cutover.target import Target


@dataclass(frozen=True)
class RollbackResult:
    undo_plan: tuple[FileUndo, ...]
    undone: UndoResult | None  # None on a dry run
    archive: Path | None
    restored: RestoreResult | None
    started_pypiserver: bool
    steps: tuple[str, ...]  # what the user must do by hand (external backend)
    dry_run: bool
    # --purge: copies of user files deleted from the journal (None: not asked, or not done
    # because changes are still recorded, see `purge_blocked`).
    purged: int | None = None
    purge_blocked: int = 0  # changes still recorded (files left as they were)


def find_archive(target: Target, explicit: Path | None) -> Path | None:
    """The archive to restore: given, configured, or the one `backup` wrote last."""
    if explicit is not None:
        if not explicit.is_file():
            raise MigrationError(f"{explicit}: backup archive not found")
        return explicit
    for candidate in (
        target.clients.backup_archive,
        remembered(StatePaths(target.state_dir).latest_backup),
    ):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def rollback(
    target: Target,
    *,
    archive: Path | None = None,
    dry_run: bool = False,
    skip_changed: bool = False,
    purge: bool = False,
) -> RollbackResult:
    journal = Journal(StatePaths(target.state_dir))
    plan = tuple(journal.plan_undo())
    if not skip_changed:
        refuse_changed(plan)
    found = find_archive(target, archive)
    if target.pypiserver.control is None or target.pypiserver.packages_dir is None:
        steps = external_steps(target, found)
        undone = None if dry_run else journal.undo(plan, skip_changed=skip_changed)
        result = RollbackResult(plan, undone, found, None, False, steps, dry_run)
    else:
        restored, started = _bring_back(target, found, dry_run)
        undone = None if dry_run else journal.undo(plan, skip_changed=skip_changed)
        result = RollbackResult(plan, undone, found, restored, started, (), dry_run)
    return _purged(journal, result) if purge and not dry_run else result


def _purged(journal: Journal, result: RollbackResult) -> RollbackResult:
    """The journal's copies of user files deleted, once nothing is left to undo with them."""
    left = len(journal.changes())
    if left:
        return replace(result, purge_blocked=left)
    return replace(result, purged=journal.purge_originals())


def _bring_back(
    target: Target, archive: Path | None, dry_run: bool
) -> tuple[RestoreResult | None, bool]:
    """Packages back from the archive, then pypiserver started (by the backend that runs it)."""
    control, packages = target.pypiserver.control, target.pypiserver.packages_dir
    assert control is not None
    assert packages is not None
    restored = None
    if archive is not None:
        restored = restore_backup(archive, packages, dry_run=dry_run)
    elif not packages.is_dir():
        raise MigrationError(
            f"{packages} is gone and no backup archive is known; name one with --archive"
        )
    if dry_run:
        return restored, not control.running()
    packages.mkdir(parents=True, exist_ok=True)
    if control.running():
        return restored, False
    control.start()
    return restored, True


def external_steps(target: Target, archive: Path | None) -> tuple[str, ...]:
    """The guide's rollback plan for servers this tool does not run."""
    old = target.pypiserver.url or "http://<pypiserver-host>:8888"
    folder = target.pypiserver.packages_dir
    restore = (
        f"restore the packages: tar -xzf {archive} -C {folder.parent if folder else '<dir>'}"
        " (the archive holds a packages/ folder)"
        if archive
        else "restore the packages folder from your backup"
    )
    return (
        restore,
        "start pypiserver again, e.g. `docker-compose up -d` in its folder",
        f"verify: pip install --index-url {old.rstrip('/')}/simple <package-name>",
    )
