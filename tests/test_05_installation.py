"""Step 5: Test installation through the group (public and internal packages)."""

from collections.abc import Callable

import pytest
import requests

from nexus_cutover.checks import Proof, install
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.dists import Inventory
from nexus_cutover.target import Target


@pytest.mark.check("INSTALL-1")
def test_public_package_installs_through_group(
    sandbox: Sandbox, target: Target, prove: Callable[[Proof], None]
) -> None:
    """`pip install requests` through the group: every file fetched from the group URL."""
    group = target.nexus.repository(target.expected.group.name)
    prove(install.installs_through_group(sandbox, target.expected.public_package, group).proof)


@pytest.mark.check("INSTALL-2")
def test_internal_packages_install_through_group(
    sandbox: Sandbox, target: Target, old_index: Inventory, prove: Callable[[Proof], None]
) -> None:
    """Every internal project resolves through the group to its newest version."""
    group = target.nexus.repository(target.expected.group.name)
    prove(install.latest_versions_resolve(sandbox, old_index.projects(), group))


@pytest.mark.check("INSTALL-3")
def test_proxy_caches_what_it_fetched(
    nexus_http: requests.Session,
    target: Target,
    nexus: NexusClient,
    prove: Callable[[Proof], None],
) -> None:
    """A file fetched through the group is then in pypi-proxy, newer than the fetch."""
    prove(
        install.fetched_file_cached(
            nexus_http,
            nexus,
            target.nexus.repository(target.expected.group.name),
            target.expected.proxy.name,
            target.expected.public_package,
            target.nexus.timeout,
        )
    )
