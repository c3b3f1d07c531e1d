"""pytest plugin: options, markers, the suite's fixtures, phase selection, the checklist report.

Registered through the `pytest11` entry point, so any pytest in an environment where
nexus-cutover is installed has it: the installed suite (`nexus-cutover run`), the repository's
`tests/`, and a team's own test files that use the fixtures (`target`, `nexus`, `sandbox`, ...)
and the `check` marker. A test names its check ID; phases and whether it writes come from the
catalogue. Settings are read once, when the first test needs them.

Adding an option: `pytest_addoption` below, then map it onto a dotted settings key in
`_overrides` (and into `nexus-cutover run` in cli/run.py if users should have it there).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Generator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from nexus_cutover.catalogue import CHECK_IDS, PHASES, check, checks_in_phase
from nexus_cutover.checks import Proof
from nexus_cutover.errors import CutoverError
from nexus_cutover.redact import redact

if TYPE_CHECKING:
    from nexus_cutover.config import Settings
    from nexus_cutover.results import CheckResult, Outcome, RunReport

# Every pytest run in an environment with nexus-cutover loads this plugin, a team's own
# tests included: what only a cutover run needs (settings, results, reports, rich) is
# imported where it is used, so the plugin costs pytest's start next to nothing.

# The suite's fixtures, registered with the plugin so they work from any folder.
pytest_plugins = [
    "nexus_cutover.suite.fixtures.backends",
    "nexus_cutover.suite.fixtures.clients",
    "nexus_cutover.suite.fixtures.packages",
    "nexus_cutover.suite.fixtures.projects_scan",
]

SETTINGS: pytest.StashKey[Settings] = pytest.StashKey()
RESULTS: pytest.StashKey[list[CheckResult]] = pytest.StashKey()
STARTED: pytest.StashKey[datetime] = pytest.StashKey()
TARGET_INFO: pytest.StashKey[dict[str, object]] = pytest.StashKey()
PHASE_CHECKS: pytest.StashKey[frozenset[str]] = pytest.StashKey()
SELECTED: pytest.StashKey[tuple[str, ...] | None] = pytest.StashKey()
EVIDENCE: pytest.StashKey[str] = pytest.StashKey()
# Deselections by anything but the phase (-k, --deselect, --checks): the run is partial.
PARTIAL: pytest.StashKey[list[int]] = pytest.StashKey()

NOT_APPLICABLE = "not applicable"
# Checks that must see every other result of the run (the decommission gate) run last.
RUN_LAST = ("DECOM-1",)
MARKERS = (
    "check(id): the check ID of the catalogue that this test proves",
    "phase(*names): phases of a test that is not in the catalogue (default: every phase)",
    "writes: the test writes to a server (a canary it removes again); skipped by --read-only",
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nexus-cutover", "pypiserver -> Nexus migration acceptance suite")
    parser.addini("cutover_config", "the nexus-cutover TOML file (relative to the ini file)")
    group.addoption(
        "--cutover-config",
        metavar="FILE",
        type=Path,
        help="TOML file with the target and the expected state (default: NEXUS_CUTOVER_CONFIG,"
        " then ./cutover.toml)",
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
        help="which checks apply: precutover (default), postcutover, health (read-only), all",
    )
    group.addoption(
        "--checks",
        metavar="IDS",
        help="run only these check IDs, comma-separated (e.g. REPO-1,PARITY-2)",
    )
    group.addoption(
        "--require-proven",
        action="store_true",
        default=None,
        help="fail the run unless every checklist item of the run is proven",
    )
    group.addoption(
        "--cutover-report",
        metavar="DIR",
        type=Path,
        help="also write DIR/report.json, DIR/report.html and DIR/junit.xml",
    )
    group.addoption(
        "--cutover-junit",
        metavar="FILE",
        type=Path,
        help="write a JUnit file with one test case per check ID",
    )


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    config.stash[RESULTS] = []
    config.stash[STARTED] = datetime.now(UTC)
    config.stash[TARGET_INFO] = {}
    config.stash[PHASE_CHECKS] = frozenset()
    config.stash[SELECTED] = None
    config.stash[PARTIAL] = [0]


def settings_of(config: pytest.Config) -> Settings:
    """The run's settings, read on first use (options < environment < file < defaults)."""
    if SETTINGS not in config.stash:
        from nexus_cutover.config import load_settings

        try:
            settings = load_settings(_config_file(config), _overrides(config))
        except CutoverError as error:
            raise pytest.UsageError(str(error)) from None
        if config.getoption("phase") == "health" and config.getoption("read_only") is None:
            settings = settings.model_copy(update={"read_only": True})  # health never writes
        config.stash[SETTINGS] = settings
    return config.stash[SETTINGS]


