"""pytest plugin: options, check markers, phase and read-only selection, the checklist report.

Registered through the `pytest11` entry point, so `pytest tests/` in any checkout (or
`nexus-cutover run`) gets it. The fixtures live in fixtures/ and only build on what this
plugin parses.
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from nexus_cutover.catalogue import CHECK_IDS, PHASES
from nexus_cutover.config import Settings, load_settings
from nexus_cutover.errors import CutoverError
from nexus_cutover.redact import redact
from nexus_cutover.report import (
    CheckResult,
    Outcome,
    RunReport,
    render_terminal,
    write_html,
    write_json,
)

SETTINGS = pytest.StashKey[Settings]()
RESULTS = pytest.StashKey[list[CheckResult]]()
STARTED = pytest.StashKey[datetime]()
TARGET_INFO = pytest.StashKey[dict[str, object]]()
PHASE_CHECKS = pytest.StashKey[frozenset[str]]()
# Deselections by anything but the phase (-k, --deselect, --checks): the run is partial.
PARTIAL = pytest.StashKey[list[int]]()

NOT_APPLICABLE = "not applicable"
# Checks that must see every other result of the run (the decommission gate) run last.
RUN_LAST = ("DECOM-1",)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nexus-cutover", "pypiserver -> Nexus migration acceptance suite")
    group.addoption(
        "--cutover-config",
        metavar="FILE",
        type=Path,
        help="TOML file with the target and the expected state (see cutover.toml)",
    )
    group.addoption(
        "--backend",
        choices=("local", "docker", "external"),
        help="where the servers come from (default: local, or the config file's)",
    )
    group.addoption("--nexus-url", help="Nexus REST/UI base URL, e.g. http://nexus:8081")
    group.addoption(
        "--nexus-repository-url",
        help="base URL of /repository/... if it differs (default: --nexus-url)",
    )
    group.addoption("--nexus-user", help="Nexus user (password: NEXUS_PASSWORD or password_file)")
    group.addoption("--pypiserver-url", help="the old index, e.g. http://pypi-server:8888")
    group.addoption("--packages-dir", type=Path, help="pypiserver's packages folder, if readable")
    group.addoption(
        "--read-only",
        action="store_true",
        default=None,
        help="skip every check that writes (canary uploads); reported as skipped",
    )
    group.addoption(
        "--phase",
        choices=(*PHASES, "all"),
        default="precutover",
        help="which checks apply: precutover (default), postcutover, health, all",
    )
    group.addoption(
        "--checks",
        metavar="IDS",
        help="run only these check IDs, comma-separated (e.g. REPO-1,PARITY-2)",
    )
    group.addoption(
        "--cutover-report",
        metavar="DIR",
        type=Path,
        help="also write DIR/report.json and DIR/report.html",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[RESULTS] = []
    config.stash[STARTED] = datetime.now(UTC)
    config.stash[TARGET_INFO] = {}
    config.stash[PHASE_CHECKS] = frozenset()
    config.stash[PARTIAL] = [0]
    try:
        config.stash[SETTINGS] = settings_from_options(config)
    except CutoverError as error:
        raise pytest.UsageError(str(error)) from None
    phase = config.getoption("phase")
    if phase == "health" and config.getoption("read_only") is None:
        # Scheduled health checks never write.
        config.stash[SETTINGS] = config.stash[SETTINGS].model_copy(update={"read_only": True})


def settings_from_options(config: pytest.Config) -> Settings:
    overrides = {
        "backend": config.getoption("backend"),
        "nexus.url": config.getoption("nexus_url"),
        "nexus.repository_url": config.getoption("nexus_repository_url"),
        "nexus.user": config.getoption("nexus_user"),
        "pypiserver.url": config.getoption("pypiserver_url"),
        "pypiserver.packages_dir": config.getoption("packages_dir"),
        "read_only": config.getoption("read_only"),
    }
    return load_settings(config.getoption("cutover_config"), overrides)


def check_id(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("check")
    return str(marker.args[0]) if marker and marker.args else None


def item_phases(item: pytest.Item) -> tuple[str, ...]:
    marker = item.get_closest_marker("phase")
    return tuple(marker.args) if marker else PHASES


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        ident = check_id(item)
        if ident is not None and ident not in CHECK_IDS:
            raise pytest.UsageError(f"{item.nodeid}: unknown check ID {ident!r}")
    wanted = _wanted_checks(config)
    phase = config.getoption("phase")
    in_phase = [item for item in items if phase == "all" or phase in item_phases(item)]
    config.stash[PHASE_CHECKS] = frozenset(filter(None, map(check_id, in_phase)))
    keep = [item for item in in_phase if wanted is None or check_id(item) in wanted]
    drop = [item for item in items if item not in keep]
    config.stash[PARTIAL][0] += len(in_phase) - len(keep)
    if drop:
        # Phase deselections are expected; pytest_deselected counts only the others.
        config.stash[PARTIAL][0] -= len(drop)
        config.hook.pytest_deselected(items=drop)
    keep.sort(key=lambda item: check_id(item) in RUN_LAST)
    items[:] = keep


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        items[0].config.stash[PARTIAL][0] += len(items)


def _wanted_checks(config: pytest.Config) -> set[str] | None:
    raw = config.getoption("checks")
    if not raw:
        return None
    wanted = {part.strip().upper() for part in raw.split(",") if part.strip()}
    unknown = wanted - CHECK_IDS
    if unknown:
        raise pytest.UsageError(f"--checks: unknown check ID(s) {', '.join(sorted(unknown))}")
    return wanted


def pytest_runtest_setup(item: pytest.Item) -> None:
    settings = item.config.stash[SETTINGS]
    if item.get_closest_marker("writes") and settings.read_only:
        pytest.skip("read-only run: this check writes a canary to the server")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    secrets = item.config.stash[SETTINGS].secrets() + _target_secrets(item.config)
    if report.failed:
        # What pytest prints and writes to JUnit passes through the mask as well.
        report.longrepr = redact(str(report.longrepr), secrets)
    ident = check_id(item)
    if ident is None:
        return report
    outcome = _outcome(report)
    if outcome is not None:
        message = redact(_message(report), secrets)
        item.config.stash[RESULTS].append(
            CheckResult(
                id=ident,
                outcome=outcome,
                message=message,
                test=item.nodeid,
                duration=report.duration,
                not_applicable=outcome == "skipped" and message.startswith(NOT_APPLICABLE),
            )
        )
    return report


def _target_secrets(config: pytest.Config) -> tuple[str, ...]:
    secrets = config.stash[TARGET_INFO].get("secrets", ())
    return tuple(str(s) for s in secrets) if isinstance(secrets, tuple) else ()


def _outcome(report: pytest.TestReport) -> Outcome | None:
    """One result per test: the call phase, or setup when it failed or skipped."""
    if report.when == "call":
        return "failed" if report.failed else ("skipped" if report.skipped else "passed")
    if report.when == "setup" and (report.failed or report.skipped):
        return "failed" if report.failed else "skipped"
    if report.when == "teardown" and report.failed:
        return "failed"
    return None


def _message(report: pytest.TestReport) -> str:
    if report.passed:
        return ""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    text = crash.message if crash is not None else _last_error_line(str(longrepr))
    return " ".join(text.removeprefix("Failed: ").split())


def _last_error_line(text: str) -> str:
    """A failure text that is no longer structured: its `E ...` lines, else all of it."""
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return " ".join(errors) or text


def phase_checks(config: pytest.Config) -> frozenset[str]:
    """The check IDs that apply in this run's phase (whatever --checks or -k selected)."""
    return config.stash[PHASE_CHECKS]


