"""INSTALL-1..3, PRE-4, TS-4, TS-8, TS-9: real installs through the group, origin proven.

Where a file came from is read from pip's `--report` (download_info.url), never from log text
(pip >= 26.1 no longer prints download URLs). An empty or unreadable report is a failure:
it proves nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from nexus_cutover.checks import Problems, Proof, count
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Installed, Run, Sandbox
from nexus_cutover.clients.simple import Link, fetch, parse_links
from nexus_cutover.dists import parse_filename
from nexus_cutover.errors import DistributionError, ServerError


def _from(installed: Sequence[Installed], name: str) -> Installed | None:
    wanted = canonicalize_name(name)
    return next((i for i in installed if canonicalize_name(i.name) == wanted), None)


def _requirement_name(requirement: str) -> str:
    for separator in ("==", ">=", "<=", "~=", "!=", ">", "<", "=", "["):
        requirement = requirement.split(separator)[0]
    return requirement.strip()


def report_problems(run: Run, installed: Sequence[Installed] | None, what: str) -> Problems:
    """pip ran, and its report is there and names something: else nothing is proven."""
    if not run.ok:
        return [f"pip could not install {what}: {run.tail(4)}"]
    if installed is None:
        return [f"pip installed {what} but its --report is empty or unreadable: nothing proven"]
    if not installed:
        return [f"pip's --report for {what} lists nothing to install: nothing proven"]
    return []


def origin_problems(
    run: Run, installed: Sequence[Installed] | None, requirement: str, group_url: str
) -> Problems:
    """The install worked and every file came from under the group's URL."""
    problems = report_problems(run, installed, f"{requirement} from {group_url}simple/")
    if problems or installed is None:
        return problems
    problems = [
        f"{item.name} {item.version} came from {item.url}, not from the group {group_url}"
        for item in installed
        if not item.url.startswith(group_url)
    ]
    name = _requirement_name(requirement)
    if _from(installed, name) is None:
        problems.append(f"pip's report does not list {name}")
    return problems


def _origin_evidence(installed: Sequence[Installed], requirement: str, how: str) -> str:
    item = _from(installed, _requirement_name(requirement))
    main = f"{item.name} {item.version} from {item.url}" if item else requirement
    others = len(installed) - 1
    extra = (
        f" (+{count(others, 'dependency', 'dependencies')}, all from the group)" if others else ""
    )
    return f"{how}: {main}{extra}"


@dataclass(frozen=True)
class Outcome:
    """An install through the group: its proof, and what pip reported."""

    proof: Proof
    installed: tuple[Installed, ...]


def installs_through_group(
    sandbox: Sandbox, requirement: str, group_url: str, dry_run: bool = False
) -> Outcome:
    index = f"{group_url}simple/"
    if dry_run:
        run, installed = sandbox.resolve([requirement], index)
    else:
        run, installed = sandbox.install([requirement], index)
    problems = origin_problems(run, installed, requirement, group_url)
    how = f"pip {'resolved' if dry_run else 'installed'} with --index-url {index}"
    evidence = _origin_evidence(installed or [], requirement, how)
    return Outcome(Proof.of(problems, evidence), tuple(installed or ()))


def latest_versions_resolve(
    sandbox: Sandbox, projects: dict[str, set[str]], group_url: str
) -> Proof:
    """Each internal project resolves through the group to its newest version on the old index."""
    if not projects:
        return Proof.failed("the old index lists no project: nothing to resolve")
    requirements = sorted(projects)
    run, installed = sandbox.resolve(requirements, f"{group_url}simple/")
    problems = origin_problems(run, installed, requirements[0], group_url)
    found = installed or []
    for project, versions in projects.items():
        releases = [v for v in versions if not Version(v).is_prerelease]
        # pip skips pre-releases unless nothing else exists (or --pre is given).
        newest = max(releases or versions, key=Version)
        item = _from(found, project)
        if run.ok and item is None:
            problems.append(f"{project} was not resolved through the group")
        elif item is not None and Version(item.version) != Version(newest):
            problems.append(
                f"{project} resolves to {item.version} through the group, but the"
                f" old index's newest is {newest}"
            )
    return Proof.of(
        problems,
        f"{count(len(projects), 'internal project')} resolved by pip through the group to the"
        f" old index's newest versions, every file from {group_url}",
    )