def _config_file(config: pytest.Config) -> Path | None:
    from nexus_cutover.config import find_config_file

    given: Path | None = config.getoption("cutover_config")
    ini = config.getini("cutover_config")
    if given is None and ini and config.inipath is not None:
        given = config.inipath.parent / str(ini)
    try:
        return find_config_file(given)
    except CutoverError as error:
        raise pytest.UsageError(str(error)) from None


def _overrides(config: pytest.Config) -> dict[str, object]:
    return {
        "backend": config.getoption("backend"),
        "nexus.url": config.getoption("nexus_url"),
        "nexus.repository_url": config.getoption("nexus_repository_url"),
        "nexus.user": config.getoption("nexus_user"),
        "pypiserver.url": config.getoption("pypiserver_url"),
        "pypiserver.packages_dir": config.getoption("packages_dir"),
        "read_only": config.getoption("read_only"),
        "require_proven": config.getoption("require_proven"),
    }


def pytest_report_header(config: pytest.Config) -> list[str]:
    asked = ("cutover_config", "cutover_report", "backend", "checks")
    if not any(config.getoption(name) for name in asked):
        return []  # a team's own tests in the same environment: no header of ours
    settings = settings_of(config)
    source = str(settings.config_file) if settings.config_file else "none (defaults, environment)"
    lines = [
        f"nexus-cutover: backend {settings.backend}, config {source}, state {settings.state_dir}"
    ]
    if settings.backend == "external":
        old = settings.pypiserver.url or "none"
        lines.append(
            f"nexus-cutover: Nexus {settings.nexus.url} (repositories"
            f" {settings.nexus.repository_base}), pypiserver {old}"
        )
    return lines


