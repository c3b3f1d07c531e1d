"""REPO-1..4 and TS-2: the three repositories exist as the guide configures them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import requests
from packaging.utils import canonicalize_name

from nexus_cutover.checks import Problems, Proof, count, listing
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.simple import Link, fetch, parse_links
from nexus_cutover.config import Expected
from nexus_cutover.errors import NotFoundError, ServerError
from nexus_cutover.repoconfig import (
    LABELS,
    Drift,
    Kind,
    config_drift,
    expected_fields,
    lookup,
    repository_name,
)

FIX = "fix with `nexus-cutover migrate provision` or in Settings > Repositories"


def _read(client: NexusClient, kind: Kind, name: str) -> tuple[dict[str, Any] | None, Problems]:
    try:
        return client.pypi_repository(kind, name), []
    except NotFoundError:
        return None, [
            f"{kind} repository '{name}' does not exist as a pypi {kind} repository, or the"
            f" user may not read its configuration (nx-repository-admin-pypi-{name}-read);"
            f" {FIX}"
        ]
    except ServerError as error:
        return None, [str(error)]


def matches(client: NexusClient, expected: Expected, kind: Kind) -> Proof:
    """REPO-1..3: the repository of `kind` has every field the guide fixes (repoconfig)."""
    name = repository_name(kind, expected)
    config, problems = _read(client, kind, name)
    if config is None:
        return Proof.failed(*problems)
    drift = config_drift(expected, kind, config)
    if drift:
        return Proof.failed(*map(_problem, drift))
    fields = ", ".join(
        f"{LABELS.get(field, field)} {_shown(lookup(config, field))}"
        for field in expected_fields(expected, kind)
    )
    return Proof.passed(f"{kind} '{name}' read from GET /v1/repositories/pypi/{kind}: {fields}")


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value).upper() if isinstance(value, str) and "://" not in value else str(value)


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


def proxy_matches(client: NexusClient, expected: Expected) -> Proof:
    return matches(client, expected, "proxy")


def hosted_matches(client: NexusClient, expected: Expected) -> Proof:
    return matches(client, expected, "hosted")


def group_matches(client: NexusClient, expected: Expected) -> Proof:
    return matches(client, expected, "group")


def simple_indexes_served(
    session: requests.Session,
    client: NexusClient,
    expected: Expected,
    migrated_projects: Iterable[str],
) -> Proof:
    """REPO-4: each repository serves a simple index with real content at its base URL.

    Hosted's root page must list at least one migrated project; the proxy's and the group's
    project pages of the public package must list file links under their own URL. The
    proxy's and group's root index would be all of PyPI's project list: far too heavy for a
    check, so the public package's project page stands in for it.
    """
    projects = set(map(canonicalize_name, migrated_projects))
    problems: Problems = []
    evidence: list[str] = []
    hosted_url = client.endpoint.simple(expected.hosted.name)
    hosted_links = _links(
        session,
        hosted_url,
        f"simple index of '{expected.hosted.name}'",
        client.endpoint.timeout,
        problems,
    )
    if hosted_links is not None:
        listed = {
            canonicalize_name(link.url.rstrip("/").rsplit("/", 1)[-1]) for link in hosted_links
        }
        found = projects & listed
        if found:
            evidence.append(
                f"hosted's root page lists {count(len(listed), 'project')}"
                f" ({len(found)} of {len(projects)} migrated)"
            )
        else:
            problems.append(
                f"{hosted_url} lists {count(len(listed), 'project')} but none of the"
                f" {len(projects)} migrated ones ({listing(sorted(projects), 3)}): the index"
                f" is empty or stale; {UPLOAD_HINT}"
            )
    for name in (expected.proxy.name, expected.group.name):
        base = client.endpoint.repository(name)
        url = f"{client.endpoint.simple(name)}{canonicalize_name(expected.public_package)}/"
        links = _links(session, url, f"simple index of '{name}'", client.endpoint.timeout, problems)
        if links is None:
            continue
        files = [link for link in links if link.url.startswith(base)]
        foreign = [link.url for link in links if not link.url.startswith(base)]
        if not files:
            problems.append(
                f"{url} lists no file of {expected.public_package} under {base}"
                f" ({count(len(links), 'link')} in all): the repository serves an empty or"
                " foreign index; check its remote and members"
            )
        elif foreign:
            problems.append(
                f"{url} sends {count(len(foreign), 'file')} of {expected.public_package}"
                f" outside {base} (e.g. {foreign[0]}): pip would bypass Nexus"
            )
        else:
            evidence.append(
                f"{name}'s page for {expected.public_package} lists"
                f" {count(len(files), 'file')}, all from its own URL"
            )
    return Proof.of(problems, "; ".join(evidence))


UPLOAD_HINT = (
    "run `nexus-cutover migrate upload`, or rebuild the index (Repair - Rebuild PyPI metadata)"
)


def _links(
    session: requests.Session, url: str, what: str, timeout: float, problems: Problems
) -> list[Link] | None:
    """The links of one simple index page; None (and a problem) when it cannot be read."""
    try:
        response = fetch(session, url, what, timeout)
    except ServerError as error:
        problems.append(f"{error}; clients cannot use this repository")
        return None
    if "html" not in response.headers.get("Content-Type", ""):
        problems.append(
            f"{url} answered 200 but not with an HTML simple index"
            f" (Content-Type {response.headers.get('Content-Type')!r})"
        )
        return None
    return parse_links(response.text, response.url)


def repositories_listed(client: NexusClient, expected: Expected) -> Proof:
    try:
        listed = {r.get("name"): r for r in client.repositories()}
    except ServerError as error:
        return Proof.failed(str(error))
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
    names = ", ".join(
        f"{name} ({listed[name].get('type')})"
        for name in expected.repository_names
        if name in listed
    )
    return Proof.of(
        problems,
        f"GET /v1/repositories lists {names} as pypi, among"
        f" {count(len(listed), 'repository', 'repositories')}",
    )
