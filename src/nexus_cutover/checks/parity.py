"""PARITY-1..3: every file of the old index is in hosted, byte for byte, and listed."""

from __future__ import annotations

from collections.abc import Iterable

import requests
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from nexus_cutover.checks import Problems
from nexus_cutover.clients.http import Digest, digest_many
from nexus_cutover.clients.nexus import Asset, NexusClient
from nexus_cutover.clients.simple import Link, project_links_many
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
    # Speed lives in clients/: index pages read concurrently, files streamed into sha256
    # concurrently, all on the session's keep-alive connections.
    pages = project_links_many(session, group_simple, by_project, timeout=timeout)
    problems, wanted = _links_of(by_project, pages)
    digests = digest_many(
        session,
        [(link.url, f"download of {dist.filename}") for dist, link in wanted],
        timeout=timeout,
    )
    for (dist, link), digest in zip(wanted, digests, strict=True):
        problems.extend(_file_problems(link, dist, digest))
    if len(problems) > 6:
        return [*problems[:5], f"... and {len(problems) - 5} more files"]
    return problems


def _links_of(
    by_project: dict[str, list[DistFile]], pages: dict[str, list[Link] | ServerError]
) -> tuple[Problems, list[tuple[DistFile, Link]]]:
    """Each migrated file's link on the group's index page of its project."""
    problems: Problems = []
    wanted: list[tuple[DistFile, Link]] = []
    for project, files in by_project.items():
        page = pages[canonicalize_name(project)]
        if isinstance(page, ServerError):
            problems.append(f"{page}; the group does not serve '{project}'")
            continue
        links = {link.filename: link for link in page}
        for dist in files:
            link = links.get(dist.filename)
            if link is None:
                problems.append(f"the group's index for '{project}' has no {dist.filename}")
            else:
                wanted.append((dist, link))
    return problems, wanted


def _file_problems(link: Link, dist: DistFile, downloaded: Digest) -> Problems:
    if downloaded.error is not None:
        return [str(downloaded.error)]
    digest = downloaded.sha256 or ""
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
