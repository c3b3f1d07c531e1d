"""SEC-1, SEC-2: no dependency confusion through the group; anonymous users cannot write."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import requests
from packaging.utils import canonicalize_name

from nexus_cutover.checks import Proof, count
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.simple import project_links
from nexus_cutover.dists import parse_filename
from nexus_cutover.errors import (
    AuthError,
    DistributionError,
    ForbiddenError,
    NotFoundError,
    ServerError,
)


def internal_names_not_shadowed(
    session: requests.Session,
    projects: Iterable[str],
    group_simple: str,
    hosted_simple: str,
    timeout: float = 30.0,
) -> Proof:
    """Every file the group serves for an internal project must be a hosted file."""
    problems = []
    names = sorted(set(map(canonicalize_name, projects)))
    served = files = 0
    for project in names:
        try:
            group_files = {
                link.filename for link in project_links(session, group_simple, project, timeout)
            }
        except NotFoundError:
            continue  # the group does not serve it at all; PARITY/INSTALL report that
        except ServerError as error:
            problems.append(str(error))
            continue
        try:
            hosted_files = {
                link.filename for link in project_links(session, hosted_simple, project, timeout)
            }
        except NotFoundError:
            hosted_files = set()
        except ServerError as error:
            problems.append(str(error))
            continue
        served += 1
        files += len(group_files)
        foreign = sorted(group_files - hosted_files)
        if foreign:
            problems.append(
                f"'{project}' is served through the group from the proxy too:"
                f" versions {', '.join(_versions(foreign))}; a public project can"
                " shadow the internal one: block the name on the proxy"
                " (routing rule) and put hosted first in the group"
            )
    if not names:
        problems.append("the old index lists no internal project: nothing to check")
    elif not served:
        problems.append(
            f"the group serves none of the {len(names)} internal projects: nothing proven"
            " (PARITY-2 and INSTALL-2 say why)"
        )
    return Proof.of(
        problems,
        f"{served} of {count(len(names), 'internal project')}: the group serves only"
        f" hosted's files ({count(files, 'file')}), none from the proxy",
    )


def _versions(filenames: list[str]) -> list[str]:
    versions = set()
    for name in filenames:
        try:
            versions.add(parse_filename(name)[1])
        except DistributionError:
            versions.add(name)
    return sorted(versions)


def anonymous_upload_refused(status: int, hosted_url: str) -> Proof:
    if status in (401, 403):
        return Proof.passed(f"anonymous upload to {hosted_url} answered {status}")
    return Proof.failed(
        f"an anonymous upload to {hosted_url} answered {status}, not 401/403: anonymous"
        " users can publish; remove write privileges from the anonymous role"
    )


def anonymous_delete_refused(
    anonymous: NexusClient, client: NexusClient, hosted: str, component_id: str
) -> Proof:
    """An anonymous DELETE of a component is refused, and the component is still there."""
    try:
        anonymous.delete_component(component_id)
    except (AuthError, ForbiddenError) as error:
        status = error.status
    except ServerError as error:
        return Proof.failed(f"anonymous delete gave an unexpected answer: {error}")
    else:
        return Proof.failed(
            "an anonymous DELETE /v1/components/{id} succeeded: anonymous users can delete"
            " components; remove delete privileges from the anonymous role"
        )
    try:
        still = any(c.id == component_id for c in client.components(hosted))
    except ServerError as error:
        return Proof.failed(f"cannot confirm the canary survived: {error}")
    if not still:
        return Proof.failed(
            f"the anonymous DELETE answered {status}, yet the component {component_id} is"
            f" gone from '{hosted}': anonymous users can delete"
        )
    return Proof.passed(
        f"anonymous DELETE /v1/components/{{id}} answered {status}; the canary is still listed"
    )


def anonymous_upload_status(
    session: requests.Session, hosted_url: str, path: Path, timeout: float = 30.0
) -> int:
    """POST a file the way twine does, without credentials; return the HTTP status."""
    project, version = parse_filename(path.name)
    with path.open("rb") as stream:
        response = session.post(
            hosted_url,
            data={
                ":action": "file_upload",
                "protocol_version": "1",
                "name": project,
                "version": version,
            },
            files={"content": (path.name, stream, "application/octet-stream")},
            timeout=timeout,
        )
    return response.status_code
