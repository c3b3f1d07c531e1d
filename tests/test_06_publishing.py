"""Step 6: Publishing new packages to Nexus with twine (a canary, removed afterwards)."""

from pathlib import Path

import pytest

from nexus_cutover.checks import publish
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.plugin import require
from nexus_cutover.target import Target


@pytest.mark.check("PUBLISH-1")
def test_fresh_package_uploads_and_installs(
    sandbox: Sandbox, target: Target, canary: list[Path]
) -> None:
    """Build, `twine upload --repository-url <hosted>`, then pip install it through the group."""
    require(publish.publish_then_install(sandbox, canary, target))


@pytest.mark.check("PUBLISH-2")
def test_pypirc_nexus_section(sandbox: Sandbox, target: Target, canary: list[Path]) -> None:
    """~/.pypirc has [nexus] pointing at hosted, and `twine upload -r nexus` works."""
    hosted = target.nexus.repository(target.expected.hosted.name)
    pypirc = target.clients.pypirc
    require(publish.pypirc_problems(pypirc, hosted))
    assert pypirc is not None
    run = publish.upload_with_pypirc(sandbox, canary, pypirc, target.nexus.credentials)
    require(publish.upload_problems(run, hosted))


@pytest.mark.check("PUBLISH-3")
def test_redeploy_follows_policy(sandbox: Sandbox, target: Target, canary: list[Path]) -> None:
    """The same file uploaded twice: accepted with Allow redeploy, refused with Disable redeploy."""
    hosted = target.nexus.repository(target.expected.hosted.name)
    wheel = [path for path in canary if path.suffix == ".whl"]
    first = publish.upload(sandbox, wheel, hosted, target.nexus.credentials)
    second = publish.upload(sandbox, wheel, hosted, target.nexus.credentials)
    require(publish.redeploy_behaves(first, second, target.expected, hosted))
