"""Which file kind a path is, from its name and folder (the scanner never sniffs content)."""

from __future__ import annotations

from pathlib import PurePath

from nexus_cutover.scan.model import FileKind

_EXACT: dict[str, FileKind] = {
    "pip.conf": "pip.conf",
    "pip.ini": "pip.conf",
    ".pypirc": "pypirc",
    "tox.ini": "tox.ini",
    "setup.cfg": "setup.cfg",
    "pyproject.toml": "pyproject",
    "uv.toml": "uv.toml",
    "jenkinsfile": "jenkinsfile",
    "dockerfile": "dockerfile",
    "containerfile": "dockerfile",
    ".gitlab-ci.yml": "gitlab-ci",
    ".gitlab-ci.yaml": "gitlab-ci",
}
# `*.in` files that are not pip-compile inputs
_NOT_REQUIREMENTS = {"manifest.in", "makefile.in"}


def _is_requirements(path: PurePath) -> bool:
    name = path.name.lower()
    if path.suffix.lower() not in (".txt", ".in"):
        return False
    if name.startswith(("requirements", "constraints")):
        return True
    if "requirements" in (p.lower() for p in path.parts[:-1]):
        return True
    return path.suffix.lower() == ".in" and name not in _NOT_REQUIREMENTS and name.count(".") == 1


def _is_dockerfile(name: str) -> bool:
    if name.endswith((".dockerignore", ".containerignore")):
        return False
    return name.startswith(("dockerfile.", "containerfile.")) or name.endswith(
        (".dockerfile", ".containerfile")
    )


def _is_github_actions(path: PurePath) -> bool:
    if path.suffix.lower() not in (".yml", ".yaml"):
        return False
    parents = [p.lower() for p in path.parts[:-1]]
    in_workflows = parents[-2:] == [".github", "workflows"]
    is_action = ".github" in parents and path.stem.lower() == "action"
    return in_workflows or is_action


def detect_kind(path: PurePath) -> FileKind | None:
    """The kind of `path` (relative to the scanned root, or just a file name)."""
    name = path.name.lower()
    if name in _EXACT:
        return _EXACT[name]
    if name.startswith("jenkinsfile.") or name.endswith(".jenkinsfile"):
        return "jenkinsfile"
    if _is_dockerfile(name):
        return "dockerfile"
    if name.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
        return "gitlab-ci"
    if _is_github_actions(path):
        return "github-actions"
    if _is_requirements(path):
        return "requirements"
    return None
