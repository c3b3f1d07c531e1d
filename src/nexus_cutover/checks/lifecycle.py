"""PRE-2, ROLLBACK-1, DECOM-1..3: backup, rollback, and the end of pypiserver.

Backups are compared with the old index's own inventory (its packages folder, or its
`/packages/` listing), never with their own manifest alone: a backup of the wrong folder has
a perfectly consistent manifest. An empty manifest proves nothing and fails.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import urlsplit

import requests

from nexus_cutover.archive import (
    ArchiveContents,
    ManifestEntry,
    read_archive,
    restore_backup,
    verify_backup,
)
from nexus_cutover.checks import Problems, Proof, count, listing
from nexus_cutover.clients.pypiserver import PypiserverClient
from nexus_cutover.dists import Inventory, inventory_folder, is_distribution
from nexus_cutover.errors import CutoverError
from nexus_cutover.results import CheckResult
from nexus_cutover.target import PypiserverEndpoint

# Serves a packages folder with a real pypiserver while the block runs; yields its URL.
Serve = Callable[[Path], AbstractContextManager[str]]
DECOMMISSION_TIMEOUT = 5.0


def _distributions(entries: Iterable[ManifestEntry]) -> list[ManifestEntry]:
    return [e for e in entries if is_distribution(e.filename)]


def _read(archive: Path) -> tuple[ArchiveContents | None, Problems]:
    try:
        contents = read_archive(archive)
    except CutoverError as error:
        return None, [f"the backup cannot be read: {error}"]
    if not _distributions(contents.manifest):
        return None, [
            f"{archive}: the backup's manifest lists no distribution file: it restores"
            " nothing; make a new backup of the packages folder"
        ]
    return contents, []


def backup_complete(archive: Path | None, old: Inventory) -> Proof:
    """PRE-2: the archive exists, opens, and holds every file of the old index byte for byte."""
    if archive is None:
        return Proof.failed(
            "no backup archive is configured (clients.backup_archive); back up first:"
            " `nexus-cutover migrate backup`"
        )
    if not archive.is_file():
        return Proof.failed(
            f"{archive}: backup archive not found; run `nexus-cutover migrate backup`"
        )
    contents, problems = _read(archive)
    if contents is None:
        return Proof.failed(*problems)
    problems = verify_backup(archive, old)
    if problems:
        return Proof.failed(
            f"{archive} does not restore the old index:"
            f" {listing(problems, separator='; ')}; make a new backup"
        )
    return Proof.passed(
        f"all {count(len(old.files), 'file')} of the old index found in {archive.name} with"
        f" equal sha256 (manifest of {count(len(contents.manifest), 'entry', 'entries')},"
        " every member re-hashed)"
    )


def backup_restores(archive: Path | None, scratch: Path, serve: Serve, old: Inventory) -> Proof:
    """ROLLBACK-1: restore into a scratch folder, serve it with pypiserver, fetch every file;
    the served files must be the old index's own files, and the manifest's."""
    if archive is None or not archive.is_file():
        return Proof.failed(
            f"no backup archive to restore ({archive or 'clients.backup_archive unset'})"
        )
    contents, problems = _read(archive)
    if contents is None:
        return Proof.failed(*problems)
    try:
        restore_backup(archive, scratch / "packages")
    except CutoverError as error:
        return Proof.failed(f"the backup does not restore: {error}")
    with serve(scratch / "packages") as url:
        served = PypiserverClient(PypiserverEndpoint(url, None, None))
        by_name = {f.filename: f.sha256 for f in served.inventory().files}
    old_files = {f.filename: f.sha256 for f in old.files}
    missing = sorted(name for name, digest in old_files.items() if by_name.get(name) != digest)
    missing += [name for name in _not_held(contents.manifest, by_name) if name not in old_files]
    if missing:
        return Proof.failed(
            f"a pypiserver started on the restored backup does not serve {len(missing)} files"
            f" of the old index byte for byte: {listing(missing, separator='; ')}"
        )
    return Proof.passed(
        f"a pypiserver on the restored {archive.name} served all"
        f" {count(len(old_files), 'file')} of the old index (and of the manifest) byte for byte"
    )


def _not_held(manifest: Iterable[ManifestEntry], held: Mapping[str, str]) -> list[str]:
    """Distribution files of the backup's manifest missing from `held` (name -> sha256)."""
    return [e.filename for e in _distributions(manifest) if held.get(e.filename) != e.sha256]


