"""The guard rails' plain logic: routing matchers, capacity limits, pypiserver's log, warnings."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from nexus_cutover.config import CapacitySettings
from nexus_cutover.guardrails.capacity import limits_for
from nexus_cutover.guardrails.routing import blocks, project_matcher, rule_drift
from nexus_cutover.guardrails.stragglers import clients, parse_line, read_log, window_start
from nexus_cutover.report.terminal import render_terminal
from nexus_cutover.results import CheckResult, RunReport


@pytest.mark.parametrize(
    "path",
    [
        "/simple/acme-utils/",
        "/simple/Acme_Utils",
        "/simple/ACME.utils/?format=html",
        "/packages/acme-utils/1.0.0/acme_utils-1.0.0-py3-none-any.whl",
    ],
)
def test_a_project_matcher_blocks_every_spelling(path: str) -> None:
    assert re.fullmatch(project_matcher("acme_utils"), path)


@pytest.mark.parametrize(
    "path", ["/simple/acme-utils-extra/", "/simple/acme/", "/simple/", "/pypi/acme-utils/json"]
)
def test_a_project_matcher_blocks_nothing_else(path: str) -> None:
    assert not re.fullmatch(project_matcher("acme-utils"), path)


def test_rule_drift_names_what_is_missing() -> None:
    rule = {"mode": "BLOCK", "matchers": [project_matcher("acme-utils")]}
    drift = rule_drift("internal", "pypi-proxy", ["acme-utils", "Acme.Data"], rule, None)
    assert drift.unblocked == ("acme-data",)
    assert drift.detached
    assert blocks(rule["matchers"], "ACME_utils")
    assert [line.split(":")[0] for line in drift.lines()] == [
        "routing rule 'internal'",
        "proxy 'pypi-proxy'",
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Nexus/3.77.1-01 (COMMUNITY)", (100_000, 200_000)),
        ("Nexus/3.86.2-01 (COMMUNITY)", (100_000, 200_000)),
        ("Nexus/3.87.0-03 (COMMUNITY)", (40_000, 100_000)),
        ("Nexus/3.97.0-13 (OSS)", (40_000, 100_000)),
        ("", (40_000, 100_000)),  # unreadable: the current, stricter limits
        ("Nexus/3.76.1-01 (OSS)", None),  # before Community Edition: none
        ("Nexus/3.97.0-13 (PRO)", None),
    ],
)
def test_limits_follow_the_version_in_the_server_header(
    header: str, expected: tuple[int, int] | None
) -> None:
    limits = limits_for(header, CapacitySettings())
    assert (limits.components, limits.requests_per_day) == expected if limits else expected is None


def test_configured_limits_win() -> None:
    limits = limits_for(
        "Nexus/3.97.0-13 (PRO)", CapacitySettings(components_limit=5, requests_per_day_limit=9)
    )
    assert limits is not None
    assert (limits.components, limits.requests_per_day) == (5, 9)


PIP = 'pip/24.0 {"ci":null,"python":"3.11.7"} CPython/3.11.7'


def test_both_log_formats_read_address_path_and_user_agent(tmp_path: Path) -> None:
    lines = [
        f"1796399232.6|pypiserver._app|INFO|request|10.0.0.7|GET|/simple/acme-utils/|{PIP}",
        "1796399232.6|pypiserver._app|INFO|200 OK",
        "2026-12-04 14:52:54,930|pypiserver._app|INFO|1406987|request|10.0.0.8|GET|/simple/six/|-",
        '10.0.0.9 - - [04/Dec/2026:14:52:54 +0000] "GET /packages/acme_data-1.0.0.tar.gz'
        f' HTTP/1.1" 200 413 "-" "{PIP}"',
    ]
    (tmp_path / "requests.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = read_log(tmp_path)
    assert [(r.address, r.project, r.agent) for r in found.requests] == [
        ("10.0.0.7", "acme-utils", PIP),
        ("10.0.0.8", "six", "-"),
        ("10.0.0.9", "acme-data", PIP),
    ]
    assert found.requests[2].when == datetime(2026, 12, 4, 14, 52, 54, tzinfo=UTC)


def test_own_requests_probes_and_old_lines_are_no_clients() -> None:
    now = datetime.now(UTC)
    stamp = now.timestamp()
    requests = [
        parse_line(
            f"{stamp}|pypiserver._app|INFO|request|127.0.0.1|GET|/simple/x/|nexus-cutover/0.1.0"
        ),
        parse_line(f"{stamp}|pypiserver._app|INFO|request|127.0.0.1|GET|/health|curl/8"),
        parse_line(f"{stamp - 7200}|pypiserver._app|INFO|request|10.1.1.1|GET|/simple/x/|{PIP}"),
        parse_line(f"{stamp}|pypiserver._app|INFO|request|10.2.2.2|POST|/|twine/6.1.0"),
    ]
    seen = clients([r for r in requests if r], now - timedelta(hours=1))
    assert [(c.address, c.uploads) for c in seen] == [("10.2.2.2", 1)]


def test_the_window_starts_at_the_cutover_when_that_is_later() -> None:
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    cutover = now - timedelta(hours=2)
    assert window_start(now, 24, cutover) == cutover
    assert window_start(now, 1, cutover) == now - timedelta(hours=1)
    assert window_start(now, 24, None) == now - timedelta(hours=24)


def test_a_default_format_log_is_told_apart_from_an_empty_one(tmp_path: Path) -> None:
    log = tmp_path / "pypiserver.log"
    log.write_text(
        '127.0.0.1 - - [04/Dec/2026 15:47:12] "GET /simple/acme/ HTTP/1.1" 200 2\n', "utf-8"
    )
    assert read_log(log).wrong_format
    log.write_text("Listening on http://127.0.0.1:8080/\n", "utf-8")
    assert not read_log(log).wrong_format


def test_a_warning_shows_without_verbose_and_counts_as_a_pass() -> None:
    started = datetime(2026, 12, 4, tzinfo=UTC)
    checks = (
        CheckResult("SEC-6", "passed", "", "t::a", 0.1, evidence="warning: runs as admin | x"),
        CheckResult("SEC-5", "passed", "", "t::b", 0.1, evidence="files read"),
    )
    report = RunReport("target", "health", started, started, checks, selected=("SEC-5", "SEC-6"))
    stream = io.StringIO()
    render_terminal(report, Console(file=stream, width=100, color_system=None))
    text = stream.getvalue()
    assert "warning: runs as admin" in text
    assert "files read" not in text  # plain evidence needs -v
    assert "2 passed (1 with warnings)" in text
    assert report.passed
    assert checks[0].warning == "runs as admin"
    assert checks[1].warning is None
