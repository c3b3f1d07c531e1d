"""junit.xml: one test case per check, named by its ID and title, for CI systems.

The suite carries the configuration file and the target's URLs as properties; each case
carries the properties `check_id`, `phase` and `evidence` (what a pass proved), so
a CI dashboard shows the same proof as report.html. Written with junitparser.
"""

# junitparser has no type hints.
# mypy: disable-error-code="no-untyped-call,no-any-return"

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from junitparser import Failure, JUnitXml, Properties, Property, Skipped, TestCase, TestSuite

from nexus_cutover.report.common import title, write_text
from nexus_cutover.results import CheckResult, RunReport, redacted


def write_junit(report: RunReport, path: Path, *, secrets: Collection[str] = ()) -> None:
    write_text(path, render_junit(redacted(report, secrets)))


def render_junit(report: RunReport) -> str:
    suite = TestSuite(f"nexus-cutover {report.phase}")
    suite.timestamp = report.started.isoformat(timespec="seconds")
    # Which file and which servers: a CI dashboard shows what this run checked.
    for name, value in (
        ("config_file", report.config_file or "none (defaults and environment)"),
        ("target", report.target),
        ("phase", report.phase),
        *report.urls,
    ):
        suite.add_property(name, value)
    for result in report.checks:
        suite.add_testcase(_case(result, report.phase))
    suite.update_statistics()
    xml = JUnitXml("nexus-cutover")
    xml.add_testsuite(suite)
    xml.update_statistics()
    return xml.tostring().decode("utf-8")


def _case(result: CheckResult, phase: str) -> TestCase:
    case = TestCase(
        f"{result.id} {title(result.id)}",
        classname=f"nexus-cutover.{phase}",
        time=round(result.duration, 3),
    )
    properties = Properties()
    for name, value in (
        ("check_id", result.id),
        ("phase", phase),
        ("evidence", result.evidence),
        ("test", result.test),
    ):
        properties.add_property(Property(name, value))
    case.append(properties)
    if result.outcome == "failed":
        case.result = [Failure(result.message)]
    elif result.outcome == "skipped":
        case.result = [Skipped(result.message)]
    return case
