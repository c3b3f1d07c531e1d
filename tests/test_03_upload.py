"""Step 3: Upload existing packages to Nexus, and verify the upload."""

from collections.abc import Callable

import pytest
import requests

from nexus_cutover.checks import Proof, parity
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.dists import Inventory
from nexus_cutover.target import Target


@pytest.mark.check("PARITY-1")
def test_every_file_is_in_hosted(
    old_index: Inventory,
    nexus: NexusClient,
    nexus_http: requests.Session,
    target: Target,
    prove: Callable[[Proof], None],
) -> None:
    """Every file of pypiserver is in pypi-hosted under its version, with the same sha256."""
    hosted = target.expected.hosted.name
    prove(
        parity.files_in_hosted(
            old_index, nexus, hosted, nexus_http, target.nexus.simple(hosted), target.nexus.timeout
        )
    )


@pytest.mark.check("PARITY-2")
def test_every_file_downloads_through_group(
    old_index: Inventory,
    nexus: NexusClient,
    nexus_http: requests.Session,
    target: Target,
    prove: Callable[[Proof], None],
) -> None:
    """Every migrated file downloads through pypi-group with the same bytes."""
    group_simple = target.nexus.simple(target.expected.group.name)
    prove(
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
    old_index: Inventory, nexus: NexusClient, target: Target, prove: Callable[[Proof], None]
) -> None:
    """The guide's verification: GET /v1/components?repository=pypi-hosted lists every version."""
    prove(parity.components_listed(old_index, nexus, target.expected.hosted.name))
