"""PARITY-1..3: every file of the old index is in hosted, byte for byte, where it belongs.

Each migrated file is verified as (normalized project, version, file name, sha256), from three
sides: the assets API and hosted's index pages (PARITY-1), the group's index pages and the
bytes it serves (PARITY-2), and the components API (PARITY-3). An index page without a
`#sha256=` fragment for a migrated file is a failure: pip then cannot verify what it gets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import requests
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from nexus_cutover.checks import Problems, Proof, count, listing
from nexus_cutover.clients.nexus import Asset, Component, NexusClient
from nexus_cutover.clients.simple import Link, fetch, project_links
from nexus_cutover.dists import DistFile, Inventory
from nexus_cutover.errors import ServerError

UPLOAD_FIX = "run `nexus-cutover migrate upload` (it skips what is already there)"
MAX_PROBLEMS = 6


def _listing(names: Iterable[str], limit: int = 5) -> str:
    return listing(sorted(names), limit)


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


@dataclass(frozen=True)
class Placement:
    """Where a server keeps a file: `packages/<project>/<version>/<file name>`."""

    project: str
    version: str | None
    filename: str

    @classmethod
    def of_path(cls, path: str) -> Placement | None:
        parts = unquote(path).strip("/").split("/")
        if "packages" not in parts:
            return None
        rest = parts[parts.index("packages") + 1 :]
        if len(rest) == 3:
            return cls(canonicalize_name(rest[0]), rest[1], rest[2])
        if len(rest) == 2:  # packages/<project>/<file>: no version in the path
            return cls(canonicalize_name(rest[0]), None, rest[1])
        return None

    def misplaced(self, dist: DistFile) -> str | None:
        """How this placement differs from the file's own project and version, or None."""
        if self.project != dist.project:
            return f"{dist.filename} is stored under project '{self.project}', not '{dist.project}'"
        if self.version is not None and not _same_version(self.version, dist.version):
            return f"{dist.filename} is stored under version {self.version}, not {dist.version}"
        return None


def hosted_packages(client: NexusClient, hosted: str) -> dict[str, tuple[Placement, Asset]]:
    """Distribution assets of hosted keyed by file name, with where each is stored."""
    found: dict[str, tuple[Placement, Asset]] = {}
    for asset in client.assets(hosted):
        placement = Placement.of_path(asset.path)
        if placement is not None:
            found[placement.filename] = (placement, asset)
    return found


def _capped(problems: Problems) -> Problems:
    if len(problems) > MAX_PROBLEMS:
        return [*problems[: MAX_PROBLEMS - 1], f"... and {len(problems) - MAX_PROBLEMS + 1} more"]
    return problems


# -- PARITY-1 ---------------------------------------------------------------------------------


def files_in_hosted(
    old: Inventory,
    client: NexusClient,
    hosted: str,
    session: requests.Session,
    hosted_simple: str,
    timeout: float = 60.0,
) -> Proof:
    """Every old file is a hosted asset under its project and version with an equal sha256,
    and hosted's project page lists it with a `#sha256=` fragment equal to that digest."""
    try:
        assets = hosted_packages(client, hosted)
    except ServerError as error:
        return Proof.failed(str(error))
    problems = _unreadable(old) + _asset_problems(old, assets, hosted)
    if problems:
        extra = set(assets) - {f.filename for f in old.files}
        if extra:
            problems.append(
                f"(for reference: {len(extra)} files in '{hosted}' are not on the"
                f" old index: {_listing(extra)})"
            )
        return Proof.failed(*problems)
    pages = _pages_problems(session, hosted_simple, old.files, f"'{hosted}'", timeout)
    if pages:
        return Proof.failed(*_capped(pages))
    return Proof.passed(
        f"{count(len(old.files), 'file')} of {count(len(old.projects()), 'project')} in"
        f" '{hosted}' under their project and version with equal sha256 (assets API);"
        f" hosted's {count(len(old.projects()), 'index page')} list each with an equal #sha256"
    )


def _unreadable(old: Inventory) -> Problems:
    if not old.problems:
        return []
    return [
        f"{len(old.problems)} files of the old index cannot be read as"
        f" distributions and cannot be migrated: {_listing(old.problems, 3)};"
        " rename or rebuild them, or remove them from the old index"
    ]


