"""Step 2: Configure Nexus PyPI repositories (proxy, hosted, group)."""

from collections.abc import Callable

import pytest
import requests

from nexus_cutover.checks import Proof, repositories
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Expected
from nexus_cutover.dists import Inventory


@pytest.mark.check("REPO-1")
def test_proxy_repository(
    nexus: NexusClient, expected: Expected, prove: Callable[[Proof], None]
) -> None:
    """pypi-proxy: remote https://pypi.org, auto-blocking on, ages 1440, online."""
    prove(repositories.proxy_matches(nexus, expected))


@pytest.mark.check("REPO-2")
def test_hosted_repository(
    nexus: NexusClient, expected: Expected, prove: Callable[[Proof], None]
) -> None:
    """pypi-hosted: deployment policy as expected (the guide: Allow redeploy)."""
    prove(repositories.hosted_matches(nexus, expected))


@pytest.mark.check("REPO-3")
def test_group_repository(
    nexus: NexusClient, expected: Expected, prove: Callable[[Proof], None]
) -> None:
    """pypi-group: members pypi-proxy and pypi-hosted."""
    prove(repositories.group_matches(nexus, expected))


@pytest.mark.check("REPO-4")
def test_simple_indexes(
    nexus_http: requests.Session,
    nexus: NexusClient,
    expected: Expected,
    old_index: Inventory,
    prove: Callable[[Proof], None],
) -> None:
    """Each repository serves /simple/ with content: hosted lists the migrated projects."""
    prove(repositories.simple_indexes_served(nexus_http, nexus, expected, old_index.projects()))