def decommission_allowed(results: Sequence[CheckResult], phase_checks: Iterable[str]) -> Proof:
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
            f" {listing(blocking, 8, separator='; ')}"
        )
    if missing:
        problems.append(
            f"decommissioning needs a full run: {len(missing)} checks of this phase"
            f" did not run: {listing(missing, 8, separator='; ')}"
        )
    passed = sorted({r.id for r in results if r.outcome == "passed" and r.id != "DECOM-1"})
    if not problems and not passed:
        problems.append("no other check ran in this session: nothing allows decommissioning")
    not_applicable = sorted({r.id for r in results if r.not_applicable})
    extra = f" (not applicable: {', '.join(not_applicable)})" if not_applicable else ""
    return Proof.of(
        problems, f"all {count(len(passed), 'other check')} of this phase ran and passed{extra}"
    )


def pypiserver_gone(url: str) -> Proof:
    """DECOM-2: the old address resolves and refuses connections (or a replacement says 404
    or 410). A DNS failure, a TLS error or a timeout proves nothing and fails."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = sorted(
            {str(a[4][0]) for a in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
        )
    except (socket.gaierror, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return Proof.failed(
            f"{host} does not resolve ({reason}): a name that is gone proves nothing about the"
            " server; check pypiserver.url, or remove the DNS name only after this check passed"
        )
    where = f"{host}:{port} (resolves to {', '.join(addresses)})"
    try:
        response = requests.get(url, timeout=DECOMMISSION_TIMEOUT, allow_redirects=False)
    except requests.exceptions.SSLError:
        return Proof.failed(f"{url}: TLS error at {where}: something still listens there")
    except requests.exceptions.Timeout:
        return Proof.failed(
            f"{url}: no answer within {DECOMMISSION_TIMEOUT:.0f}s at {where}: a firewall or a"
            " hung server, not a stopped one; stop pypiserver so connections are refused"
        )
    except requests.exceptions.ConnectionError as error:
        if _refused(error):
            return Proof.passed(f"connection refused at {where}: nothing listens there")
        return Proof.failed(f"{url}: the connection failed at {where}: {_reason(error)}")
    if response.status_code in (404, 410):
        return Proof.passed(
            f"{url} answered {response.status_code} at {where}: a replacement says it is gone"
        )
    return Proof.failed(
        f"pypiserver still answers at {url} ({response.status_code}); stop it"
        " (docker-compose down) or run `nexus-cutover migrate decommission`"
    )


def _refused(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return True
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException) and _refused(arg):
                return True
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException) and _refused(reason):
            return True
        current = current.__cause__ or current.__context__
    return "Connection refused" in str(error) or "[Errno 111]" in str(error)


def _reason(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]


def archive_complete(
    archive_dir: Path | None, backup: Path | None, old: PypiserverEndpoint
) -> Proof:
    """DECOM-3: packages-archived-YYYYMMDD holds every file of the backup (its manifest and
    its bytes) and, where the old folder is still readable, every file of it too."""
    if archive_dir is None or not archive_dir.is_dir():
        return Proof.failed(
            f"archived package folder not found ({archive_dir or 'clients.archive_dir unset'})"
            "; archive with `nexus-cutover migrate decommission`"
        )
    if backup is None or not backup.is_file():
        return Proof.failed(f"no backup archive to compare the archived folder with ({backup})")
    contents, problems = _read(backup)
    if contents is None:
        return Proof.failed(*problems)
    try:
        held = {f.filename: f.sha256 for f in inventory_folder(archive_dir).files}
        folder = old.packages_dir
        own = (
            inventory_folder(folder)
            if folder is not None and folder.is_dir() and folder.resolve() != archive_dir.resolve()
            else None
        )
    except CutoverError as error:
        return Proof.failed(str(error))
    members = [e for e in contents.members.values() if is_distribution(e.filename)]
    missing = sorted(set(_not_held(contents.manifest, held)) | set(_not_held(members, held)))
    if own is not None:
        missing += [f.filename for f in own.files if held.get(f.filename) != f.sha256]
    if missing:
        return Proof.failed(
            f"{archive_dir} lacks or changed {len(missing)} files of the backup or the old"
            f" folder: {listing(sorted(set(missing)), separator='; ')}"
        )
    also = f" and all {len(own.files)} of {old.packages_dir}" if own is not None else ""
    return Proof.passed(
        f"{archive_dir.name} holds all {count(len(_distributions(contents.manifest)), 'file')}"
        f" of the backup (manifest and bytes){also} with equal sha256"
    )
