"""PRE-2, ROLLBACK-1, DECOM-1..3: backup, rollback, and the end of pypiserver."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from nexus_cutover.archive import ManifestEntry, read_archive, restore_backup, verify_backup
from nexus_cutover.checks import Problems
from nexus_cutover.clients.pypiserver import PypiserverClient
from nexus_cutover.dists import Inventory, inventory_folder, is_distribution
from nexus_cutover.errors import CutoverError
from nexus_cutover.results import CheckResult
from nexus_cutover.target import PypiserverEndpoint

# Serves a packages folder with a real pypiserver while the block runs; yields its URL.
Serve = Callable[[Path], AbstractContextManager[str]]


def _listing(items: Sequence[str], limit: int = 5) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f"; and {len(items) - limit} more" if len(items) > limit else "")


def backup_complete(archive: Path | None, old: Inventory) -> Problems:
    """PRE-2: the archive exists, opens, and holds every file of the old index byte for byte."""
    if archive is None:
        return [
            "no backup archive is configured (clients.backup_archive); back up first:"
            " `nexus-cutover migrate backup`"
        ]
    if not archive.is_file():
        return [f"{archive}: backup archive not found; run `nexus-cutover migrate backup`"]
    problems = verify_backup(archive, old)
    if problems:
        return [
            f"{archive} does not restore the old index: {_listing(problems)}; make a new backup"
        ]
    return []


def backup_restores(archive: Path | None, scratch: Path, serve: Serve) -> Problems:
    """ROLLBACK-1: restore into a scratch folder, serve it with pypiserver, fetch every file."""
    if archive is None or not archive.is_file():
        return [f"no backup archive to restore ({archive or 'clients.backup_archive unset'})"]
    try:
        manifest = read_archive(archive).manifest
        restore_backup(archive, scratch / "packages")
    except CutoverError as error:
        return [f"the backup does not restore: {error}"]
    with serve(scratch / "packages") as url:
        served = PypiserverClient(PypiserverEndpoint(url, None, None))
        by_name = {f.filename: f.sha256 for f in served.inventory().files}
    missing = _not_held(manifest, by_name)
    if missing:
        return [
            f"a pypiserver started on the restored backup does not serve"
            f" {len(missing)} files byte for byte: {_listing(missing)}"
        ]
    return []


def _not_held(manifest: Iterable[ManifestEntry], held: Mapping[str, str]) -> list[str]:
    """Distribution files of the backup's manifest missing from `held` (name -> sha256)."""
    return [
        e.filename
        for e in manifest
        if is_distribution(e.filename) and held.get(e.filename) != e.sha256
    ]


def decommission_allowed(results: Sequence[CheckResult], phase_checks: Iterable[str]) -> Problems:
    """DECOM-1: every other check of the phase ran in this session and passed.

    A check skipped as not applicable (LDAP without LDAP) does not block; any other skip,
    a check not selected (--checks, -k) or one that failed does.
    """
    ran = {r.id for r in results}
    blocking = sorted(
        {
            f"{r.id} ({r.outcome})"
            for r in results
            if r.id != "DECOM-1" and r.outcome != "passed" and not r.not_applicable
        }
    )
    missing = sorted(set(phase_checks) - ran - {"DECOM-1"})
    problems = []
    if blocking:
        problems.append(
            f"decommissioning is refused: {len(blocking)} checks did not pass:"
            f" {_listing(blocking, 8)}"
        )
    if missing:
        problems.append(
            f"decommissioning needs a full run: {len(missing)} checks of this phase"
            f" did not run: {_listing(missing, 8)}"
        )
    return problems


def pypiserver_gone(endpoint: PypiserverEndpoint) -> Problems:
    """DECOM-2."""
    if PypiserverClient(endpoint).answers():
        return [
            f"pypiserver still answers at {endpoint.url}; stop it (docker-compose down) or"
            " run `nexus-cutover migrate decommission`"
        ]
    return []


def archive_complete(archive_dir: Path | None, backup: Path | None) -> Problems:
    """DECOM-3: packages-archived-YYYYMMDD holds every file the backup holds."""
    if archive_dir is None or not archive_dir.is_dir():
        return [
            f"archived package folder not found ({archive_dir or 'clients.archive_dir unset'})"
            "; archive with `nexus-cutover migrate decommission`"
        ]
    if backup is None or not backup.is_file():
        return [f"no backup archive to compare the archived folder with ({backup})"]
    try:
        manifest = read_archive(backup).manifest
        held = {f.filename: f.sha256 for f in inventory_folder(archive_dir).files}
    except CutoverError as error:
        return [str(error)]
    missing = _not_held(manifest, held)
    if missing:
        return [
            f"{archive_dir} lacks or changed {len(missing)} files of the backup:"
            f" {_listing(missing)}"
        ]
    return []
