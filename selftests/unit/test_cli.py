"""The CLI's contract with users and CI: one readable line and exit 2 on bad input."""

import subprocess
import sys
from pathlib import Path

import pytest

from nexus_cutover.cli.app import build_parser


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nexus_cutover", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )


def test_run_takes_its_own_options_and_hands_the_rest_to_pytest() -> None:
    args, extra = build_parser().parse_known_args(
        ["--config", "c.toml", "run", "--phase", "health", "-x", "--", "-k", "REPO"]
    )
    assert (args.command, args.phase, str(args.config)) == ("run", "health", "c.toml")
    assert [a for a in extra if a != "--"] == ["-x", "-k", "REPO"]


def test_config_is_accepted_after_the_command_too() -> None:
    args, _ = build_parser().parse_known_args(["run", "--config", "c.toml"])
    assert str(args.config) == "c.toml"


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        ("[nexus\n", "not valid TOML"),
        ('[nexus]\npassword = "hunter22"\n', "holds a secret"),
        ('[nexus]\nurl = "http://admin:hunter22@nexus:8081"\n', "URL holds credentials"),
        ('[expected.hosted]\nwrite_policy = "sometimes"\n', "expected.hosted.write_policy"),
        ('backend = "cloud"\n', "backend"),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(
    tmp_path: Path, content: str, phrase: str
) -> None:
    config = tmp_path / "cutover.toml"
    config.write_text(content, encoding="utf-8")
    result = cli("--config", str(config), "status")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert phrase in lines[0]
    assert str(config) in lines[0]
    assert "Traceback" not in result.stderr
    assert "hunter22" not in result.stderr


def test_unreachable_nexus_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "cutover.toml"
    config.write_text('[nexus]\nurl = "http://127.0.0.1:9"\n', encoding="utf-8")
    result = cli(
        "--config",
        str(config),
        "--backend",
        "external",
        "migrate",
        "provision",
        "--dry-run",
        env={"PATH": "/usr/bin:/bin", "NEXUS_PASSWORD": "s3cret-value"},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot reach http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cret-value" not in result.stderr


def test_a_folder_as_configuration_is_one_line(tmp_path: Path) -> None:
    result = cli("--config", str(tmp_path), "status")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
