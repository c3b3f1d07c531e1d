"""Step 6: Publishing new packages to Nexus with twine (a canary, removed afterwards)."""

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from nexus_cutover.checks import Proof, publish
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.target import Target


@pytest.mark.check("PUBLISH-1")
def test_fresh_package_uploads_and_installs(
    sandbox: Sandbox,
    target: Target,
    canary: list[Path],
    nexus: NexusClient,
    nexus_http: requests.Session,
    prove: Callable[[Proof], None],
) -> None:
    """Build, `twine upload --repository-url <hosted>`, then pip install it through the group."""
    prove(publish.publish_then_install(sandbox, canary, target, nexus, nexus_http))


@pytest.mark.check("PUBLISH-2")
def test_pypirc_nexus_section(
    sandbox: Sandbox,
    target: Target,
    canary: list[Path],
    nexus: NexusClient,
    prove: Callable[[Proof], None],
) -> None:
    """~/.pypirc has [nexus] pointing at hosted, and `twine upload -r nexus` works."""
    prove(publish.pypirc_upload_works(sandbox, canary, target.clients.pypirc, target, nexus))


@pytest.mark.check("PUBLISH-3")
def test_redeploy_follows_policy(
    sandbox: Sandbox,
    target: Target,
    canary: list[Path],
    nexus: NexusClient,
    prove: Callable[[Proof], None],
) -> None:
    """The same file uploaded twice: accepted with Allow redeploy, refused with Disable redeploy."""
    hosted = target.nexus.repository(target.expected.hosted.name)
    wheel = [path for path in canary if path.suffix == ".whl"]
    first = publish.upload(sandbox, wheel, hosted, target.nexus.credentials)
    second = publish.upload(sandbox, wheel, hosted, target.nexus.credentials)
    prove(publish.redeploy_behaves(first, second, target.expected, hosted))
    if first.ok:  # what was accepted must really be stored
        prove(publish.landed(nexus, target.expected.hosted.name, wheel))
