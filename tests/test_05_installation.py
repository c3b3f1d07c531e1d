"""Step 5: Test installation through the group (public and internal packages)."""

import pytest

from nexus_cutover.checks import install
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.dists import Inventory
from nexus_cutover.plugin import require
from nexus_cutover.target import Target


@pytest.mark.check("INSTALL-1")
def test_public_package_installs_through_group(sandbox: Sandbox, target: Target) -> None:
    """`pip install requests` through the group: every file fetched from the group URL."""
    group = target.nexus.repository(target.expected.group.name)
    problems, _installed = install.installs_through_group(
        sandbox, target.expected.public_package, group
    )
    require(problems)


@pytest.mark.check("INSTALL-2")
def test_internal_packages_install_through_group(
    sandbox: Sandbox, target: Target, old_index: Inventory
) -> None:
    """Every internal project resolves through the group to its newest version."""
    group = target.nexus.repository(target.expected.group.name)
    require(install.latest_versions_resolve(sandbox, old_index.projects(), group))


@pytest.mark.check("INSTALL-3")
def test_proxy_caches_what_it_fetched(sandbox: Sandbox, target: Target, nexus: NexusClient) -> None:
    """After a fetch through the group, pypi-proxy holds the public package."""
    group = target.nexus.repository(target.expected.group.name)
    package = target.expected.public_package
    problems, _installed = install.installs_through_group(sandbox, package, group, dry_run=True)
    require(problems or install.proxy_cached(nexus, target.expected.proxy.name, package))
