"""examples/: every file is valid for the system that reads it, and its commands work.

The CI files are checked against the schemas GitHub and GitLab publish (check-jsonschema's
vendored copies), the systemd units and the cron line by their formats; then every
`nexus-cutover` command in them runs, as written except for the configuration path and
report folder, against local services that `nexus-cutover up` started.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from nexus_cutover import migrate
from nexus_cutover.backends.local import LocalBackend, LocalServices
from nexus_cutover.config import Settings, load_settings
from selftests.breakers.lab import write_external_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CLI = Path(sys.executable).with_name("nexus-cutover")
CRON_FIELD = r"(\*|\d+(-\d+)?(,\d+(-\d+)?)*)(/\d+)?"


def schema_check(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("schema", "relative"),
    [
        ("vendor.github-workflows", "github-actions/nexus-cutover.yml"),
        ("vendor.gitlab-ci", "gitlab-ci/.gitlab-ci.yml"),
    ],
)
def test_ci_files_follow_their_schema(schema: str, relative: str, tmp_path: Path) -> None:
    path = EXAMPLES / relative
    assert schema_check(schema, path).returncode == 0
    # The check can fail: the same file with a job that names no way to run is refused.
    broken = tmp_path / path.name
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    job = next(iter(document["jobs"].values())) if "jobs" in document else document["nexus-cutover"]
    job.pop("runs-on", None)  # GitHub: a job must say where it runs
    job["artifacts"] = {"when": "sometimes"}  # GitLab: not one of always/on_success/...
    broken.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert schema_check(schema, broken).returncode != 0


def test_systemd_units_have_what_systemd_needs() -> None:
    service = configparser.ConfigParser(strict=True, interpolation=None)
    service.read(EXAMPLES / "systemd" / "nexus-cutover-health.service", encoding="utf-8")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].split()[0].startswith("/")  # systemd wants a path
    assert "--phase health" in service["Service"]["ExecStart"]
    timer = configparser.ConfigParser(strict=True, interpolation=None)
    timer.read(EXAMPLES / "systemd" / "nexus-cutover-health.timer", encoding="utf-8")
    assert timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_cron_line_has_five_fields_a_user_and_the_command() -> None:
    lines = [
        line
        for line in (EXAMPLES / "cron" / "nexus-cutover-health").read_text().splitlines()
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert len(lines) == 1
    fields = lines[0].split()
    assert all(re.fullmatch(CRON_FIELD, field) for field in fields[:5]), fields[:5]
    assert fields[6] == "nexus-cutover"  # fields[5] is the user (/etc/cron.d format)


def example_commands() -> list[tuple[str, list[str]]]:
    """Every `nexus-cutover ...` command in the examples, as (file, argv)."""
    found = []
    for path in sorted(p for p in EXAMPLES.rglob("*") if p.is_file() and p.suffix != ".md"):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.split("ExecStart=", 1)[-1].strip().removeprefix("- ").removeprefix("run: ")
            words = shlex.split(text, comments=True) if "nexus-cutover" in text else []
            starts = [i for i, w in enumerate(words) if Path(w).name == "nexus-cutover"]
            if starts and "--config" in words:
                # /etc/cron.d lines name the user first: the command is the last match.
                found.append((path.relative_to(EXAMPLES).as_posix(), words[starts[-1] + 1 :]))
    return found


def test_every_example_file_has_a_command() -> None:
    files = {name for name, _ in example_commands()}
    assert files == {
        "github-actions/nexus-cutover.yml",
        "gitlab-ci/.gitlab-ci.yml",
        "systemd/nexus-cutover-health.service",
        "cron/nexus-cutover-health",
    }


@contextmanager
def local_services(state: Path) -> Iterator[tuple[Settings, LocalServices]]:
    """Local services as `up` starts them (the sample migration done), stopped after."""
    settings = load_settings(overrides={"state_dir": state, "backend": "local"}, environ={})
    backend = LocalBackend(settings)
    services = backend.up()
    try:
        yield settings, services
    finally:
        backend.down()


@pytest.fixture(scope="module")
def before_cutover(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cutover.toml naming local services by URL, pypiserver still running."""
    state = tmp_path_factory.mktemp("before")
    with local_services(state) as (settings, services):
        yield write_external_config(services.target(settings), state / "cutover.toml")


@pytest.fixture(scope="module")
def after_cutover(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The same after Step 8: pypiserver archived and stopped (what a health check sees)."""
    state = tmp_path_factory.mktemp("after")
    with local_services(state) as (settings, services):
        target = services.target(settings)
        migrate.decommission(target, force=True, reason="examples self-test: health phase")
        yield write_external_config(services.target(settings), state / "cutover.toml")


def docker_usable() -> str | None:
    from selftests.docker.conftest import not_usable

    return not_usable()


@pytest.mark.slow
@pytest.mark.parametrize(("name", "argv"), example_commands(), ids=lambda v: str(v))
def test_example_command_runs(
    name: str, argv: list[str], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if "health" in argv:
        config: Path = request.getfixturevalue("after_cutover")
    else:
        reason = docker_usable()
        if reason:  # the pre-cutover gate proves DOCKER-3 too: it needs an engine
            pytest.skip(f"the pre-cutover gate builds Dockerfiles: {reason}")
        config = request.getfixturevalue("before_cutover")
    args = _retarget(argv, config, tmp_path / "report")
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("NEXUS_PASSWORD", None)
    result = subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, check=False, env=env, timeout=900
    )
    assert result.returncode == 0, f"{name}: {result.stdout[-3000:]}{result.stderr[-2000:]}"
    assert (tmp_path / "report" / "report.json").is_file()
    assert (tmp_path / "report" / "junit.xml").is_file()


def _retarget(argv: list[str], config: Path, report: Path) -> list[str]:
    args = list(argv)
    args[args.index("--config") + 1] = str(config)
    args[args.index("--report-dir") + 1] = str(report)
    return args


def test_example_configuration_is_what_init_writes(tmp_path: Path) -> None:
    written = tmp_path / "cutover.toml"
    result = subprocess.run(
        [str(CLI), "init", "--yes", "--output", str(written)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert written.read_text() == (EXAMPLES / "cutover.toml").read_text(), (
        "examples/cutover.toml is stale: `nexus-cutover init --yes --force"
        " --output examples/cutover.toml`"
    )