def configured_install(
    sandbox: Sandbox, requirement: str, pip_config: Path, group_url: str
) -> Proof:
    """`pip install --no-cache-dir X` with only the environment's pip.conf naming the index."""
    run, installed = sandbox.install([requirement], None, pip_config=pip_config)
    problems = origin_problems(run, installed, requirement, group_url)
    how = f"pip install --no-cache-dir with only {pip_config} naming the index"
    return Proof.of(problems, _origin_evidence(installed or [], requirement, how))


# -- INSTALL-3 / TS-8: the proxy caches what it fetched, proven by timestamps --------------------


def _server_time(response: requests.Response) -> datetime:
    """The server's clock at the response (Date header, whole seconds), else ours."""
    try:
        return parsedate_to_datetime(response.headers["Date"]).astimezone(UTC)
    except (KeyError, TypeError, ValueError):
        return datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _cached_items(client: NexusClient, repository: str, project: str) -> dict[str, dict[str, Any]]:
    """The distribution files of `project` that `repository` holds, by file name (search)."""
    found = {}
    for item in client.search_asset_items(repository=repository, name=canonicalize_name(project)):
        path = str(item.get("path", "")).lstrip("/")
        if path.startswith("packages/"):
            found[path.rsplit("/", 1)[-1]] = item
    return found


def _newest_first(link: Link) -> tuple[bool, Version]:
    try:
        version = Version(parse_filename(link.filename)[1])
    except (DistributionError, InvalidVersion):
        version = Version("0")
    return (link.filename.endswith(".whl"), version)


def _choose(links: Sequence[Link], cached: set[str]) -> tuple[Link, bool]:
    """A file the proxy has not cached yet (wheels first, newest first), else a cached one."""
    ordered = sorted(links, key=_newest_first, reverse=True)
    fresh = [link for link in ordered if link.filename not in cached]
    return (fresh[0], True) if fresh else (ordered[0], False)


def fetched_file_cached(
    session: requests.Session,
    client: NexusClient,
    via: str,
    proxy: str,
    project: str,
    timeout: float = 60.0,
    wait: float = 15.0,
    group: str | None = None,
) -> Proof:
    """Fetch one file of `project` through `via` (the proxy, or the group named `group`), then
    find it in the proxy's cache with the same sha256 and a timestamp newer than this fetch.

    A file the proxy had not cached yet is chosen, so its blobCreated proves this run's
    fetch; if every file was cached already, only a lastDownloaded newer than the fetch
    counts (Nexus updates it at most every 12 hours by default).
    """
    simple = f"{via}simple/"
    try:
        cached_before = _cached_items(client, proxy, project)
        page = fetch(
            session, f"{simple}{canonicalize_name(project)}/", f"index of {project}", timeout
        )
    except ServerError as error:
        return Proof.failed(str(error))
    started = _server_time(page)
    links = [link for link in parse_links(page.text, page.url) if link.url.startswith(via)]
    if not links:
        return Proof.failed(f"{simple}{project}/ lists no file of {project} under {via}")
    link, fresh = _choose(links, set(cached_before))
    try:
        data = fetch(session, link.url, f"download of {link.filename}", timeout).content
    except ServerError as error:
        return Proof.failed(f"{error}; the proxy cannot fetch {project}")
    digest = hashlib.sha256(data).hexdigest()
    item = _wait_for(client, proxy, project, link.filename, started, fresh, wait)
    proof = _cache_proof(item, link.filename, digest, started, fresh, proxy, via)
    if proof.ok or fresh or item is None or _sha256(item) != digest:
        return proof
    # Every file was cached already and lastDownloaded is refreshed at most every 12 hours
    # (Nexus's default), so no timestamp can date this fetch: attribute it by elimination.
    return _served_by_proxy_alone(client, proxy, project, link.filename, via, group, proof)