def _asset_problems(
    old: Inventory, assets: dict[str, tuple[Placement, Asset]], hosted: str
) -> Problems:
    missing, misplaced, different, unchecked = [], [], [], []
    for dist in old.files:
        found = assets.get(dist.filename)
        if found is None:
            missing.append(dist.filename)
            continue
        placement, asset = found
        wrong = placement.misplaced(dist)
        if wrong:
            misplaced.append(wrong)
        elif asset.sha256 is None:
            unchecked.append(dist.filename)
        elif asset.sha256 != dist.sha256:
            different.append(dist.filename)
    problems = []
    if missing:
        problems.append(
            f"{len(missing)} of {len(old.files)} files are not in '{hosted}':"
            f" {_listing(missing)}; {UPLOAD_FIX}"
        )
    if misplaced:
        problems.append(
            f"{len(misplaced)} files in '{hosted}' are stored in the wrong place:"
            f" {listing(sorted(misplaced), 3, '; ')}; pip will not find them under their"
            " version: delete them in Nexus and upload again"
        )
    if different:
        problems.append(
            f"{len(different)} files in '{hosted}' differ from the old index"
            f" (sha256): {_listing(different)}; delete them in Nexus and upload again"
        )
    if unchecked:
        problems.append(
            f"Nexus reports no sha256 for {_listing(unchecked)};"
            " run the 'Repair - Rebuild repository search' task"
        )
    return problems


def _pages_problems(
    session: requests.Session,
    simple: str,
    files: Iterable[DistFile],
    what: str,
    timeout: float,
) -> Problems:
    """Each project page of `simple` lists each file with a `#sha256=` equal to its digest."""
    by_project: dict[str, list[DistFile]] = {}
    for dist in files:
        by_project.setdefault(dist.project, []).append(dist)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(
            lambda item: _page_problems(session, simple, item[0], item[1], what, timeout),
            sorted(by_project.items()),
        )
        return [problem for result in results for problem in result]


def _page_problems(
    session: requests.Session,
    simple: str,
    project: str,
    files: list[DistFile],
    what: str,
    timeout: float,
) -> Problems:
    try:
        links = {link.filename: link for link in project_links(session, simple, project, timeout)}
    except ServerError as error:
        return [f"{error}; {what} does not serve '{project}'"]
    problems = []
    for dist in files:
        link = links.get(dist.filename)
        problem = (
            f"{what}'s index page for '{project}' does not list {dist.filename}"
            if link is None
            else _hash_problem(link, dist, f"{what}'s index page for '{project}'")
        )
        if problem:
            problems.append(problem)
    return problems


def _hash_problem(link: Link, dist: DistFile, page: str) -> str | None:
    if link.sha256 is None:
        return (
            f"{page} lists {dist.filename} without a #sha256= fragment; pip cannot verify"
            " the download (rebuild the index: Repair - Rebuild PyPI metadata)"
        )
    if link.sha256 != dist.sha256:
        return (
            f"{page} gives {dist.filename} sha256 {link.sha256[:12]}..., but the file has"
            f" {dist.sha256[:12]}...; pip will refuse it (hash mismatch)"
        )
    return None


# -- PARITY-2 ---------------------------------------------------------------------------------


def downloads_through_group(
    old: Inventory,
    client: NexusClient,
    hosted: str,
    session: requests.Session,
    group_simple: str,
    timeout: float = 60.0,
) -> Proof:
    """Fetch every migrated file (old and in hosted) through the group; compare the bytes.

    The group's page must list each under its project and version with an equal `#sha256=`.
    Files missing from hosted are PARITY-1's finding, not this check's.
    """
    try:
        migrated = hosted_packages(client, hosted)
    except ServerError as error:
        return Proof.failed(str(error))
    by_project: dict[str, list[DistFile]] = {}
    for dist in old.files:
        if dist.filename in migrated:
            by_project.setdefault(dist.project, []).append(dist)
    if not by_project:
        return Proof.failed(f"no file of the old index is in '{hosted}' yet; {UPLOAD_FIX}")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = pool.map(
            lambda item: _project_problems(session, group_simple, item[0], item[1], timeout),
            by_project.items(),
        )
        problems = [p for result in results for p in result]
    if problems:
        return Proof.failed(*_capped(problems))
    files = sum(map(len, by_project.values()))
    return Proof.passed(
        f"{count(files, 'file')} of {count(len(by_project), 'project')} downloaded through"
        " the group from its own URL, bytes hashed: sha256 equal to the old index and to the"
        " group page's #sha256"
    )


