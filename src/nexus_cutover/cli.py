"""nexus-cutover: prove a pypiserver -> Nexus Repository 3 migration is done, and do its steps.

Exit codes: 0 success; 1 a check or step failed; 2 bad input (configuration, arguments,
unreachable server, wrong credentials): always one readable line, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from nexus_cutover import __version__
from nexus_cutover.catalogue import CHECKLIST, CHECKS
from nexus_cutover.config import Settings, load_settings
from nexus_cutover.demo import CHECKOUT, local_target, run_sample_migration, start_seeded
from nexus_cutover.errors import CutoverError
from nexus_cutover.redact import redact
from nexus_cutover.services import LocalServices, external_target, load_local
from nexus_cutover.target import Target

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
DEMO_BEFORE = "PRE-1,REPO-1,REPO-2,REPO-3,PARITY-1"
# Global options that take a value (so their value is not mistaken for the command).
VALUED = ("--config", "--backend", "--state-dir")
SUITE = CHECKOUT / "tests"

DESCRIPTION = """\
Prove that a move from pypiserver to a Nexus Repository 3 PyPI setup is done, and automate
the moves of the migration guide. "Migration done" means "the suite passes".

Passwords come from NEXUS_PASSWORD / PYPISERVER_PASSWORD or from files named in the
configuration (nexus.password_file), never from the command line.
"""

EPILOG = """\
examples:
  nexus-cutover demo                      local services, a sample migration, the suite, a report
  nexus-cutover up                        start local pypiserver + Nexus stand-in and keep them
  nexus-cutover run --phase precutover    the acceptance suite against the configured target
  nexus-cutover scan ~/src --json         every place a project names a package index
  nexus-cutover migrate upload --dry-run  what the upload step would do
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nexus-cutover",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="TOML file with the target and the expected state (cutover.toml)",
    )
    parser.add_argument(
        "--backend",
        choices=("local", "docker", "external"),
        help="where the servers come from (default: local)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        metavar="DIR",
        help="where local services, backups and journals live (default .cutover)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser("demo", help="run the whole job on the embedded default")
    demo.add_argument(
        "--report-dir",
        type=Path,
        default=Path("cutover-report"),
        help="where report.json and report.html go (default ./cutover-report)",
    )
    demo.add_argument("--keep", action="store_true", help="leave the local services running")

    commands.add_parser("up", help="start local pypiserver and the Nexus stand-in, migrated")
    commands.add_parser("down", help="stop the local services started by `up`")
    commands.add_parser("status", help="show whether local services are running")
    commands.add_parser("checks", help="list the check catalogue and the migration checklist")

    run = commands.add_parser(
        "run",
        help="run the acceptance suite (extra arguments go to pytest)",
        description="Run the acceptance suite. Unknown arguments are passed to pytest, e.g."
        " --phase health --read-only --checks REPO-1,PARITY-1 --cutover-report DIR",
    )
    run.add_argument("pytest_args", nargs=argparse.REMAINDER)

    scan = commands.add_parser("scan", help="list every reference to a package index in trees")
    scan.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    scan.add_argument(
        "--old-index",
        action="append",
        default=[],
        metavar="URL",
        help="an URL of the old index (repeatable; default from the configuration)",
    )
    scan.add_argument(
        "--nexus-repository-url",
        metavar="URL",
        help="the Nexus repository base URL (default from the configuration)",
    )
    scan.add_argument("--json", action="store_true", help="print JSON instead of a table")

    from nexus_cutover.cli_migrate import add_migrate_parser

    add_migrate_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    # `run` hands everything after it to pytest untouched (argparse would reorder it).
    own, suite_args = _split_run(arguments)
    args = parser.parse_args(own)
    console = Console(stderr=False)
    errors = Console(stderr=True)
    settings: Settings | None = None
    try:
        settings = load_settings(
            args.config, {"backend": args.backend, "state_dir": args.state_dir}
        )
        return dispatch(args, suite_args, settings, console)
    except CutoverError as error:
        secrets = settings.secrets() if settings else ()
        errors.print(
            f"nexus-cutover: error: {redact(str(error), secrets)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_BAD_INPUT
    except (OSError, UnicodeError) as error:
        secrets = settings.secrets() if settings else ()
        errors.print(
            f"nexus-cutover: error: {redact(_os_error(error), secrets)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        errors.print("nexus-cutover: interrupted; every step can be run again to resume")
        return 130


def _split_run(arguments: list[str]) -> tuple[list[str], list[str]]:
    """(the CLI's own arguments, the pytest arguments after `run`)."""
    for index, word in enumerate(arguments):
        if word == "run":
            return arguments[: index + 1], arguments[index + 1 :]
        if not word.startswith("-") and (index == 0 or arguments[index - 1] not in VALUED):
            break
    return arguments, []


def _os_error(error: OSError | UnicodeError) -> str:
    if isinstance(error, UnicodeError):
        return f"a file is not valid UTF-8 text: {error}"
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


def dispatch(
    args: argparse.Namespace, extra: list[str], settings: Settings, console: Console
) -> int:
    if args.command == "checks":
        return show_checks(console)
    if args.command == "up":
        return cmd_up(settings, console)
    if args.command == "down":
        return cmd_down(settings, console)
    if args.command == "status":
        return cmd_status(settings, console)
    if args.command == "run":
        config = ["--cutover-config", str(args.config)] if args.config else []
        return run_suite(settings, [*config, *extra])
    if args.command == "scan":
        return cmd_scan(args, settings, console)
    if args.command == "demo":
        return cmd_demo(args, settings, console)
    from nexus_cutover.cli_migrate import run_migrate

    return run_migrate(args, settings, resolve_target(settings), console)


def local_root(settings: Settings) -> Path:
    return settings.state_dir / "local"


def resolve_target(settings: Settings) -> Target:
    if settings.backend == "external":
        return external_target(settings)
    if settings.backend == "docker":
        raise CutoverError(
            "migration steps run against services by URL: start the containers with"
            " `docker compose -f docker/compose.yaml up` and use --backend external"
        )
    running = load_local(local_root(settings))
    if running is None:
        raise CutoverError(
            "no local services are running: start them with `nexus-cutover up`"
            " or use --backend external"
        )
    return local_target(running, settings)


def show_checks(console: Console) -> int:
    for check in CHECKS:
        console.print(f"{check.id:<11} {check.title}", markup=False, highlight=False)
    console.print()
    for number, item in enumerate(CHECKLIST, 1):
        console.print(f"{number:>2}. {item.item}: {', '.join(item.checks)}", markup=False)
    return EXIT_OK


def cmd_up(settings: Settings, console: Console) -> int:
    running = load_local(local_root(settings))
    if running is not None:
        console.print(f"already up: {describe_local(running)}", markup=False)
        return EXIT_OK
    with console.status("starting pypiserver and the Nexus stand-in, migrating samples..."):
        services = start_seeded(local_root(settings), settings)
        try:
            run_sample_migration(services, settings)
        except BaseException:
            services.stop()
            raise
    console.print(f"up: {describe_local(services)}", markup=False)
    console.print(
        f"Nexus admin password file: {services.root / 'secrets' / 'nexus-admin'}", markup=False
    )
    return EXIT_OK


def cmd_down(settings: Settings, console: Console) -> int:
    running = load_local(local_root(settings))
    if running is None:
        console.print("no local services are running")
        return EXIT_OK
    running.stop()
    console.print("stopped the local services")
    return EXIT_OK


def cmd_status(settings: Settings, console: Console) -> int:
    running = load_local(local_root(settings))
    if running is None:
        console.print("down")
        return EXIT_FAILED
    console.print(f"up: {describe_local(running)}", markup=False)
    return EXIT_OK


def describe_local(services: LocalServices) -> str:
    old = services.pypiserver_url if services.pypiserver else "stopped"
    return (
        f"Nexus stand-in {services.nexus_url} (repositories {services.repository_url}),"
        f" pypiserver {old}"
    )


def cmd_scan(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    import json

    from nexus_cutover import scan

    old = tuple(args.old_index) or settings.expected.old_index_urls
    base = args.nexus_repository_url or settings.nexus.repository_base
    context = scan.ScanContext(
        old_indexes=old,
        nexus_bases=(base, *settings.expected.nexus_aliases),
        group=settings.expected.group.name,
        hosted=settings.expected.hosted.name,
    )
    results = []
    for path in args.paths:
        if not path.exists():
            raise CutoverError(f"{path}: no such file or folder")
        results.append(
            scan.scan_tree(path, context)
            if path.is_dir()
            else scan.scan_file(path, path.parent, context)
        )
    if args.json:
        print(json.dumps(scan.result_to_json(results), indent=2))
    else:
        scan.render_text(results, console)
    old_refs = any(r.classification == "old-index" for res in results for r in res.references)
    return EXIT_FAILED if old_refs else EXIT_OK


def suite_command(settings: Settings, pytest_args: Sequence[str]) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(SUITE),
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(CHECKOUT),
        "--backend",
        settings.backend,
    ]
    return [*command, *pytest_args]


def run_suite(settings: Settings, pytest_args: Sequence[str]) -> int:
    """The acceptance suite in its own pytest process; its exit code is ours."""
    env = dict(os.environ, NEXUS_CUTOVER_STATE_DIR=str(settings.state_dir))
    return subprocess.run(
        suite_command(settings, pytest_args), env=env, check=False, cwd=CHECKOUT
    ).returncode


def cmd_demo(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    """The whole job on local services: fail before, migrate, pass, decommission, report."""
    demo_settings = settings.model_copy(
        update={"backend": "local", "state_dir": settings.state_dir / "demo"}
    )
    root = local_root(demo_settings)
    stale = load_local(root)
    if stale is not None:
        stale.stop()
    shutil.rmtree(root, ignore_errors=True)
    console.rule("1. local services: a real pypiserver with sample packages, the Nexus stand-in")
    services = start_seeded(root, demo_settings)
    try:
        console.print(describe_local(services), markup=False)
        return demo_story(args, demo_settings, services, console)
    finally:
        if args.keep:
            console.print(f"left running: {describe_local(services)}", markup=False)
        else:
            services.stop()


def demo_story(
    args: argparse.Namespace, settings: Settings, services: LocalServices, console: Console
) -> int:
    from nexus_cutover import migrate

    console.rule("2. before the migration: the repository and parity checks must fail")
    before = run_suite(settings, ["-q", "--no-header", "--checks", DEMO_BEFORE])
    console.print(f"suite before migrating: exit code {before} (1 = checks failed, as expected)")
    console.rule("3. the migration: backup, provision, upload, configure")
    with console.status("migrating the sample packages and projects..."):
        run_sample_migration(services, settings)
    console.print(
        "done: backup verified, repositories provisioned, files uploaded, client files rewritten"
    )
    console.rule("4. the acceptance suite, pre-cutover")
    if run_suite(settings, ["-q", "--no-header"]) != 0:
        console.print("the suite failed: not decommissioning pypiserver")
        return EXIT_FAILED
    console.rule("5. decommission pypiserver (allowed: the suite passed)")
    result = migrate.decommission(local_target(services, settings))
    console.print(
        f"archived to {result.archive}, {result.verified} files verified;"
        f" pypiserver stopped: {result.stopped}",
        markup=False,
    )
    console.rule("6. the whole suite after the cutover, with the report")
    report_dir = args.report_dir.resolve()
    after = run_suite(
        settings,
        [
            "--phase",
            "all",
            "--cutover-report",
            str(report_dir),
            "--junitxml",
            str(report_dir / "junit.xml"),
            "-q",
            "--no-header",
        ],
    )
    console.print(f"report: {report_dir / 'report.html'}, report.json and junit.xml", markup=False)
    return EXIT_OK if after == 0 else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