def _sha256(item: dict[str, Any]) -> object:
    return (item.get("checksum") or {}).get("sha256")


def _served_by_proxy_alone(
    client: NexusClient,
    proxy: str,
    project: str,
    filename: str,
    via: str,
    group: str | None,
    stale: Proof,
) -> Proof:
    """A cached file's bytes came through the proxy if `via` is the proxy itself, or if the
    proxy is the only member of the group holding a file of that name."""
    cached = (
        f"every file of {project} was cached before this check (lastDownloaded is refreshed"
        " at most every 12 hours, so it cannot date this fetch)"
    )
    if group is None:
        return Proof.passed(
            f"fetched {filename} from '{proxy}''s own URL {via}; its cached asset has the"
            f" same sha256; {cached}"
        )
    try:
        members = client.pypi_repository("group", group).get("group", {}).get("memberNames", [])
        others = [m for m in members if m != proxy]
        holders = [m for m in others if filename in _cached_items(client, m, project)]
    except ServerError as error:
        return Proof.failed(*stale.problems, f"{error}; cannot tell which member served it")
    if proxy not in members:
        return Proof.failed(f"'{proxy}' is not a member of '{group}' (members: {members})")
    if holders:
        return Proof.failed(
            *stale.problems, f"{', '.join(holders)} of '{group}' also hold {filename}"
        )
    return Proof.passed(
        f"fetched {filename} through {via} with the sha256 of '{proxy}''s cached asset; no"
        f" other member of '{group}' ({', '.join(others) or 'none'}) holds a file of that"
        f" name; {cached}"
    )


def _wait_for(
    client: NexusClient,
    proxy: str,
    project: str,
    filename: str,
    started: datetime,
    fresh: bool,
    wait: float,
) -> dict[str, Any] | None:
    """Search may lag behind a fetch in some Nexus versions: ask again for a while."""
    deadline = time.monotonic() + wait
    while True:
        try:
            item = _cached_items(client, proxy, project).get(filename)
        except ServerError:
            item = None
        if item is not None and _newer(item, started, fresh) is not None:
            return item
        if time.monotonic() > deadline:
            return item
        time.sleep(1.0)


def _newer(item: dict[str, Any], started: datetime, fresh: bool) -> datetime | None:
    field = "blobCreated" if fresh else "lastDownloaded"
    stamp = _timestamp(item.get(field))
    return stamp if stamp is not None and stamp >= started else None


def _cache_proof(
    item: dict[str, Any] | None,
    filename: str,
    digest: str,
    started: datetime,
    fresh: bool,
    proxy: str,
    via: str,
) -> Proof:
    if item is None:
        return Proof.failed(
            f"the proxy '{proxy}' has no cached {filename} after it was fetched through {via};"
            " is the proxy a member of the group, online, and its remote reachable?"
        )
    sha256 = (item.get("checksum") or {}).get("sha256")
    if sha256 != digest:
        return Proof.failed(
            f"'{proxy}' caches {filename} with sha256 {str(sha256)[:12]}..., but {via} served"
            f" {digest[:12]}...: the file did not come through this proxy"
        )
    field = "blobCreated" if fresh else "lastDownloaded"
    stamp = _newer(item, started, fresh)
    if stamp is None:
        before = "" if fresh else " (every file of it was cached before this check)"
        return Proof.failed(
            f"'{proxy}' holds {filename}{before}, but its {field} {item.get(field)} is older"
            f" than this check's fetch ({started.isoformat()}): nothing shows that this fetch"
            f" went through '{proxy}'"
        )
    return Proof.passed(
        f"fetched {filename} through {via}; '{proxy}' holds it with equal sha256 and"
        f" {field} {stamp.isoformat()} >= the fetch ({started.isoformat()}, server clock)"
    )
