"""The migration steps as `nexus-cutover migrate` runs them: output, summaries, exit codes.

Imported only when a step runs (it pulls in the migration library and the Nexus client).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console

from nexus_cutover import migrate
from nexus_cutover.cli.provision_guard import provision_guard_rails
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Settings
from nexus_cutover.errors import ConfigError, CutoverError, ExitCode
from nexus_cutover.migrate.errors import RefusedError
from nexus_cutover.migrate.state import StatePaths
from nexus_cutover.redact import redact
from nexus_cutover.target import Target

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = ExitCode.OK, ExitCode.FAILED, ExitCode.BAD_INPUT
# Steps that talk to Nexus: the login is tried once before they start.
NEEDS_NEXUS = ("provision", "upload")


def run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    target = resolve_target(settings)
    _preflight(args, settings, target)
    out = _Output(console, (*settings.secrets(), *target.secrets()))
    from nexus_cutover.cli.app import config_line

    out.line(f"{config_line(settings)}; target: {target.describe()}")
    runners = {
        "backup": _backup,
        "provision": _provision,
        "upload": _upload,
        "configure": _configure,
        "rollback": _rollback,
        "decommission": _decommission,
    }
    try:
        return runners[args.migrate_step](args, target, out)
    except RefusedError as error:
        out.error(str(error))
        return EXIT_FAILED
    except CutoverError as error:
        out.error(f"nexus-cutover: error: {error}")
        return EXIT_BAD_INPUT


def _preflight(args: argparse.Namespace, settings: Settings, target: Target) -> None:
    """One login per server the step will talk to, before it starts (dry runs too: they read
    the same servers), so missing or wrong credentials are one line and exit code 2."""
    from nexus_cutover import preflight

    if args.migrate_step not in NEEDS_NEXUS:
        return
    preflight.nexus_login(target.nexus, settings.nexus.user)
    if args.migrate_step == "upload":
        origin = migrate.resolve_source(target, upload_source(args))
        if isinstance(origin, migrate.ServerSource):
            preflight.pypiserver_login(target.pypiserver, settings.pypiserver.user, origin.url)


def upload_source(args: argparse.Namespace) -> Path | str | None:
    """`--from`: a pypiserver URL (http or https, no credentials in it) or a folder."""
    if not args.source:
        return None
    if "://" not in args.source:
        return Path(args.source)
    from nexus_cutover.config import plain_url

    try:
        plain_url(args.source)
    except ValueError as error:
        raise ConfigError(f"--from: {error}") from None
    return str(args.source)


def resolve_target(settings: Settings) -> Target:
    """The servers the steps work on: by URL, or the local services `up` left running."""
    from nexus_cutover.backends.external import external_target
    from nexus_cutover.backends.local import LocalBackend

    if settings.backend == "external":
        return external_target(settings)
    if settings.backend == "docker":
        raise CutoverError(
            "migration steps run against servers by URL: start the containers with"
            " `docker compose -f docker/compose.yaml up` and use --backend external"
        )
    running = LocalBackend(settings).running()
    if running is None:
        raise CutoverError(
            "no local services are running: start them with `nexus-cutover up`"
            " or use --backend external"
        )
    return running.target(settings)


class _Output:
    """Everything printed passes redact(): no password reaches the terminal."""

    def __init__(self, console: Console, secrets: Sequence[str]) -> None:
        self.console = console
        self.secrets = secrets

    def line(self, text: str, style: str | None = None) -> None:
        self.console.print(
            redact(text, self.secrets), style=style, markup=False, highlight=False, soft_wrap=True
        )

    def error(self, text: str) -> None:
        """Errors go to standard error, one line, so CI logs and pipes keep them apart."""
        from rich.console import Console

        Console(stderr=True).print(
            redact(text, self.secrets),
            style="bold red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    def items(self, lines: Sequence[str], limit: int = 50) -> None:
        for text in lines[:limit]:
            self.line(f"  {text}")
        if len(lines) > limit:
            self.line(f"  ... and {len(lines) - limit} more")

    def summary(self, text: str, ok: bool) -> int:
        self.line(f"summary: {text}", style="bold green" if ok else "bold red")
        return EXIT_OK if ok else EXIT_FAILED


def _progress(args: argparse.Namespace) -> bool:
    return not args.no_progress


# -- backup ---------------------------------------------------------------------------------


def _backup(args: argparse.Namespace, target: Target, out: _Output) -> int:
    packages = args.packages or target.pypiserver.packages_dir
    if packages is None:
        raise CutoverError("no packages folder: set pypiserver.packages_dir or give --packages")
    paths = StatePaths(target.state_dir)
    archive = args.archive or target.clients.backup_archive or paths.default_archive(datetime.now())
    result = migrate.backup(
        packages, archive, dry_run=args.dry_run, progress=_progress(args), console=out.console
    )
    size = f"{len(result.entries)} files, {result.total_size / 1e6:.1f} MB"
    if result.action == "unchanged":
        migrate.remember(paths.latest_backup, archive)
        return out.summary(f"{archive} already holds these {size}; verified, unchanged", True)
    if result.changes:
        out.line("changes against the existing archive (+ added, - removed, ~ changed):")
        out.items(result.changes)
    if args.dry_run:
        return out.summary(f"{result.action} {archive} with {size}", True)
    migrate.remember(paths.latest_backup, archive)
    if result.previous:
        out.line(f"the earlier archive is kept as {result.previous}")
    return out.summary(
        f"{result.action} {archive}: {size}, each file verified by reading the archive back", True
    )


# -- provision ------------------------------------------------------------------------------


def _provision(args: argparse.Namespace, target: Target, out: _Output) -> int:
    client = NexusClient(target.nexus)

    def show(drift: Sequence[migrate.Drift]) -> None:
        if drift:
            out.line("drift (field: actual -> expected):")
            out.items([str(d) for d in drift])

    result = migrate.provision(client, target.expected, args.dry_run, show_drift=show)
    guard = provision_guard_rails(target, args.dry_run, out)
    ldap = _provision_ldap(args, target, out)
    if not result.actions:
        return out.summary(
            "the proxy, hosted and group repositories match the expected state; nothing changed"
            f"; {guard}{ldap}",
            True,
        )
    verb = "would " if args.dry_run else ""
    for action in result.actions:
        out.line(f"{verb}{action}")
    created = sum(a.verb == "create" for a in result.actions)
    updated = len(result.actions) - created
    return out.summary(
        f"{verb}create {created}, {verb}update {updated} repositories;"
        f" {3 - len(result.actions)} already as expected; {guard}{ldap}",
        True,
    )


def _provision_ldap(args: argparse.Namespace, target: Target, out: _Output) -> str:
    """The LDAP part of provision ([expected.ldap]): its lines, and a note for the summary."""
    expected = target.expected.ldap_details
    if expected is None:
        return ""

    def show(drift: Sequence[str]) -> None:
        if drift:
            out.line("LDAP drift (field: actual -> expected):")
            out.items(list(drift))

    result = migrate.provision_ldap(
        NexusClient(target.nexus),
        expected,
        target.ldap_passwords.bind,
        args.dry_run,
        show_drift=show,
    )
    verb = "would " if args.dry_run else ""
    for action in result.actions:
        out.line(f"{verb}{action}")
    if not result.actions:
        return "; LDAP as expected"
    return f"; LDAP: {len(result.actions)} change(s) {'planned' if args.dry_run else 'made'}"


# -- upload ---------------------------------------------------------------------------------


def _upload(args: argparse.Namespace, target: Target, out: _Output) -> int:
    result = migrate.upload(
        target,
        upload_source(args),
        workers=args.workers,
        progress=_progress(args),
        dry_run=args.dry_run,
        console=out.console,
    )
    hosted = target.nexus.repository(target.expected.hosted.name)
    out.line(f"source: {result.source}; hosted: {hosted}")
    if result.problems:
        out.line("problems:")
        out.items(list(result.problems))
    if result.aborted:
        out.line(f"stopped early: {result.aborted}", style="bold red")
    if args.dry_run:
        planned = [o.filename for o in result.outcomes if o.status == "would upload"]
        if planned:
            out.line("would upload:")
            out.items(planned)
        return out.summary(
            f"would upload {result.count('would upload')}, would skip"
            f" {result.skipped} (already there), failing {result.failed}",
            not result.failed,
        )
    if result.unlisted:
        out.line(f"hosted could not be listed again: {result.unlisted}", style="bold red")
    elif result.parity_missing:
        out.line(f"not confirmed in hosted with the same sha256 ({len(result.parity_missing)}):")
        out.items(list(result.parity_missing))
    counts = (
        f"uploaded {result.uploaded}, skipped {result.skipped} (already there),"
        f" failed {result.failed}"
    )
    if result.count("not attempted"):
        counts += f", not attempted {result.count('not attempted')}"
    return out.summary(f"{counts}; {upload_parity(result)}", result.ok)


def upload_parity(result: migrate.UploadResult) -> str:
    """What the run proved about parity, and no more."""
    total = len(result.outcomes)
    if result.parity_verified:
        return (
            f"parity verified: all {_count(total, 'file')} of the source are in hosted"
            " with the same sha256"
        )
    unverified = len(result.parity_missing)
    why = "the run stopped early" if result.aborted else "listed above"
    if result.unlisted:
        why = "hosted could not be listed again"
    return (
        f"parity NOT verified: {unverified} of {_count(total, 'file')} of the source not"
        f" confirmed in hosted ({why}); run the step again to resume"
    )


# -- configure ------------------------------------------------------------------------------


def configure_roots(args: argparse.Namespace, target: Target) -> list[Path]:
    if args.paths:
        return list(args.paths)
    clients = target.clients
    roots = [*clients.projects, *clients.pip_config_files]
    if clients.pypirc:
        roots.append(clients.pypirc)
    if not roots:
        raise CutoverError(
            "nothing to configure: give PATHs or set clients.projects,"
            " clients.pip_config_files or clients.pypirc"
        )
    return roots


def _configure(args: argparse.Namespace, target: Target, out: _Output) -> int:
    result = migrate.configure(target, configure_roots(args, target), dry_run=args.dry_run)
    for rewrite, diff in zip(result.files, result.diffs, strict=True):
        out.line(
            diff
            if args.dry_run
            else f"rewrote {rewrite.path}: {_count(len(rewrite.edits), 'reference')}"
        )
    for note in result.notes:
        out.line(f"note: {note}", style="yellow")
    for note in result.left_alone:
        out.line(f"left as is: {note}", style="yellow")
    for problem in result.problems:
        out.line(f"problem: {problem}", style="yellow")
    if result.left:
        out.line("still naming the old index after the rewrite:", style="yellow")
        out.items(list(result.left))
    verb = "would rewrite" if args.dry_run else "rewrote"
    files = len(result.files)
    changes = sum(len(f.edits) for f in result.files)
    ok = not result.problems and not result.left
    if not files and not result.left:
        unread = f"; {_count(len(result.problems), 'file')} unreadable" if result.problems else ""
        return out.summary(f"no file names the old index{unread}; nothing changed", ok)
    done = f"{verb} {changes} references in {files} files"
    if not args.dry_run:
        done += f"; journal: {StatePaths(target.state_dir).journal}; {_left(result.left)}"
    return out.summary(done, ok)


def _left(left: Sequence[str]) -> str:
    if not left:
        return "scanned again: no reference to the old index is left"
    return f"scanned again: {_count(len(left), 'reference')} to the old index left (listed above)"


# -- rollback -------------------------------------------------------------------------------


def _rollback(args: argparse.Namespace, target: Target, out: _Output) -> int:
    result = migrate.rollback(
        target,
        archive=args.archive,
        dry_run=args.dry_run,
        skip_changed=args.skip_changed,
        purge=args.purge,
    )
    restore = "would restore" if args.dry_run else "restored"
    to_undo = [str(p.path) for p in result.undo_plan if p.needed and not p.changed_since]
    if to_undo:
        out.line(f"{restore} these files as they were before configure:")
        out.items(to_undo)
    refused = [str(p.path) for p in result.undo_plan if p.changed_since]
    if refused:
        out.line("changed since configure, left as they are:", style="yellow")
        out.items(refused)
    if result.restored is not None:
        out.line(
            f"packages: {restore} {len(result.restored.restored)} files from"
            f" {result.archive} ({len(result.restored.present)} already there)"
        )
    if result.started_pypiserver:
        out.line(
            f"{'would start' if args.dry_run else 'started'} pypiserver at {target.pypiserver.url}"
        )
    if result.steps:
        out.line("do by hand:")
        out.items(result.steps)
    if result.purged is not None:
        originals = StatePaths(target.state_dir).originals
        deleted = f" ({_count(result.purged, 'file')} deleted now)" if result.purged else ""
        out.line(f"purged: {originals} holds no copies of client files any more{deleted}")
    if result.purge_blocked:
        out.line(
            f"not purged: {_count(result.purge_blocked, 'change')} still recorded for files"
            " left as they are; the copies are kept so they can still be undone",
            style="yellow",
        )
    ok = not refused and not result.purge_blocked
    if target.backend != "local":
        server = "start pypiserver by hand (steps above)"
    elif args.dry_run:
        server = f"pypiserver would run at {target.pypiserver.url}"
    elif _answers(target.pypiserver.simple):
        server = f"pypiserver answers at {target.pypiserver.url} (checked)"
    else:
        server, ok = f"pypiserver does NOT answer at {target.pypiserver.url}", False
    return out.summary(f"{restore} {len(to_undo)} files; {server}", ok)


def _answers(url: str | None) -> bool:
    """Whether anything answers HTTP at `url` (any status: the server is up)."""
    import requests

    if not url:
        return False
    try:
        requests.get(url, timeout=10)
    except requests.RequestException:
        return False
    return True


# -- decommission ---------------------------------------------------------------------------


def _decommission(args: argparse.Namespace, target: Target, out: _Output) -> int:
    result = migrate.decommission(
        target,
        force=args.force,
        reason=args.reason,
        report_path=args.report,
        max_age=timedelta(hours=args.max_age_hours),
        dry_run=args.dry_run,
        progress=_progress(args),
        console=out.console,
    )
    out.line(f"gate: {result.gate.why}", style="yellow" if result.gate.forced else None)
    folder = target.pypiserver.packages_dir
    if result.archive is not None and args.dry_run:
        out.line(
            f"would copy {_count(result.copied, 'file')} to {result.archive} and verify each copy"
        )
    elif result.archive is not None and result.verified:
        out.line(
            f"archived to {result.archive}: {result.copied} copied, {result.verified}"
            " verified against the originals"
        )
    elif result.archive is not None:
        out.line(f"already archived in {result.archive}")
    if result.stopped:
        out.line("would stop pypiserver" if args.dry_run else "stopped pypiserver")
    if result.removed:
        out.line(f"would remove {folder}" if args.dry_run else f"removed {folder}")
    if result.purged:
        out.line(
            f"deleted the journal's {result.purged} kept copies of client files (they may hold"
            " passwords); configure's changes can no longer be undone by rollback"
        )
    if result.steps:
        out.line("do by hand:")
        out.items(result.steps)
        archived = "packages archived and verified; " if result.archive and result.verified else ""
        return out.summary(f"{archived}finish by hand (steps above)", True)
    if args.dry_run:
        return out.summary("pypiserver would be decommissioned", True)
    if _answers(target.pypiserver.simple):
        return out.summary(f"pypiserver still answers at {target.pypiserver.url}", False)
    return out.summary(
        f"pypiserver decommissioned: {target.pypiserver.url} no longer answers (checked)", True
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
