"""The pytest plugin from outside: a team's own test files in any folder, --strict-markers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

THIRD_PARTY = """
import pytest


@pytest.mark.writes
def test_uses_the_writes_marker() -> None:
    pass


@pytest.mark.phase("health")
def test_only_in_health() -> None:
    pass
"""


def pytest_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_markers_work_warning_free_under_strict_markers_anywhere(tmp_path: Path) -> None:
    (tmp_path / "test_team.py").write_text(THIRD_PARTY, encoding="utf-8")
    result = pytest_in(
        tmp_path, "--strict-markers", "-W", "error", "--phase", "health", "-q", "test_team.py"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The health phase never writes: the test that writes is skipped, with the reason.
    assert "1 passed, 1 skipped" in result.stdout
    assert "warning" not in result.stdout.lower()


def test_phase_selection_applies_to_marked_team_tests(tmp_path: Path) -> None:
    (tmp_path / "test_team.py").write_text(THIRD_PARTY, encoding="utf-8")
    result = pytest_in(tmp_path, "--strict-markers", "--phase", "precutover", "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 deselected" in result.stdout


def test_cutover_config_ini_option_names_the_file(tmp_path: Path) -> None:
    """`cutover_config` in a team's pytest.ini is read relative to that file."""
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "cutover.toml").write_text('backend = "cloud"\n', encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\ncutover_config = conf/cutover.toml\n")
    (tmp_path / "test_check.py").write_text(
        'import pytest\n\n\n@pytest.mark.check("PRE-1")\ndef test_x() -> None:\n    pass\n',
        encoding="utf-8",
    )
    result = pytest_in(tmp_path, "-q")
    assert result.returncode == 4  # a usage error: the file it named is wrong, and says so
    assert str(tmp_path / "conf" / "cutover.toml") in result.stdout + result.stderr
