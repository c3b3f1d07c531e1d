"""Step 3: Upload existing packages to Nexus, and verify the upload."""

import pytest
import requests

from nexus_cutover.checks import parity
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.dists import Inventory
from nexus_cutover.plugin import require
from nexus_cutover.target import Target


@pytest.mark.check("PARITY-1")
def test_every_file_is_in_hosted(old_index: Inventory, nexus: NexusClient, target: Target) -> None:
    """Every distribution file of pypiserver is in pypi-hosted with the same sha256."""
    require(parity.files_in_hosted(old_index, nexus, target.expected.hosted.name))


@pytest.mark.check("PARITY-2")
def test_every_file_downloads_through_group(
    old_index: Inventory, nexus: NexusClient, nexus_http: requests.Session, target: Target
) -> None:
    """Every migrated file downloads through pypi-group with the same bytes."""
    group_simple = target.nexus.simple(target.expected.group.name)
    require(
        parity.downloads_through_group(
            old_index,
            nexus,
            target.expected.hosted.name,
            nexus_http,
            group_simple,
            target.nexus.timeout,
        )
    )


@pytest.mark.check("PARITY-3")
def test_components_api_lists_everything(
    old_index: Inventory, nexus: NexusClient, target: Target
) -> None:
    """The guide's verification: GET /v1/components?repository=pypi-hosted lists every version."""
    require(parity.components_listed(old_index, nexus, target.expected.hosted.name))
