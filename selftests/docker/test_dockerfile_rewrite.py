"""DOCKER-3's Dockerfile rewriting and options, without a Docker engine."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import pytest

from nexus_cutover.backends.external import external_target
from nexus_cutover.checks.docker_build import (
    HEREDOC_DIR,
    LOCAL_BASE_IMAGES,
    alias_hosts,
    build_command,
    log_tail,
    rewrite_dockerfile,
)
from nexus_cutover.config import (
    DockerBuildSettings,
    DockerSettings,
    Expected,
    Settings,
    load_settings,
)
from nexus_cutover.errors import ConfigError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "projects"


def decoded(run_line: str) -> str:
    encoded = re.search(r"printf %s (\S+) \| base64 -d", run_line)
    assert encoded, run_line
    return base64.b64decode(encoded.group(1)).decode()


def test_from_images_are_substituted_and_listed() -> None:
    text = (
        "FROM --platform=linux/amd64 docker.io/library/python:3.11-slim AS build\n"
        "RUN echo hi\n"
        "FROM build\n"
        "FROM scratch\n"
        "FROM ghcr.io/astral-sh/uv:python3.11-bookworm-slim\n"
    )
    rewritten = rewrite_dockerfile(text, LOCAL_BASE_IMAGES, translate_heredocs=False)
    assert rewritten.text.splitlines() == [
        "FROM --platform=linux/amd64 nexus-cutover/python:3.11 AS build",
        "RUN echo hi",
        "FROM build",
        "FROM scratch",
        "FROM nexus-cutover/python:3.11",
    ]
    assert rewritten.base_images == ("nexus-cutover/python:3.11", "nexus-cutover/python:3.11")
    assert rewritten.changed


def test_nothing_to_do_leaves_the_dockerfile_alone() -> None:
    text = "FROM alpine:3.20\nRUN cat > /x <<EOF\nbody\nEOF\n"
    rewritten = rewrite_dockerfile(text, {}, translate_heredocs=False)
    assert rewritten.text == text
    assert not rewritten.changed
    assert rewritten.base_images == ("alpine:3.20",)


def test_run_heredoc_becomes_the_same_shell_script() -> None:
    source = (FIXTURES / "migrated" / "maestro-hive" / "Dockerfile").read_text()
    rewritten = rewrite_dockerfile(source, {}, translate_heredocs=True)
    runs = [line for line in rewritten.text.splitlines() if line.startswith("RUN eval")]
    assert len(runs) == 1
    assert decoded(runs[0]) == (
        "cat > /etc/pip.conf <<EOF\n[global]\n"
        "index-url = http://maestro-nexus:8083/repository/pypi-group/simple\n"
        "trusted-host = maestro-nexus\nEOF\n"
    )
    assert "[global]" not in rewritten.text  # no heredoc line left for the legacy parser


def test_translated_run_writes_what_the_heredoc_says(tmp_path: Path) -> None:
    target = tmp_path / "pip.conf"
    text = f"FROM x\nRUN cat > {target} <<-'EOF'\n\t[global]\n\tindex-url = $NOT_EXPANDED\nEOF\n"
    run = rewrite_dockerfile(text, {}, translate_heredocs=True).text.splitlines()[1]
    subprocess.run(["/bin/sh", "-c", run.removeprefix("RUN ")], check=True)
    assert target.read_text() == "[global]\nindex-url = $NOT_EXPANDED\n"


def test_bare_run_heredoc_runs_its_body(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = (
        f"FROM x\nRUN --network=host <<EOF\nset -e\necho one > {marker}\n"
        f"echo two >> {marker}\nEOF\n"
    )
    run = rewrite_dockerfile(text, {}, translate_heredocs=True).text.splitlines()[1]
    assert run.startswith("RUN --network=host eval ")
    subprocess.run(["/bin/sh", "-c", run.removeprefix("RUN --network=host ")], check=True)
    assert marker.read_text() == "one\ntwo\n"


def test_copy_heredoc_becomes_a_context_file() -> None:
    source = (FIXTURES / "migrated" / "ledger-worker" / "worker.Dockerfile").read_text()
    rewritten = rewrite_dockerfile(source, {}, translate_heredocs=True)
    path = f"{HEREDOC_DIR}/0/EOF"
    assert f"COPY {path} /etc/uv/uv.toml" in rewritten.text.splitlines()
    assert rewritten.files == {
        path: 'index-url = "http://maestro-nexus:8083/repository/pypi-group/simple"\n'
    }


def test_exec_form_and_unterminated_heredocs_are_kept() -> None:
    text = 'FROM x\nRUN ["sh", "-c", "echo <<EOF"]\nRUN cat <<EOF\nnever ends\n'
    assert rewrite_dockerfile(text, {}, translate_heredocs=True).text == text


def test_log_tail_drops_colours_and_builder_notices() -> None:
    output = (
        "Step 8/8 : RUN pip install x\n\x1b[91mERROR: No matching distribution\x1b[0m\n"
        "DEPRECATED: The legacy builder is deprecated\n"
        "            Install the buildx component to build images with BuildKit:\n"
        "The command '/bin/sh -c pip install x' returned a non-zero code: 1\n"
    )
    assert log_tail(output, 2) == (
        "ERROR: No matching distribution | The command"
        " '/bin/sh -c pip install x' returned a non-zero code: 1"
    )


def test_build_command_uses_network_hosts_and_args(tmp_path: Path) -> None:
    """Build-arg values stay off the command line (they may hold credentials)."""
    options = DockerBuildSettings(build_args={"PIP_INDEX_URL": "http://u:secret@n/simple"})
    command = build_command(
        options,
        tmp_path,
        tmp_path / "Dockerfile",
        "t:1",
        {"maestro-nexus": "127.0.0.1"},
        legacy=True,
    )
    assert command == [
        "docker",
        "build",
        "--file",
        str(tmp_path / "Dockerfile"),
        "--tag",
        "t:1",
        "--network",
        "host",
        "--add-host",
        "maestro-nexus:127.0.0.1",
        "--build-arg",
        "PIP_INDEX_URL",
        "--force-rm",
        str(tmp_path),
    ]
    assert not any("secret" in part for part in command)


def test_build_settings_from_environment() -> None:
    build = load_settings(
        environ={
            "NEXUS_CUTOVER_BUILD_ADD_HOSTS": "maestro-nexus=127.0.0.1, pypi-server=127.0.0.1",
            "NEXUS_CUTOVER_BASE_IMAGES": "python:3.11-slim=nexus-cutover/python:3.11",
            "NEXUS_CUTOVER_BUILD_HEREDOCS": "translate",
            "NEXUS_CUTOVER_BUILD_PULL": "0",
        }
    ).docker_build
    assert build.add_hosts == {"maestro-nexus": "127.0.0.1", "pypi-server": "127.0.0.1"}
    assert build.base_images == {"python:3.11-slim": "nexus-cutover/python:3.11"}
    assert build.heredocs == "translate"
    assert not build.pull
    with pytest.raises(ConfigError, match="NAME=VALUE"):
        load_settings(environ={"NEXUS_CUTOVER_BASE_IMAGES": "python:3.11-slim"})


def test_docker_settings_from_environment() -> None:
    assert load_settings(environ={}).docker.nexus_image == DockerSettings().nexus_image
    docker = load_settings(
        environ={
            "NEXUS_CUTOVER_NEXUS_IMAGE": "my/nexus:1",
            "NEXUS_CUTOVER_DOCKER_PULL": "false",
            "NEXUS_CUTOVER_NEXUS_START_TIMEOUT": "42",
        }
    ).docker
    assert docker.nexus_image == "my/nexus:1"
    assert (docker.pull, docker.nexus_start_timeout) == (False, 42)
    with pytest.raises(ConfigError, match="NEXUS_CUTOVER_DOCKER_PULL"):
        load_settings(environ={"NEXUS_CUTOVER_DOCKER_PULL": "maybe"})


def test_nexus_aliases_map_to_the_targets_address() -> None:
    settings = Settings(expected=Expected(nexus_aliases=("http://maestro-nexus:8083",)))
    local = external_target(
        settings.model_copy(
            update={"nexus": settings.nexus.model_copy(update={"url": "http://127.0.0.1:28081"})}
        )
    )
    assert alias_hosts(local) == {"maestro-nexus": "127.0.0.1"}
    named = external_target(
        settings.model_copy(
            update={"nexus": settings.nexus.model_copy(update={"url": "https://nexus.example.com"})}
        )
    )
    assert alias_hosts(named) == {}