def session_results(config: pytest.Config) -> list[CheckResult]:
    """Results recorded so far in this run (the decommission gate reads them)."""
    results = config.stash[RESULTS]
    return list(results)


def build_report(config: pytest.Config) -> RunReport:
    info = config.stash[TARGET_INFO]
    results = config.stash[RESULTS]
    return RunReport(
        target=str(info.get("description", "target not reached")),
        phase=str(config.getoption("phase")),
        started=config.stash[STARTED],
        finished=datetime.now(UTC),
        checks=tuple(results),
    )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if not config.stash[RESULTS]:
        return
    console = Console(file=sys.stdout, width=max(80, min(terminalreporter._tw.fullwidth, 120)))
    render_terminal(build_report(config), console)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if not config.stash[RESULTS]:
        return
    report = build_report(config)
    directory = config.getoption("cutover_report")
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        write_json(report, directory / "report.json")
        write_html(report, directory / "report.html")
    state_dir = config.stash[TARGET_INFO].get("state_dir")
    complete = (
        config.stash[PARTIAL][0] == 0
        and not session.shouldstop
        and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
    )
    if isinstance(state_dir, Path) and complete:
        # The decommission step reads this: it refuses unless a full run passed recently.
        state_dir.mkdir(parents=True, exist_ok=True)
        write_json(report, state_dir / "last-report.json")


def require(problems: list[str]) -> None:
    """Fail the current check with its problems as one readable message (no traceback)."""
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)
