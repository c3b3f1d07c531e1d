"""`run`: the installed acceptance suite against the configured target, in its own pytest.

The suite runs from the installed package with its own pytest configuration (the folder it
is started from, and any pytest.ini or pyproject there, change nothing), the configuration
file and every path passed on as absolute paths. Against servers given by URL one request
to each comes first, so an unreachable host or a wrong password is exit code 2 at once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nexus_cutover.cli.app import command_parser
from nexus_cutover.errors import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from nexus_cutover.config import Settings

PHASES = ("precutover", "postcutover", "health", "all")
# pytest's exit codes -> ours: usage errors and "nothing collected" are bad input.
PYTEST_CODES = {
    0: ExitCode.OK,
    1: ExitCode.FAILED,
    2: ExitCode.INTERRUPTED,
    3: ExitCode.INTERNAL,
    4: ExitCode.BAD_INPUT,
    5: ExitCode.BAD_INPUT,
}


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        commands,
        "run",
        help="run the acceptance suite against the configured target",
        description="Run the acceptance suite (the installed copy) against the configured"
        " target and print the migration checklist. Arguments it does not know go to pytest,"
        " e.g. `-x`, `-k EXPR` (after `--` if they look like its own).",
        epilog="phases:\n"
        "  precutover   before the cutover: everything, plus a canary upload removed again\n"
        "  postcutover  after decommissioning pypiserver\n"
        "  health       scheduled checks of a migrated Nexus: read only\n"
        "  all          every check",
    )
    parser.add_argument(
        "--phase",
        choices=PHASES,
        default="precutover",
        help="which checks apply (default precutover)",
    )
    parser.add_argument(
        "--checks", metavar="IDS", help="only these check IDs, comma-separated (a partial run)"
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=None,
        help="never write: checks that upload a canary are skipped",
    )
    parser.add_argument(
        "--require-proven",
        action="store_true",
        default=None,
        help="exit 1 unless every checklist item of the run is proven",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        metavar="DIR",
        help="write report.json, report.html and junit.xml there",
    )
    parser.add_argument(
        "--junit", type=Path, metavar="FILE", help="write JUnit XML, one test case per check ID"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show each passing check's evidence"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="less pytest output")


def run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    if args.checks:
        _known_checks(args.checks)
    if settings.backend == "external":
        _preflight(settings, args.phase)
    command = suite_command(settings, _suite_options(args), args.pytest_args)
    env = dict(os.environ, NEXUS_CUTOVER_STATE_DIR=str(settings.state_dir))
    result = subprocess.run(command, env=env, check=False)
    return PYTEST_CODES.get(result.returncode, ExitCode.INTERNAL)


def _known_checks(raw: str) -> None:
    from nexus_cutover.catalogue import CHECK_IDS
    from nexus_cutover.errors import ConfigError

    unknown = sorted({p.strip().upper() for p in raw.split(",") if p.strip()} - CHECK_IDS)
    if unknown:
        known = ", ".join(sorted(CHECK_IDS))
        raise ConfigError(f"--checks: unknown check ID(s) {', '.join(unknown)}; known: {known}")


def _preflight(settings: Settings, phase: str) -> None:
    from nexus_cutover import preflight
    from nexus_cutover.backends.external import external_target

    target = external_target(settings)
    preflight.nexus_login(target.nexus, settings.nexus.user)
    if phase == "precutover":
        preflight.pypiserver_reachable(target.pypiserver, settings.pypiserver.user)


def _suite_options(args: argparse.Namespace) -> list[str]:
    options = ["--phase", args.phase]
    if args.checks:
        options += ["--checks", args.checks]
    if args.read_only:
        options.append("--read-only")
    if args.require_proven:
        options.append("--require-proven")
    if args.report_dir:
        options += ["--cutover-report", str(args.report_dir.resolve())]
    if args.junit:
        options += ["--cutover-junit", str(args.junit.resolve())]
    if args.verbose:
        options.append("-v")
    if args.quiet:
        options.append("-q")
    return options


def suite_command(
    settings: Settings, options: Sequence[str], pytest_args: Sequence[str] = ()
) -> list[str]:
    """pytest over the installed suite, configured by the suite's own ini file only."""
    from nexus_cutover.resources import SUITE_DIR, TESTS_DIR

    config = ["--cutover-config", str(settings.config_file)] if settings.config_file else []
    return [
        sys.executable,
        "-m",
        "pytest",
        str(TESTS_DIR),
        "-c",
        str(SUITE_DIR / "pytest.ini"),
        "--rootdir",
        str(SUITE_DIR),
        "--backend",
        settings.backend,
        *config,
        *options,
        *pytest_args,
    ]
