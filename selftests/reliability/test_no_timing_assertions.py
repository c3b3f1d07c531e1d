"""No assertion on elapsed time in tests/ or selftests/ (speed lives in bench/, as ratios side
by side). The stand-in's own self-tests are its engineer's to clean, so they are left out."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("tests", "selftests")
EXCLUDED = ("selftests/standin/",)
TIMING = re.compile(
    r"\b(elapsed|duration|seconds|took|monotonic|perf_counter|time\.time|started_in|startup)\b"
)


def timing_assertions(source: str) -> list[tuple[int, str]]:
    """(line, text) of each `assert` comparing something that names a clock or a duration."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assert):
            continue
        text = ast.get_source_segment(source, node.test) or ""
        compares = any(
            isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE)
            for part in ast.walk(node.test)
            if isinstance(part, ast.Compare)
            for op in part.ops
        )
        if compares and TIMING.search(text):
            found.append((node.lineno, text))
    return found


def test_no_test_asserts_on_elapsed_time() -> None:
    offenders = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(EXCLUDED):
                continue
            for line, text in timing_assertions(path.read_text(encoding="utf-8")):
                offenders.append(f"{relative}:{line}: assert {text}")
    assert offenders == []


def test_the_detector_finds_what_it_must() -> None:
    source = (
        "assert elapsed < 5\n"
        "assert time.monotonic() - start <= limit\n"
        "assert result.duration > 0.1\n"
        "assert report['duration'] == 0.25\n"  # an equality on a recorded value: fine
        "assert count < 5\n"
    )
    assert [line for line, _ in timing_assertions(source)] == [1, 2, 3]