def _project_problems(
    session: requests.Session,
    group_simple: str,
    project: str,
    files: list[DistFile],
    timeout: float,
) -> Problems:
    try:
        links = {
            link.filename: link for link in project_links(session, group_simple, project, timeout)
        }
    except ServerError as error:
        return [f"{error}; the group does not serve '{project}'"]
    problems = []
    for dist in files:
        link = links.get(dist.filename)
        if link is None:
            problems.append(f"the group's index for '{project}' has no {dist.filename}")
            continue
        problems.extend(_file_problems(session, link, dist, group_simple, timeout))
    return problems


def _file_problems(
    session: requests.Session, link: Link, dist: DistFile, group_simple: str, timeout: float
) -> Problems:
    page = f"the group's index page for '{dist.project}'"
    group_base = group_simple.rstrip("/").removesuffix("/simple") + "/"
    if not link.url.startswith(group_base):
        return [f"{page} sends {dist.filename} to {link.url}, outside the group {group_base}"]
    placement = Placement.of_path(urlsplit(link.url).path)
    wrong = placement.misplaced(dist) if placement else None
    if wrong:
        return [f"{page}: {wrong}"]
    hash_problem = _hash_problem(link, dist, page)
    if hash_problem:
        return [hash_problem]
    try:
        data = fetch(session, link.url, f"download of {dist.filename}", timeout).content
    except ServerError as error:
        return [str(error)]
    digest = hashlib.sha256(data).hexdigest()
    if digest != dist.sha256:
        return [
            f"{dist.filename} downloads through the group with different bytes"
            f" (sha256 {digest[:12]}..., old index {dist.sha256[:12]}...);"
            " a group member earlier in the order serves another file under this name"
        ]
    return []


# -- PARITY-3 ---------------------------------------------------------------------------------


def components_listed(old: Inventory, client: NexusClient, hosted: str) -> Proof:
    """GET /v1/components lists every project version, each with its files as assets."""
    try:
        components = list(client.components(hosted))
    except ServerError as error:
        return Proof.failed(str(error))
    by_version: dict[tuple[str, str], list[Component]] = {}
    for component in components:
        key = (canonicalize_name(component.name), _normal(component.version))
        by_version.setdefault(key, []).append(component)
    missing: set[str] = set()
    wrong: list[str] = []
    for dist in old.files:
        listed = by_version.get((dist.project, _normal(dist.version)))
        if not listed:
            missing.add(f"{dist.project} {dist.version}")
            continue
        problem = _component_file_problem(dist, listed, components)
        if problem:
            wrong.append(problem)
    problems = []
    if missing:
        problems.append(
            f"GET /v1/components?repository={hosted} does not list {len(missing)} project"
            f" versions: {_listing(missing)}; {UPLOAD_FIX}"
        )
    if wrong:
        problems.append(
            f"GET /v1/components?repository={hosted} lists {len(wrong)} files under the"
            f" wrong component or with other bytes: {listing(sorted(wrong), 3, '; ')}"
        )
    if problems:
        return Proof.failed(*problems)
    versions = {(f.project, f.version) for f in old.files}
    return Proof.passed(
        f"{count(len(versions), 'project version')} ({count(len(old.files), 'file')}) listed by"
        f" GET /v1/components?repository={hosted} ({count(len(components), 'component')} read"
        " across its pages), each file an asset of its version with equal sha256"
    )


def _normal(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def _component_file_problem(
    dist: DistFile, listed: list[Component], components: list[Component]
) -> str | None:
    assets = {a.filename: a for c in listed for a in c.assets}
    asset = assets.get(dist.filename)
    if asset is None:
        elsewhere = next(
            (c for c in components for a in c.assets if a.filename == dist.filename), None
        )
        where = f"under {elsewhere.name} {elsewhere.version}" if elsewhere else "nowhere"
        return f"{dist.filename} is not an asset of {dist.project} {dist.version} (listed {where})"
    if asset.sha256 != dist.sha256:
        return f"{dist.filename} has sha256 {str(asset.sha256)[:12]}... in the components API"
    return None
