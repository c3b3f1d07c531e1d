"""Troubleshooting: the guide's checks for "cannot install", "upload fails", "not found"."""

from pathlib import Path

import pytest
import requests

from nexus_cutover.checks import install, publish, repositories, status, troubleshooting
from nexus_cutover.isolated import Sandbox
from nexus_cutover.nexus import NexusClient
from nexus_cutover.plugin import require
from nexus_cutover.target import Target

ALL_PHASES = pytest.mark.phase("precutover", "postcutover", "health")


@pytest.mark.check("TS-1")
@ALL_PHASES
def test_status_answers(nexus_anonymous: NexusClient) -> None:
    """curl <nexus>/service/rest/v1/status (no credentials)."""
    require(status.nexus_answers(nexus_anonymous, need_writable=False))


@pytest.mark.check("TS-2")
@ALL_PHASES
def test_repositories_list(nexus: NexusClient, target: Target) -> None:
    """curl -u admin <nexus>/service/rest/v1/repositories names the three repositories."""
    require(repositories.repositories_listed(nexus, target.expected))


@pytest.mark.check("TS-3")
@ALL_PHASES
def test_pip_config(sandbox: Sandbox, target: Target) -> None:
    """`pip config list` in the configured environments names the group."""
    group_simple = target.nexus.simple(target.expected.group.name)
    require(
        troubleshooting.pip_config_names_group(
            sandbox, target.clients.pip_config_files, group_simple
        )
    )


@pytest.mark.check("TS-4")
@ALL_PHASES
def test_direct_url_install(sandbox: Sandbox, target: Target) -> None:
    """pip install --index-url <group>/simple requests."""
    group = target.nexus.repository(target.expected.group.name)
    problems, _ = install.installs_through_group(sandbox, target.expected.public_package, group)
    require(problems)


@pytest.mark.check("TS-5")
@ALL_PHASES
def test_credentials(nexus: NexusClient) -> None:
    """curl -u <user>:<password> .../v1/status/check: the configured credentials work."""
    require(status.credentials_accepted(nexus))


@pytest.mark.check("TS-6")
@ALL_PHASES
def test_hosted_accepts_uploads(nexus: NexusClient, target: Target) -> None:
    """pypi-hosted is online and its deployment policy lets uploads in."""
    require(publish.hosted_accepts_uploads(nexus, target.expected.hosted.name))


@pytest.mark.check("TS-7")
@pytest.mark.phase("precutover", "postcutover")
@pytest.mark.writes
def test_verbose_upload(sandbox: Sandbox, target: Target, canary: list[Path]) -> None:
    """twine upload --verbose: on failure, the server's answer is the diagnostic."""
    hosted = target.nexus.repository(target.expected.hosted.name)
    run = publish.upload(sandbox, canary, hosted, target.nexus.credentials, verbose=True)
    require(publish.verbose_diagnostics(run, hosted))


@pytest.mark.check("TS-8")
@ALL_PHASES
def test_proxy_cache(
    sandbox: Sandbox, target: Target, nexus: NexusClient, nexus_http: requests.Session
) -> None:
    """Browse pypi-proxy: the public package, fetched through it, is in its cache."""
    proxy = target.nexus.repository(target.expected.proxy.name)
    package = target.expected.public_package
    problems, _ = install.installs_through_group(sandbox, package, proxy, dry_run=True)
    require(problems or install.proxy_cached(nexus, target.expected.proxy.name, package))


@pytest.mark.check("TS-9")
@ALL_PHASES
def test_no_cache_dir_install(sandbox: Sandbox, target: Target) -> None:
    """pip install --no-cache-dir <package>, with only the environment's pip.conf."""
    configs = target.clients.pip_config_files
    if not configs:
        pytest.fail("no pip configuration to use: set clients.pip_config_files", pytrace=False)
    group = target.nexus.repository(target.expected.group.name)
    require(install.configured_install(sandbox, target.expected.public_package, configs[0], group))


@pytest.mark.check("TS-10")
@ALL_PHASES
def test_nexus_log_mentions_package(sandbox: Sandbox, target: Target) -> None:
    """docker logs nexus | grep -i <package>: the request reached Nexus and was logged."""
    if target.nexus.read_log is None:
        pytest.skip("the Nexus log is not readable here: set nexus.log_file")
    group = target.nexus.repository(target.expected.group.name)
    package = target.expected.public_package
    problems, _ = install.installs_through_group(sandbox, package, group, dry_run=True)
    require(problems or troubleshooting.log_mentions(target.nexus.read_log, package))
