"""Step 2: Configure Nexus PyPI repositories (proxy, hosted, group)."""

import pytest
import requests

from nexus_cutover.checks import repositories
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Expected
from nexus_cutover.plugin import require


@pytest.mark.check("REPO-1")
def test_proxy_repository(nexus: NexusClient, expected: Expected) -> None:
    """pypi-proxy: remote https://pypi.org, auto-blocking on, ages 1440, online."""
    require(repositories.proxy_matches(nexus, expected))


@pytest.mark.check("REPO-2")
def test_hosted_repository(nexus: NexusClient, expected: Expected) -> None:
    """pypi-hosted: deployment policy as expected (the guide: Allow redeploy)."""
    require(repositories.hosted_matches(nexus, expected))


@pytest.mark.check("REPO-3")
def test_group_repository(nexus: NexusClient, expected: Expected) -> None:
    """pypi-group: members pypi-proxy and pypi-hosted."""
    require(repositories.group_matches(nexus, expected))


@pytest.mark.check("REPO-4")
def test_simple_indexes(
    nexus_http: requests.Session, nexus: NexusClient, expected: Expected
) -> None:
    """Each repository serves /simple/ at the repository base URL."""
    require(repositories.simple_indexes_served(nexus_http, nexus, expected))
