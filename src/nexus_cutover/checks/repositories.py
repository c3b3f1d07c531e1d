"""REPO-1..4 and TS-2: the three repositories exist as the guide configures them."""

from __future__ import annotations

from typing import Any

import requests

from nexus_cutover.checks import Problems
from nexus_cutover.config import Expected
from nexus_cutover.errors import NotFoundError, ServerError
from nexus_cutover.nexus import NexusClient
from nexus_cutover.simple import fetch

FIX = "fix with `nexus-cutover migrate provision` or in Settings > Repositories"


def _read(client: NexusClient, kind: str, name: str) -> tuple[dict[str, Any] | None, Problems]:
    try:
        return client.pypi_repository(kind, name), []
    except NotFoundError:
        return None, [
            f"{kind} repository '{name}' does not exist as a pypi {kind} repository; {FIX}"
        ]
    except ServerError as error:
        return None, [str(error)]


def _compare(name: str, field: str, actual: object, expected: object) -> Problems:
    if actual == expected:
        return []
    return [f"repository '{name}': {field} is {actual!r}, expected {expected!r}; {FIX}"]


def proxy_matches(client: NexusClient, expected: Expected) -> Problems:
    want = expected.proxy
    config, problems = _read(client, "proxy", want.name)
    if config is None:
        return problems
    proxy = config.get("proxy") or {}
    http_client = config.get("httpClient") or {}
    return [
        *_compare(want.name, "online", config.get("online"), True),
        *_compare(
            want.name,
            "remote storage",
            str(proxy.get("remoteUrl", "")).rstrip("/"),
            want.remote_url.rstrip("/"),
        ),
        *_compare(want.name, "auto-blocking", http_client.get("autoBlock"), want.auto_block),
        *_compare(
            want.name, "maximum component age", proxy.get("contentMaxAge"), want.content_max_age
        ),
        *_compare(
            want.name, "maximum metadata age", proxy.get("metadataMaxAge"), want.metadata_max_age
        ),
        *_compare(want.name, "blocked", http_client.get("blocked", False), False),
    ]


def hosted_matches(client: NexusClient, expected: Expected) -> Problems:
    want = expected.hosted
    config, problems = _read(client, "hosted", want.name)
    if config is None:
        return problems
    policy = str((config.get("storage") or {}).get("writePolicy", "")).upper()
    return _compare(want.name, "deployment policy", policy, want.write_policy)


def group_matches(client: NexusClient, expected: Expected) -> Problems:
    want = expected.group
    config, problems = _read(client, "group", want.name)
    if config is None:
        return problems
    members = list((config.get("group") or {}).get("memberNames") or [])
    problems = []
    missing = [m for m in want.members if m not in members]
    extra = [m for m in members if m not in want.members]
    if missing:
        problems.append(
            f"group '{want.name}' lacks member(s) {', '.join(missing)};"
            f" add them to the group; {FIX}"
        )
    if extra:
        problems.append(
            f"group '{want.name}' has unexpected member(s) {', '.join(extra)};"
            " remove them or add them to expected.group.members"
        )
    return problems


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
