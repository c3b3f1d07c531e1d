"""One parser per file kind; each turns a file's text into Findings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from nexus_cutover.scan.ci import parse_github_actions, parse_gitlab_ci
from nexus_cutover.scan.dockerfile import parse_dockerfile
from nexus_cutover.scan.jenkins import parse_jenkinsfile
from nexus_cutover.scan.kinds import detect_kind
from nexus_cutover.scan.model import FileKind, Findings
from nexus_cutover.scan.pipconf import parse_pip_conf
from nexus_cutover.scan.pypirc import parse_pypirc
from nexus_cutover.scan.requirements import parse_requirements
from nexus_cutover.scan.setupcfg import parse_setup_cfg
from nexus_cutover.scan.tomlfiles import parse_pyproject, parse_uv_toml
from nexus_cutover.scan.toxini import parse_tox_ini


def parse_embedded(target: str, text: str) -> Findings | None:
    """A file written from a script (a heredoc to /etc/pip.conf): parse it by its name."""
    kind = detect_kind(PurePosixPath(target))
    return None if kind is None else parse(kind, text)


PARSERS: dict[FileKind, Callable[[str], Findings]] = {
    "pip.conf": parse_pip_conf,
    "requirements": parse_requirements,
    "dockerfile": lambda text: parse_dockerfile(text, parse_embedded),
    "github-actions": lambda text: parse_github_actions(text, parse_embedded),
    "gitlab-ci": lambda text: parse_gitlab_ci(text, parse_embedded),
    "jenkinsfile": lambda text: parse_jenkinsfile(text, parse_embedded),
    "tox.ini": lambda text: parse_tox_ini(text, parse_embedded),
    "setup.cfg": parse_setup_cfg,
    "pyproject": parse_pyproject,
    "uv.toml": parse_uv_toml,
    "pypirc": parse_pypirc,
}


def parse(kind: FileKind, text: str) -> Findings:
    return PARSERS[kind](text)
