"""`demo`: the whole job on the embedded default, told step by step.

Local services with sample packages; the repository and parity checks fail before the
migration, as they must, and a forgotten nightly job is caught still installing from
pypiserver (DECOM-4); the migration (with the proxy's routing rule and the health role); the
pre-cutover suite, with the capacity against the Community Edition limits; decommissioning
(only because the suite passed and no client is left on pypiserver); the health phase as a
user holding only the read-only role; every check of every phase with the report; the
services stop.
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
HEALTH_USER = "nexus-health"


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
    _straggler(settings, backend, console, "still on pypiserver")
    stragglers = _suite(
        settings, ["--phase", "postcutover", "--checks", "DECOM-4", "-q", "--no-header"]
    )
    _say(console, f"DECOM-4: exit code {stragglers} (1 = the straggler is found, as it must be)")
    console.rule("3. the migration: backup, provision, upload, configure")
    with console.status("migrating the sample packages and projects..."):
        services = backend.up()
    _say(
        console,
        "done: backup verified, repositories provisioned (with the proxy's routing rule for"
        f" the internal names, '{settings.expected.routing_rule}', and the read-only role"
        f" '{settings.expected.health_role}'), files uploaded and verified, client files"
        " rewritten (the nightly job's too)",
    )
    _straggler(settings, backend, console, "rewritten by configure")
    console.rule("4. the acceptance suite, pre-cutover")
    precutover = args.report_dir.resolve() / "precutover"
    if _suite(settings, ["-q", "--no-header", "--cutover-report", str(precutover)]) != ExitCode.OK:
        _say(console, "Not done: the pre-cutover suite failed, so pypiserver stays (see above)")
        return ExitCode.FAILED
    _evidence(console, precutover, ("CAP-1", "PRE-3", "SEC-1"))
    console.rule("5. decommission pypiserver (allowed: the suite passed, no client left on it)")
    result = migrate.decommission(services.target(settings))
    _say(
        console,
        f"archived to {result.archive}, {result.verified} files verified;"
        f" pypiserver stopped: {result.stopped}",
    )
    console.rule("6. the health phase, as a user holding only the read-only role")
    health = _health_as_read_only_user(settings, services, args.report_dir.resolve() / "health")
    _say(console, f"health phase as '{HEALTH_USER}': exit code {health} (0 = healthy)")
    _evidence(console, args.report_dir.resolve() / "health", ("SEC-6", "CAP-2", "DECOM-4"))
    if health != ExitCode.OK:
        return ExitCode.FAILED
    console.rule("7. every check of every phase, with the report")
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


def _straggler(settings: Settings, backend: object, console: Console, state: str) -> None:
    """Run the sample projects' forgotten nightly job once, as its cron would."""
    import tempfile

    from nexus_cutover.backends.local import LocalBackend
    from nexus_cutover.backends.seeding import STRAGGLER_JOB, run_straggler_job

    assert isinstance(backend, LocalBackend)
    projects = backend.root / "projects"
    index = next(
        (
            line.split("=", 1)[1].strip()
            for line in (projects / STRAGGLER_JOB / "pip.conf").read_text("utf-8").splitlines()
            if line.startswith("index-url")
        ),
        "?",
    )
    with tempfile.TemporaryDirectory() as workdir:
        run = run_straggler_job(projects, Path(workdir))
    outcome = "installed its packages" if run.ok else f"failed: {run.tail(2)}"
    _say(console, f"the nightly job ({STRAGGLER_JOB}, {state}) ran against {index}: {outcome}")


def _health_as_read_only_user(settings: Settings, services: object, report: Path) -> int:
    from nexus_cutover.backends.health_account import create_health_account, health_config
    from nexus_cutover.backends.local import LocalServices

    assert isinstance(services, LocalServices)
    create_health_account(services, settings)
    config = health_config(services, settings, services.root / "health.toml")
    return _suite(
        settings,
        [
            "--phase",
            "health",
            "--cutover-config",
            str(config),
            "--backend",
            "external",
            "--cutover-report",
            str(report),
            "-q",
            "--no-header",
        ],
        state_dir=services.root,  # where configure's journal tells when the cutover was
    )


def _evidence(console: Console, report_dir: Path, checks: tuple[str, ...]) -> None:
    """The evidence lines of `checks` from a run's report.json."""
    import json

    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    for check in report["checks"]:
        if check["id"] in checks:
            _say(console, f"  {check['id']}: {check['evidence'] or check['message']}")


def _suite(settings: Settings, options: list[str], state_dir: Path | None = None) -> int:
    import os
    import subprocess

    from nexus_cutover.cli.run import PYTEST_CODES, suite_command

    env = dict(os.environ, NEXUS_CUTOVER_STATE_DIR=str(state_dir or settings.state_dir))
    code = subprocess.run(suite_command(settings, options), env=env, check=False).returncode
    return PYTEST_CODES.get(code, ExitCode.INTERNAL)


def _describe(services: LocalServices) -> str:
    from nexus_cutover.cli.services import describe

    return describe(services)


def _say(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)
