"""REPO-1..4 and TS-2: the three repositories exist as the guide configures them."""

from __future__ import annotations

from typing import Any

import requests

from nexus_cutover.checks import Problems
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.simple import fetch
from nexus_cutover.config import Expected
from nexus_cutover.errors import NotFoundError, ServerError
from nexus_cutover.repoconfig import Drift, Kind, config_drift, repository_name

FIX = "fix with `nexus-cutover migrate provision` or in Settings > Repositories"


def _read(client: NexusClient, kind: Kind, name: str) -> tuple[dict[str, Any] | None, Problems]:
    try:
        return client.pypi_repository(kind, name), []
    except NotFoundError:
        return None, [
            f"{kind} repository '{name}' does not exist as a pypi {kind} repository; {FIX}"
        ]
    except ServerError as error:
        return None, [str(error)]


def matches(client: NexusClient, expected: Expected, kind: Kind) -> Problems:
    """REPO-1..3: the repository of `kind` has every field the guide fixes (repoconfig)."""
    name = repository_name(kind, expected)
    config, problems = _read(client, kind, name)
    if config is None:
        return problems
    return [_problem(drift) for drift in config_drift(expected, kind, config)]


def _problem(drift: Drift) -> str:
    if drift.field == "group.memberNames":
        return _members_problem(drift)
    actual = (
        drift.actual.upper()
        if isinstance(drift.actual, str) and drift.field.startswith("storage.")
        else drift.actual
    )
    return (
        f"repository '{drift.repository}': {drift.label} is {actual!r},"
        f" expected {drift.expected!r}; {FIX}"
    )


def _members_problem(drift: Drift) -> str:
    have = [str(m) for m in drift.actual] if isinstance(drift.actual, list) else []
    want = [str(m) for m in drift.expected] if isinstance(drift.expected, list) else []
    missing = [m for m in want if m not in have]
    extra = [m for m in have if m not in want]
    parts = []
    if missing:
        parts.append(f"lacks member(s) {', '.join(missing)}")
    if extra:
        parts.append(f"has unexpected member(s) {', '.join(extra)}")
    if not parts:
        parts.append(
            f"has its members in the order {', '.join(have)}, expected {', '.join(want)}"
            " (the first member that has a file wins)"
        )
    return f"group '{drift.repository}' {'; '.join(parts)}; {FIX}"


def proxy_matches(client: NexusClient, expected: Expected) -> Problems:
    return matches(client, expected, "proxy")


def hosted_matches(client: NexusClient, expected: Expected) -> Problems:
    return matches(client, expected, "hosted")


def group_matches(client: NexusClient, expected: Expected) -> Problems:
    return matches(client, expected, "group")


def simple_indexes_served(
    session: requests.Session, client: NexusClient, expected: Expected
) -> Problems:
    """Hosted serves its root index; proxy and group serve the public package's project page.

    The proxy's and group's root index would be all of PyPI's project list: far too heavy for
    a check, so a project page stands in for it.
    """
    pages = {
        expected.hosted.name: "",
        expected.proxy.name: f"{expected.public_package}/",
        expected.group.name: f"{expected.public_package}/",
    }
    problems: Problems = []
    for name, page in pages.items():
        url = client.endpoint.simple(name) + page
        try:
            response = fetch(session, url, f"simple index of '{name}'", client.endpoint.timeout)
        except ServerError as error:
            problems.append(f"{error}; clients cannot use this repository")
            continue
        if "html" not in response.headers.get("Content-Type", "") and "<a" not in response.text:
            problems.append(
                f"{url} answered 200 but not with an HTML simple index"
                f" (Content-Type {response.headers.get('Content-Type')!r})"
            )
    return problems


def repositories_listed(client: NexusClient, expected: Expected) -> Problems:
    try:
        listed = {r.get("name"): r for r in client.repositories()}
    except ServerError as error:
        return [str(error)]
    problems = []
    for name in expected.repository_names:
        repo = listed.get(name)
        if repo is None:
            problems.append(
                f"GET /v1/repositories does not list '{name}'; {FIX}"
                f" (listed: {', '.join(sorted(map(str, listed))) or 'none'})"
            )
        elif repo.get("format") != "pypi":
            problems.append(f"'{name}' is a {repo.get('format')} repository, not pypi")
    return problems