def check_id(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("check")
    return str(marker.args[0]) if marker and marker.args else None


def item_phases(item: pytest.Item) -> tuple[str, ...]:
    ident = check_id(item)
    if ident in CHECK_IDS:
        return check(ident).phases
    marker = item.get_closest_marker("phase")
    return tuple(marker.args) if marker else PHASES


def item_writes(item: pytest.Item) -> bool:
    ident = check_id(item)
    return (ident in CHECK_IDS and check(ident).writes) or bool(item.get_closest_marker("writes"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        ident = check_id(item)
        if ident is not None and ident not in CHECK_IDS:
            raise pytest.UsageError(f"{item.nodeid}: unknown check ID {ident!r}")
    wanted = _wanted_checks(config)
    config.stash[SELECTED] = tuple(sorted(wanted)) if wanted is not None else None
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
    if any(check_id(item) for item in keep):
        settings_of(config)  # a bad configuration stops the run here, before any test


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
        raise pytest.UsageError(
            f"--checks: unknown check ID(s) {', '.join(sorted(unknown))};"
            f" known: {', '.join(c for c in sorted(CHECK_IDS))}"
        )
    return wanted


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item_writes(item) and settings_of(item.config).read_only:
        pytest.skip("read-only run: this check writes a canary to the server")


@pytest.fixture
def prove(request: pytest.FixtureRequest) -> Callable[[Proof], None]:
    """Hand a check's proof to the report: fail with its problems, or record its evidence.

    A pass must say what it proved: a proof without problems and without evidence is a
    defect of the check, and fails as such.
    """

    def record(proof: Proof) -> None:
        if not isinstance(proof, Proof):
            raise TypeError(f"prove() takes a checks.Proof, not {type(proof).__name__}")
        if proof.problems:
            pytest.fail("; ".join(proof.problems), pytrace=False)
        if not proof.evidence.strip():
            pytest.fail(
                "defect of nexus-cutover: the check found no problem but recorded no evidence",
                pytrace=False,
            )
        earlier = request.node.stash.get(EVIDENCE, "")
        request.node.stash[EVIDENCE] = f"{earlier}; {proof.evidence}" if earlier else proof.evidence

    return record


NO_EVIDENCE = "defect of nexus-cutover: the check passed without recording evidence (prove())"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    ident = check_id(item)
    if ident is None:
        return report
    if report.when == "call" and report.passed and not item.stash.get(EVIDENCE, "").strip():
        # A pass that says nothing it proved is a vacuous pass: never count it.
        report.outcome = "failed"
        report.longrepr = NO_EVIDENCE
    if call.excinfo is not None and isinstance(call.excinfo.value, CutoverError):
        # A server's answer the check could not go past (a 429 after retries, a 403): its
        # one-line message is the finding, not a traceback with the exception's type.
        report.longrepr = str(call.excinfo.value)
    from nexus_cutover.results import CheckResult

    secrets = settings_of(item.config).secrets() + _target_secrets(item.config)
    if report.failed:
        # What pytest prints and writes to JUnit passes through the mask as well.
        report.longrepr = redact(str(report.longrepr), secrets)
    outcome = _outcome(report)
    if outcome is not None:
        message = redact(_message(report), secrets)
        evidence = item.stash.get(EVIDENCE, "") if outcome == "passed" else ""
        item.config.stash[RESULTS].append(
            CheckResult(
                id=ident,
                outcome=outcome,
                message=message,
                test=item.nodeid,
                duration=report.duration,
                not_applicable=outcome == "skipped" and message.startswith(NOT_APPLICABLE),
                evidence=redact(evidence, secrets),
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
    """One plain line: no ANSI colours, no exception chain, no traceback."""
    if report.passed:
        return ""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        text = str(longrepr[2]).removeprefix("Skipped: ")
    else:
        crash = getattr(longrepr, "reprcrash", None)
        text = crash.message if crash is not None else _last_error_line(str(longrepr))
        text = text.removeprefix("Failed: ")
    text = _ANSI.sub("", text).split("\n\nDuring handling of the above exception", 1)[0]
    text = text.split("\n\nThe above exception was the direct cause", 1)[0]
    return " ".join(text.split())


def _last_error_line(text: str) -> str:
    """A failure text that is no longer structured: its `E ...` lines, else all of it."""
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return " ".join(errors) or text


def phase_checks(config: pytest.Config) -> frozenset[str]:
    """The check IDs that apply in this run's phase (whatever --checks or -k selected)."""
    return config.stash[PHASE_CHECKS]


def _results(config: pytest.Config) -> list[CheckResult]:
    results: list[CheckResult] = config.stash[RESULTS]
    return results


def session_results(config: pytest.Config) -> list[CheckResult]:
    """Results recorded so far in this run (the decommission gate reads them)."""
    return list(_results(config))


def build_report(config: pytest.Config) -> RunReport:
    from nexus_cutover.results import RunReport

    info = config.stash[TARGET_INFO]
    settings = config.stash.get(SETTINGS, None)
    config_file = settings.config_file if settings else None
    urls = info.get("urls") or _configured_urls(settings)
    return RunReport(
        target=str(info.get("description", "target not reached")),
        phase=str(config.getoption("phase")),
        started=config.stash[STARTED],
        finished=datetime.now(UTC),
        checks=tuple(_results(config)),
        config_file=str(config_file) if config_file else None,
        selected=config.stash[SELECTED],
        phase_checks=_phase_checks(config),
        urls=tuple(urls.items()) if isinstance(urls, dict) else (),
    )


def _configured_urls(settings: Settings | None) -> dict[str, str]:
    """Before (or without) a target: the servers given by URL; local/docker ones are not
    known until they run."""
    if settings is None or settings.backend != "external":
        return {}
    return {
        "nexus_url": settings.nexus.url,
        "repository_url": settings.nexus.repository_base,
        "pypiserver_url": settings.pypiserver.url or "",
    }


def _phase_checks(config: pytest.Config) -> tuple[str, ...] | None:
    phase = str(config.getoption("phase"))
    return None if phase == "all" else tuple(c.id for c in checks_in_phase(phase))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if not config.stash[RESULTS]:
        return
    from rich.console import Console

    from nexus_cutover.report.terminal import render_terminal

    console = Console(file=sys.stdout, width=max(80, min(terminalreporter._tw.fullwidth, 120)))
    render_terminal(build_report(config), console, verbose=config.get_verbosity() > 0)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if not config.stash[RESULTS]:
        return
    from nexus_cutover.report.as_html import write_html
    from nexus_cutover.report.as_json import write_json
    from nexus_cutover.report.junit import write_junit

    report = build_report(config)
    directory: Path | None = config.getoption("cutover_report")
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        write_json(report, directory / "report.json")
        write_html(report, directory / "report.html")
        write_junit(report, directory / "junit.xml")
    junit: Path | None = config.getoption("cutover_junit")
    if junit is not None:
        write_junit(report, junit)
    _keep_for_the_gate(session, report, exitstatus)
    settings = config.stash.get(SETTINGS, None)
    if settings is not None and settings.require_proven and exitstatus == 0 and not report.proven:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _keep_for_the_gate(session: pytest.Session, report: RunReport, exitstatus: int) -> None:
    """The decommission step reads the last complete run of this target."""
    config = session.config
    state_dir = config.stash[TARGET_INFO].get("state_dir")
    complete = (
        config.stash[PARTIAL][0] == 0
        and not session.shouldstop
        and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
    )
    if isinstance(state_dir, Path) and complete:
        from nexus_cutover.report.as_json import write_json

        state_dir.mkdir(parents=True, exist_ok=True)
        write_json(report, state_dir / "last-report.json")
