"""`demo`: the whole job on the embedded default, told step by step.

Local services with sample packages; the repository and parity checks fail before the
migration, as they must; the migration; the pre-cutover suite; decommissioning (only because
the suite passed); every check of every phase with the report; the services stop.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from nexus_cutover.cli.app import command_parser
from nexus_cutover.errors import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from nexus_cutover.backends.local import LocalServices
    from nexus_cutover.config import Settings

BEFORE = "PRE-1,REPO-1,REPO-2,REPO-3,PARITY-1"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        commands,
        "demo",
        help="run the whole job on local sample services, ending with the report",
        description="Start a real pypiserver with sample packages and the Nexus stand-in,"
        " show the checks failing, migrate, run the suite, decommission pypiserver, run every"
        " check and write the report. Exit code 0 only when the migration is proven.",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("cutover-report"),
        metavar="DIR",
        help="where report.json, report.html and junit.xml go (default ./cutover-report)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the local services running")


def run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from nexus_cutover.backends.local import LocalBackend, start_local
    from nexus_cutover.backends.seeding import sample_dists

    demo = settings.model_copy(
        update={"backend": "local", "state_dir": settings.state_dir / "demo"}
    )
    backend = LocalBackend(demo)
    from nexus_cutover.cli.app import config_line

    _say(console, f"{config_line(settings)}; state {backend.root}")
    backend.down()
    shutil.rmtree(backend.root, ignore_errors=True)
    console.rule("1. local services: a real pypiserver with sample packages, the Nexus stand-in")
    services = start_local(backend.root, sample_dists(demo))
    try:
        _say(console, _describe(services))
        return _story(args, demo, backend, console)
    finally:
        if args.keep:
            _say(console, f"left running: {_describe(services)}")
        else:
            backend.down()


def _story(args: argparse.Namespace, settings: Settings, backend: object, console: Console) -> int:
    from nexus_cutover import migrate
    from nexus_cutover.backends.local import LocalBackend

    assert isinstance(backend, LocalBackend)
    console.rule("2. before the migration: the repository and parity checks must fail")
    before = _suite(settings, ["--checks", BEFORE, "-q", "--no-header"])
    if before != ExitCode.FAILED:
        _say(console, f"Not done: before migrating the suite should fail, but it exited {before}")
        return ExitCode.FAILED
    _say(console, "suite before migrating: exit code 1, checks failed, as they must")
    console.rule("3. the migration: backup, provision, upload, configure")
    with console.status("migrating the sample packages and projects..."):
        services = backend.up()
    _say(
        console,
        "done: backup verified, repositories provisioned, every file uploaded and verified"
        " in hosted by sha256, client files rewritten",
    )
    console.rule("4. the acceptance suite, pre-cutover")
    if _suite(settings, ["-q", "--no-header"]) != ExitCode.OK:
        _say(console, "Not done: the pre-cutover suite failed, so pypiserver stays (see above)")
        return ExitCode.FAILED
    console.rule("5. decommission pypiserver (allowed: the suite passed)")
    result = migrate.decommission(services.target(settings))
    _say(
        console,
        f"archived to {result.archive}, {result.verified} files verified;"
        f" pypiserver stopped: {result.stopped}",
    )
    console.rule("6. every check of every phase, with the report")
    report_dir = args.report_dir.resolve()
    after = _suite(
        settings, ["--phase", "all", "--cutover-report", str(report_dir), "-q", "--no-header"]
    )
    _say(console, f"report: {report_dir / 'report.html'}, report.json and junit.xml")
    from nexus_cutover.results import PROVEN_VERDICTS

    verdict = _verdict(report_dir / "report.json")
    proven = after == ExitCode.OK and verdict == PROVEN_VERDICTS["all"]
    # The last line says what the report proved, in its own words, and no more.
    _say(console, verdict if proven or verdict.startswith("Not done") else f"Not done: {verdict}")
    return ExitCode.OK if proven else ExitCode.FAILED


def _verdict(report: Path) -> str:
    from nexus_cutover.results import ReportError, read_json

    try:
        return read_json(report).verdict
    except ReportError as error:
        return f"Not done: no readable report ({error})"


def _suite(settings: Settings, options: list[str]) -> int:
    import os
    import subprocess

    from nexus_cutover.cli.run import PYTEST_CODES, suite_command

    env = dict(os.environ, NEXUS_CUTOVER_STATE_DIR=str(settings.state_dir))
    code = subprocess.run(suite_command(settings, options), env=env, check=False).returncode
    return PYTEST_CODES.get(code, ExitCode.INTERNAL)


def _describe(services: LocalServices) -> str:
    from nexus_cutover.cli.services import describe

    return describe(services)


def _say(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)
