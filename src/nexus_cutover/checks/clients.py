"""PRE-3, CLIENT-1..4, DOCKER-1/2, SEC-3: what client files say about the package index.

All of these read the scanner's findings; CLIENT-3 also resolves requirements with real pip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from nexus_cutover.checks import Problems
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.config import Expected
from nexus_cutover.scan import IndexReference, ScanResult, scan_context, scan_file, scan_tree
from nexus_cutover.target import Target

CONFIGURE_FIX = "run `nexus-cutover migrate configure` or edit it by hand"
CI_KINDS = ("github-actions", "gitlab-ci", "jenkinsfile")
INSTALL_WORDS = (
    "pip install",
    "pip3 install",
    "-m pip install",
    "uv pip install",
    "uv sync",
    "poetry install",
    "pipenv install",
)


def scan_projects(target: Target) -> tuple[list[ScanResult], Problems]:
    """Scan every configured project; a missing project folder is a problem, not a crash."""
    if not target.clients.projects:
        return [], [
            "no projects are configured (clients.projects): list every project that"
            " uses pypiserver so the suite can check them"
        ]
    context = scan_context(target)
    results, problems = [], []
    for project in target.clients.projects:
        if not project.is_dir():
            problems.append(f"{project}: project folder not found")
            continue
        results.append(scan_tree(project, context))
    return results, problems


def _where(result: ScanResult, ref: IndexReference) -> str:
    return f"{result.root.name}/{ref.path}:{ref.line}"


def _listing(items: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _references(
    results: Iterable[ScanResult], kinds: Sequence[str] | None = None
) -> list[tuple[ScanResult, IndexReference]]:
    return [
        (result, ref)
        for result in results
        for ref in result.references
        if kinds is None or ref.file_kind in kinds
    ]


def old_index_problems(
    results: Iterable[ScanResult], kinds: Sequence[str] | None, what: str
) -> Problems:
    stale = [
        f"{_where(r, ref)} ({ref.setting})"
        for r, ref in _references(results, kinds)
        if ref.classification == "old-index"
    ]
    if stale:
        return [f"{len(stale)} {what} still name the old index: {_listing(stale)}; {CONFIGURE_FIX}"]
    return []


def not_group_problems(
    results: Iterable[ScanResult], kinds: Sequence[str] | None, what: str
) -> Problems:
    """Install references that point anywhere but the group (unknown indexes, hosted, proxy)."""
    elsewhere = [
        f"{_where(r, ref)} -> {ref.url}"
        for r, ref in _references(results, kinds)
        if ref.purpose == "install" and ref.url and ref.classification in ("nexus-other", "unknown")
    ]
    if elsewhere:
        return [
            f"{len(elsewhere)} {what} install from somewhere other than the group:"
            f" {_listing(elsewhere)}"
        ]
    return []


def inventory_problems(results: Sequence[ScanResult], setup: Problems) -> Problems:
    """PRE-3: the inventory is complete: every project scanned, every file readable."""
    unreadable = [f"{r.root.name}/{p.path}: {p.message}" for r in results for p in r.problems]
    problems = list(setup)
    if unreadable:
        problems.append(
            f"{len(unreadable)} files could not be read, so the inventory of"
            f" projects on the old index is incomplete: {_listing(unreadable, 3)}"
        )
    return problems


def projects_on_old_index(results: Sequence[ScanResult]) -> list[str]:
    return sorted(
        {r.root.name for r in results for ref in r.references if ref.classification == "old-index"}
    )


def pip_configs_point_at_group(configs: Sequence[Path], target: Target) -> Problems:
    """CLIENT-1: each global/user pip.conf names the group as its index."""
    if not configs:
        return [
            "no global or user pip configuration is configured (clients.pip_config_files);"
            " name e.g. ~/.config/pip/pip.conf as in the guide's Step 4"
        ]
    context = scan_context(target)
    problems = []
    for config in configs:
        if not config.is_file():
            problems.append(f"{config}: pip configuration file not found")
            continue
        result = scan_file(config, config.parent, context)
        problems += [f"{config}: {p.message}" for p in result.problems]
        problems += old_index_problems([result], None, "settings")
        index = [
            ref
            for ref in result.references
            if ref.purpose == "install"
            and ref.setting.endswith("index-url")
            and "extra" not in ref.setting
        ]
        if not any(ref.classification == "nexus-group" for ref in index):
            problems.append(
                f"{config}: index-url does not point at the group"
                f" {target.nexus.simple(target.expected.group.name)}"
            )
    return problems


def project_pip_confs(results: Sequence[ScanResult]) -> Problems:
    """CLIENT-2: project pip.conf files point at the group."""
    return old_index_problems(
        results, ("pip.conf",), "project pip.conf settings"
    ) + not_group_problems(results, ("pip.conf",), "project pip.conf settings")


def ci_pipelines(results: Sequence[ScanResult]) -> Problems:
    """CLIENT-4: GitHub Actions, GitLab CI and Jenkins use the group, not pypiserver."""
    return old_index_problems(results, CI_KINDS, "CI settings") + not_group_problems(
        results, CI_KINDS, "CI settings"
    )


def dockerfiles_free_of_old_index(results: Sequence[ScanResult]) -> Problems:
    """DOCKER-1."""
    return old_index_problems(results, ("dockerfile",), "Dockerfile lines")


def installing_dockerfiles(project: Path) -> list[Path]:
    """Dockerfiles whose RUN instructions install Python packages."""
    from dockerfile_parse import DockerfileParser

    found = []
    for path in sorted(project.rglob("*")):
        name = path.name
        if not path.is_file() or not (
            name == "Dockerfile"
            or name.startswith("Dockerfile.")
            or name.endswith(".Dockerfile")
            or name == "Containerfile"
        ):
            continue
        with path.open("rb") as stream:
            # fileobj: given a path, dockerfile-parse appends "/Dockerfile" to other names.
            parser = DockerfileParser(fileobj=stream)
            runs = [i["value"] for i in parser.structure if i["instruction"] == "RUN"]
        if any(word in run for run in runs for word in INSTALL_WORDS):
            found.append(path)
    return found


def dockerfiles_use_group(results: Sequence[ScanResult]) -> Problems:
    """DOCKER-2: every Dockerfile that installs packages names the group (itself or a COPY)."""
    problems = []
    for result in results:
        for dockerfile in installing_dockerfiles(result.root):
            relative = dockerfile.relative_to(result.root).as_posix()
            refs = [ref for ref in result.references if ref.path == relative]
            uses_group = any(ref.classification == "nexus-group" for ref in refs)
            copies_config = any(ref.url is None and ref.purpose == "install" for ref in refs)
            if not uses_group and not copies_config:
                problems.append(
                    f"{result.root.name}/{relative} installs Python packages but"
                    " names no index: pip would go to pypi.org directly; add"
                    " --index-url <group>/simple or ENV PIP_INDEX_URL"
                )
            problems += [
                f"{result.root.name}/{relative}:{ref.line} installs from {ref.url}, not the group"
                for ref in refs
                if ref.purpose == "install"
                and ref.url
                and ref.classification in ("nexus-other", "unknown")
            ]
    return problems


def committed_credentials(results: Sequence[ScanResult]) -> Problems:
    """SEC-3: no password or token in a committed file (the secret itself is never shown)."""
    found = [
        f"{r.root.name}/{c.path}:{c.line} ({c.setting})" for r in results for c in r.credentials
    ]
    if found:
        return [
            f"{len(found)} credentials are committed in project files: {_listing(found)};"
            " remove them and use environment variables, keyring or CI secrets instead"
        ]
    return []


def requirement_files(results: Sequence[ScanResult]) -> list[Path]:
    files = []
    for result in results:
        for path in sorted(result.root.rglob("requirements*.txt")):
            if ".venv" not in path.parts and "node_modules" not in path.parts:
                files.append(path)
    return files


def requirements_resolve(
    sandbox: Sandbox, files: Sequence[Path], expected: Expected, group_url: str
) -> Problems:
    """CLIENT-3: `pip install --dry-run -r <file>` through the group, every file from it."""
    if not files:
        return ["no requirements files found in the configured projects"]
    problems = []
    for path in files:
        run, installed = sandbox.resolve(["-r", str(path)], f"{group_url}simple/", cwd=path.parent)
        if not run.ok:
            problems.append(
                f"{path.parent.name}/{path.name} does not resolve through the group: {run.tail(3)}"
            )
            continue
        problems += [
            f"{path.parent.name}/{path.name}: {i.name} {i.version} came from {i.url}"
            for i in installed
            if not i.url.startswith(group_url)
        ]
    return problems
