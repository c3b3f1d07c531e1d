"""INSTALL-1..3, PRE-4, TS-4, TS-9: real pip installs through the group, origin proven.

Where a file came from is read from pip's `--report` (download_info.url), never from log text
(pip >= 26.1 no longer prints download URLs).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

from nexus_cutover.checks import Problems
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Installed, Run, Sandbox
from nexus_cutover.errors import ServerError


def _from(installed: Sequence[Installed], name: str) -> Installed | None:
    wanted = canonicalize_name(name)
    return next((i for i in installed if canonicalize_name(i.name) == wanted), None)


def origin_problems(
    run: Run, installed: Sequence[Installed], requirement: str, group_url: str
) -> Problems:
    """The install worked and every file came from under the group's URL."""
    if not run.ok:
        return [f"pip could not install {requirement} from {group_url}simple/: {run.tail(4)}"]
    problems = [
        f"{item.name} {item.version} came from {item.url}, not from the group {group_url}"
        for item in installed
        if not item.url.startswith(group_url)
    ]
    name = requirement.split("=")[0].split(">")[0].split("<")[0].strip()
    if _from(installed, name) is None:
        problems.append(f"pip's report does not list {name}")
    return problems


def installs_through_group(
    sandbox: Sandbox, requirement: str, group_url: str, dry_run: bool = False
) -> tuple[Problems, list[Installed]]:
    index = f"{group_url}simple/"
    if dry_run:
        run, installed = sandbox.resolve([requirement], index)
    else:
        run, installed = sandbox.install([requirement], index)
    return origin_problems(run, installed, requirement, group_url), installed


def latest_versions_resolve(
    sandbox: Sandbox, projects: dict[str, set[str]], group_url: str
) -> Problems:
    """Each internal project resolves through the group to its newest version on the old index."""
    from packaging.version import Version

    requirements = sorted(projects)
    run, installed = sandbox.resolve(requirements, f"{group_url}simple/")
    problems = origin_problems(run, installed, requirements[0], group_url) if requirements else []
    for project, versions in projects.items():
        releases = [v for v in versions if not Version(v).is_prerelease]
        # pip skips pre-releases unless nothing else exists (or --pre is given).
        newest = max(releases or versions, key=Version)
        item = _from(installed, project)
        if run.ok and item is None:
            problems.append(f"{project} was not resolved through the group")
        elif item is not None and Version(item.version) != Version(newest):
            problems.append(
                f"{project} resolves to {item.version} through the group, but the"
                f" old index's newest is {newest}"
            )
    return problems


def proxy_cached(client: NexusClient, proxy: str, project: str, wait: float = 10.0) -> Problems:
    """After a fetch through the group, the proxy repository holds the project's files.

    Asked through the search API for this one project (a pypi.org proxy holds thousands of
    assets); search may lag behind in some Nexus versions, so it is asked again for a while.
    """
    wanted = canonicalize_name(project)
    deadline = time.monotonic() + wait
    while True:
        try:
            cached = [
                a
                for a in client.search_assets(repository=proxy, name=wanted)
                if a.path.startswith("packages/")
            ]
        except ServerError as error:
            return [str(error)]
        if cached or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    if not cached:
        return [
            f"the proxy '{proxy}' has no cached file of {project} after pip fetched it"
            " through the group; is the proxy a member of the group and online?"
        ]
    return []


def configured_install(
    sandbox: Sandbox, requirement: str, pip_config: Path, group_url: str
) -> Problems:
    """`pip install --no-cache-dir X` with only the environment's pip.conf naming the index."""
    run, installed = sandbox.install([requirement], None, pip_config=pip_config)
    return origin_problems(run, installed, requirement, group_url)
