"""Clean messages: every check message of a run against broken services is one plain line,
no exception chain, no ANSI code, no traceback, no repr, never cut, and the terminal shows
each in full. The whole suite runs (every phase) in its own process, as users run it."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from selftests.breakers.lab import Lab, lab, samples_cache

__all__ = ["lab", "samples_cache"]  # the breakers' fixtures, used here as well

NOISE = (
    "\x1b",
    "Traceback",
    "During handling of the above exception",
    "The above exception was the direct cause",
    "object at 0x",
    "<class '",
    "\nE ",
    "Failed: ",
    "AssertionError",
)


def report_messages(lab: Lab) -> list[tuple[str, str, str]]:
    report = json.loads((lab.report_dir / "report.json").read_text(encoding="utf-8"))
    return [
        (c["id"], c["outcome"], c["message"]) for c in report["checks"] if c["outcome"] != "passed"
    ]


def assert_clean(messages: list[tuple[str, str, str]], terminal: str) -> None:
    assert messages, "nothing failed: the services were not broken"
    shown = " ".join(terminal.split())
    for check_id, outcome, message in messages:
        where = f"{check_id} ({outcome}): {message!r}"
        assert message.strip(), f"{check_id}: empty message"
        assert "\n" not in message, where
        assert not any(noise in message for noise in NOISE), where
        assert not message.rstrip().endswith(("...", "…")), where
        assert not re.search(r"\b\w+Error\(", message), where  # a repr of an exception
        assert message in shown, f"{where} is not shown in full in the terminal"


def run_all(lab: Lab) -> str:
    """The whole suite, every phase; the terminal text (report.json is in lab.report_dir)."""
    import os
    import subprocess
    import sys

    from selftests.breakers.lab import CHECKOUT

    shutil.rmtree(lab.report_dir, ignore_errors=True)
    env = dict(os.environ, NEXUS_CUTOVER_STATE_DIR=str(lab.settings.state_dir), COLUMNS="100")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(CHECKOUT / "tests"),
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(CHECKOUT),
            "--backend",
            "local",
            "--phase",
            "all",
            "--basetemp",
            str(lab.report_dir.parent / "suite-tmp"),
            "--cutover-report",
            str(lab.report_dir),
            "-q",
            "--no-header",
        ],
        env=env,
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.mark.slow
def test_messages_are_clean_when_many_things_are_broken(lab: Lab) -> None:
    """pypiserver stopped, hosted gone, a project file unparseable, the backup truncated."""
    lab.rest("DELETE", "/v1/repositories/pypi-group")
    lab.rest("DELETE", "/v1/repositories/pypi-hosted")
    assert lab.services.pypiserver is not None
    lab.services.pypiserver.stop()
    lab.edit("maestro-hive/pip.conf", "[global]\n", "index-url = nowhere\n[global]\n")
    archive = lab.target.clients.backup_archive
    assert archive is not None
    archive.write_bytes(archive.read_bytes()[:1000])
    terminal = run_all(lab)
    messages = report_messages(lab)
    assert_clean(messages, terminal)
    assert len([m for m in messages if m[1] == "failed"]) >= 10


@pytest.mark.slow
def test_messages_are_clean_when_nexus_is_gone(lab: Lab) -> None:
    lab.services.nexus.stop()
    terminal = run_all(lab)
    assert_clean(report_messages(lab), terminal)
