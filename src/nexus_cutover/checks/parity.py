"""PARITY-1..3: every file of the old index is in hosted, byte for byte, and listed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import requests
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from nexus_cutover.checks import Problems
from nexus_cutover.clients.nexus import Asset, NexusClient
from nexus_cutover.clients.simple import Link, fetch, project_links
from nexus_cutover.dists import DistFile, Inventory
from nexus_cutover.errors import ServerError

UPLOAD_FIX = "run `nexus-cutover migrate upload` (it skips what is already there)"


def _listing(names: Iterable[str], limit: int = 5) -> str:
    items = sorted(names)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def hosted_packages(client: NexusClient, hosted: str) -> dict[tuple[str, str], Asset]:
    """Distribution assets of hosted keyed by (normalized project, filename)."""
    found: dict[tuple[str, str], Asset] = {}
    for asset in client.assets(hosted):
        parts = asset.path.split("/")
        if len(parts) >= 4 and parts[0] == "packages":
            found[(canonicalize_name(parts[1]), asset.filename)] = asset
    return found


def files_in_hosted(old: Inventory, client: NexusClient, hosted: str) -> Problems:
    try:
        assets = hosted_packages(client, hosted)
    except ServerError as error:
        return [str(error)]
    missing = [f.filename for f in old.files if f.key not in assets]
    different = [
        f.filename
        for f in old.files
        if f.key in assets and assets[f.key].sha256 not in (None, f.sha256)
    ]
    unchecked = [f.filename for f in old.files if f.key in assets and assets[f.key].sha256 is None]
    problems = []
    if old.problems:
        problems.append(
            f"{len(old.problems)} files of the old index cannot be read as"
            f" distributions and cannot be migrated: {_listing(old.problems, 3)};"
            " rename or rebuild them, or remove them from the old index"
        )
    if missing:
        problems.append(
            f"{len(missing)} of {len(old.files)} files are not in '{hosted}':"
            f" {_listing(missing)}; {UPLOAD_FIX}"
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
    if problems:
        extra = set(assets) - {f.key for f in old.files}
        if extra:
            problems.append(
                f"(for reference: {len(extra)} files in '{hosted}' are not on the"
                f" old index: {_listing(name for _p, name in extra)})"
            )
    return problems


def downloads_through_group(
    old: Inventory,
    client: NexusClient,
    hosted: str,
    session: requests.Session,
    group_simple: str,
    timeout: float = 60.0,
) -> Problems:
    """Fetch every migrated file (old and in hosted) through the group; compare the bytes.

    Files missing from hosted are PARITY-1's finding, not this check's.
    """
    try:
        migrated = hosted_packages(client, hosted)
    except ServerError as error:
        return [str(error)]
    by_project: dict[str, list[DistFile]] = {}
    for dist in old.files:
        if dist.key in migrated:
            by_project.setdefault(dist.project, []).append(dist)
    if not by_project:
        return [f"no file of the old index is in '{hosted}' yet; {UPLOAD_FIX}"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = pool.map(
            lambda item: _project_problems(session, group_simple, item[0], item[1], timeout),
            by_project.items(),
        )
        problems = [p for result in results for p in result]
    if len(problems) > 6:
        return [*problems[:5], f"... and {len(problems) - 5} more files"]
    return problems


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
        problems.extend(_file_problems(session, link, dist, timeout))
    return problems


def _file_problems(
    session: requests.Session, link: Link, dist: DistFile, timeout: float
) -> Problems:
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
    if link.sha256 and link.sha256 != digest:
        return [
            f"{dist.filename}: the group's index says sha256 {link.sha256[:12]}... but the"
            " file has another; pip will refuse it (hash mismatch)"
        ]
    return []


def _version(text: str) -> Version | str:
    try:
        return Version(text)
    except InvalidVersion:
        return text


def components_listed(old: Inventory, client: NexusClient, hosted: str) -> Problems:
    try:
        listed = {
            (canonicalize_name(c.name), _version(c.version)) for c in client.components(hosted)
        }
    except ServerError as error:
        return [str(error)]
    missing = sorted(
        {
            f"{project} {version}"
            for project, versions in old.projects().items()
            for version in versions
            if (project, _version(version)) not in listed
        }
    )
    if missing:
        return [
            f"GET /v1/components?repository={hosted} does not list {len(missing)} project"
            f" versions: {_listing(missing)}; {UPLOAD_FIX}"
        ]
    return []
