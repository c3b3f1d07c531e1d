"""PRE-3, CLIENT-1..4, DOCKER-1/2, SEC-3: what client files say about the package index.

All of these read the scanner's findings; CLIENT-3 also resolves requirements with real pip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from nexus_cutover.checks import Problems, Proof, count, listing
from nexus_cutover.checks.install import report_problems
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.config import Expected
from nexus_cutover.scan import (
    SKIP_DIRS,
    IndexReference,
    ScanResult,
    detect_kind,
    run_commands,
    scan_context,
    scan_file,
    scan_tree,
)
from nexus_cutover.target import Target

CONFIGURE_FIX = "run `nexus-cutover migrate configure` or edit it by hand"
CI_KINDS = ("github-actions", "gitlab-ci", "jenkinsfile")
# Project files that can say which index pip (or uv, tox, setuptools) installs from.
PIP_KINDS = ("pip.conf", "requirements", "tox.ini", "setup.cfg", "pyproject", "uv.toml")
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
        return [
            f"{len(stale)} {what} still name the old index: {listing(stale, 6)}; {CONFIGURE_FIX}"
        ]
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
            f" {listing(elsewhere, 6)}"
        ]
    return []


def inventory_problems(results: Sequence[ScanResult], setup: Problems) -> Proof:
    """PRE-3: the inventory is complete: every project scanned, every file readable."""
    unreadable = [f"{r.root.name}/{p.path}: {p.message}" for r in results for p in r.problems]
    problems = list(setup)
    if unreadable:
        problems.append(
            f"{len(unreadable)} files could not be read, so the inventory of"
            f" projects on the old index is incomplete: {listing(unreadable, 3)}"
        )
    if not results:
        problems.append("no project was scanned: the inventory is empty")
    files = sum(r.files_scanned for r in results)
    if results and not files:
        problems.append("the configured projects hold no file the scanner reads")
    still = projects_on_old_index(results)
    return Proof.of(
        problems,
        f"{count(len(results), 'project')} scanned ({count(files, 'file')}, all readable);"
        f" still naming the old index: {', '.join(still) or 'none'}",
    )


def projects_on_old_index(results: Sequence[ScanResult]) -> list[str]:
    return sorted(
        {r.root.name for r in results for ref in r.references if ref.classification == "old-index"}
    )


def pip_configs_point_at_group(configs: Sequence[Path], target: Target) -> Proof:
    """CLIENT-1: each global/user pip.conf names the group as its index."""
    if not configs:
        return Proof.failed(
            "no global or user pip configuration is configured (clients.pip_config_files);"
            " name e.g. ~/.config/pip/pip.conf as in the guide's Step 4"
        )
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
    names = ", ".join(str(c) for c in configs)
    return Proof.of(problems, f"index-url is the group in {count(len(configs), 'file')}: {names}")


def _installs(result: ScanResult) -> list[str]:
    """Files of a project that show it installs Python packages (requirements, pyproject)."""
    found = []
    for pattern in ("requirements*.txt", "requirements/*.txt", "pyproject.toml", "setup.cfg"):
        found += [p.relative_to(result.root).as_posix() for p in result.root.glob(pattern)]
    return sorted(set(found))


def _install_refs(result: ScanResult, kinds: Sequence[str]) -> list[IndexReference]:
    return [r for r in result.references if r.purpose == "install" and r.file_kind in kinds]


def project_pip_confs(results: Sequence[ScanResult]) -> Proof:
    """CLIENT-2: project pip settings point at the group, and every project has some.

    A project that installs packages but names no index anywhere relies on a machine-wide
    pip.conf (or pypi.org): reported. So is a project with neither pip settings nor a CI file:
    nothing would show where it installs from.
    """
    problems = old_index_problems(
        results, ("pip.conf",), "project pip.conf settings"
    ) + not_group_problems(results, ("pip.conf",), "project pip.conf settings")
    settings = 0
    for result in results:
        own = _install_refs(result, PIP_KINDS)
        settings += len(own)
        if own:
            continue
        name = result.root.name
        ci = _ci_files(result)
        installs = _installs(result)
        if not ci:
            problems.append(
                f"{name} has no pip configuration and no CI file: nothing shows where it"
                " installs from; add a pip.conf naming the group"
            )
        elif installs and not _install_refs(result, CI_KINDS):
            problems.append(
                f"{name} installs Python packages ({', '.join(installs[:2])}) but names no"
                " index at all: pip would use a machine-wide pip.conf or pypi.org; add a"
                " pip.conf naming the group"
            )
    return Proof.of(
        problems,
        f"{count(settings, 'project pip setting')} in {count(len(results), 'project')},"
        " all naming the group; every project names its index",
    )


def _ci_files(result: ScanResult) -> list[Path]:
    return [
        path
        for path in sorted(result.root.rglob("*"))
        if path.is_file()
        and not any(part in SKIP_DIRS for part in path.relative_to(result.root).parts)
        and detect_kind(path.relative_to(result.root)) in CI_KINDS
    ]


def ci_pipelines(results: Sequence[ScanResult]) -> Proof:
    """CLIENT-4: GitHub Actions, GitLab CI and Jenkins use the group, not pypiserver.

    A CI file that installs Python packages but names no index relies on the runner's
    machine-wide pip.conf: reported, like DOCKER-2 does for Dockerfiles.
    """
    problems = old_index_problems(results, CI_KINDS, "CI settings") + not_group_problems(
        results, CI_KINDS, "CI settings"
    )
    files = 0
    for result in results:
        for path in _ci_files(result):
            files += 1
            relative = path.relative_to(result.root).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            refs = [r for r in result.references if r.path == relative and r.purpose == "install"]
            if any(word in text for word in INSTALL_WORDS) and not refs:
                problems.append(
                    f"{result.root.name}/{relative} installs Python packages but names no"
                    " index: the runner's machine-wide pip.conf (or pypi.org) decides; set"
                    " PIP_INDEX_URL to the group"
                )
    if not files:
        problems.append(
            f"no CI pipeline file (GitHub Actions, GitLab CI, Jenkinsfile) in the"
            f" {count(len(results), 'configured project')}: nothing proven"
        )
    settings = sum(len(_install_refs(result, CI_KINDS)) for result in results)
    return Proof.of(
        problems,
        f"{count(files, 'CI file')} scanned; {count(settings, 'install setting')}, all naming"
        " the group, none the old index",
    )


def dockerfiles(results: Sequence[ScanResult]) -> list[Path]:
    return [
        path
        for result in results
        for path in sorted(result.root.rglob("*"))
        if path.is_file()
        and not any(part in SKIP_DIRS for part in path.relative_to(result.root).parts)
        and detect_kind(path.relative_to(result.root)) == "dockerfile"
    ]


def dockerfiles_free_of_old_index(results: Sequence[ScanResult]) -> Proof:
    """DOCKER-1 (the caller skips it as not applicable where there is no Dockerfile)."""
    found = dockerfiles(results)
    references = len(_references(results, ("dockerfile",)))
    return Proof.of(
        old_index_problems(results, ("dockerfile",), "Dockerfile lines"),
        f"{count(len(found), 'Dockerfile')} scanned ({count(references, 'index reference')}),"
        " none names the old index",
    )


def installing_dockerfiles(project: Path) -> list[Path]:
    """Dockerfiles whose RUN instructions (heredocs included) install Python packages."""
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
        runs = run_commands(path.read_text(encoding="utf-8", errors="replace"))
        if any(word in run for run in runs for word in INSTALL_WORDS):
            found.append(path)
    return found


def dockerfiles_use_group(results: Sequence[ScanResult]) -> Proof:
    """DOCKER-2: every Dockerfile that installs packages names the group (itself or a COPY)."""
    problems = []
    installing = []
    for result in results:
        for dockerfile in installing_dockerfiles(result.root):
            installing.append(
                f"{result.root.name}/{dockerfile.relative_to(result.root).as_posix()}"
            )
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
    if not installing:
        problems.append("no Dockerfile installs Python packages: nothing proven")
    return Proof.of(
        problems,
        f"{count(len(installing), 'installing Dockerfile')}, each naming the group"
        f" (flag, ENV/ARG or a copied pip.conf): {', '.join(installing)}",
    )


def committed_credentials(results: Sequence[ScanResult]) -> Proof:
    """SEC-3: no password or token in a committed file (the secret itself is never shown)."""
    found = [
        f"{r.root.name}/{c.path}:{c.line} ({c.setting})" for r in results for c in r.credentials
    ]
    if found:
        return Proof.failed(
            f"{len(found)} credentials are committed in project files: {listing(found, 6)};"
            " remove them and use environment variables, keyring or CI secrets instead"
        )
    files = sum(r.files_scanned for r in results)
    if not files:
        return Proof.failed("no project file was scanned: nothing proven")
    return Proof.passed(
        f"{count(files, 'file')} of {count(len(results), 'project')} scanned: no credentials"
    )


def requirement_files(results: Sequence[ScanResult]) -> list[Path]:
    files = []
    for result in results:
        for path in sorted(result.root.rglob("requirements*.txt")):
            if ".venv" not in path.parts and "node_modules" not in path.parts:
                files.append(path)
    return files


def requirements_resolve(
    sandbox: Sandbox, files: Sequence[Path], expected: Expected, group_url: str
) -> Proof:
    """CLIENT-3: `pip install --dry-run -r <file>` through the group, every file from it.

    An empty or unreadable pip report proves nothing and fails.
    """
    if not files:
        return Proof.failed("no requirements files found in the configured projects")
    problems = []
    resolved = 0
    for path in files:
        where = f"{path.parent.name}/{path.name}"
        run, installed = sandbox.resolve(["-r", str(path)], f"{group_url}simple/", cwd=path.parent)
        if not run.ok:
            problems.append(f"{where} does not resolve through the group: {run.tail(3)}")
            continue
        found = report_problems(run, installed, where)
        if found or installed is None:
            problems += found
            continue
        resolved += len(installed)
        problems += [
            f"{where}: {i.name} {i.version} came from {i.url}"
            for i in installed
            if not i.url.startswith(group_url)
        ]
    return Proof.of(
        problems,
        f"{count(len(files), 'requirements file')} resolved by pip through the group:"
        f" {count(resolved, 'distribution')}, every URL under {group_url}",
    )
