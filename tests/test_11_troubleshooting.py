"""Troubleshooting: the guide's checks for "cannot install", "upload fails", "not found"."""

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from nexus_cutover.checks import Proof, install, publish, repositories, status, troubleshooting
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.target import Target


@pytest.mark.check("TS-1")
def test_status_answers(nexus_anonymous: NexusClient, prove: Callable[[Proof], None]) -> None:
    """curl <nexus>/service/rest/v1/status (no credentials)."""
    prove(status.nexus_answers(nexus_anonymous, need_writable=False))


@pytest.mark.check("TS-2")
def test_repositories_list(
    nexus: NexusClient, target: Target, prove: Callable[[Proof], None]
) -> None:
    """curl -u admin <nexus>/service/rest/v1/repositories names the three repositories."""
    prove(repositories.repositories_listed(nexus, target.expected))


@pytest.mark.check("TS-3")
def test_pip_config(sandbox: Sandbox, target: Target, prove: Callable[[Proof], None]) -> None:
    """`pip config list` in the configured environments names the group."""
    group_simple = target.nexus.simple(target.expected.group.name)
    prove(
        troubleshooting.pip_config_names_group(
            sandbox, target.clients.pip_config_files, group_simple
        )
    )


@pytest.mark.check("TS-4")
def test_direct_url_install(
    sandbox: Sandbox, target: Target, prove: Callable[[Proof], None]
) -> None:
    """pip install --index-url <group>/simple requests."""
    group = target.nexus.repository(target.expected.group.name)
    prove(install.installs_through_group(sandbox, target.expected.public_package, group).proof)


@pytest.mark.check("TS-5")
def test_credentials(nexus: NexusClient, prove: Callable[[Proof], None]) -> None:
    """curl -u <user>:<password> .../v1/status/check: the configured credentials work."""
    prove(status.credentials_accepted(nexus))


@pytest.mark.check("TS-6")
def test_hosted_accepts_uploads(
    nexus: NexusClient, target: Target, prove: Callable[[Proof], None]
) -> None:
    """pypi-hosted is online and its deployment policy lets uploads in."""
    prove(publish.hosted_accepts_uploads(nexus, target.expected.hosted.name))


@pytest.mark.check("TS-7")
def test_verbose_upload(
    sandbox: Sandbox,
    target: Target,
    canary: list[Path],
    nexus: NexusClient,
    prove: Callable[[Proof], None],
) -> None:
    """twine upload --verbose: on failure, the server's answer is the diagnostic."""
    hosted = target.nexus.repository(target.expected.hosted.name)
    run = publish.upload(sandbox, canary, hosted, target.nexus.credentials, verbose=True)
    proof = publish.verbose_diagnostics(run, hosted)
    prove(
        proof.then(publish.landed(nexus, target.expected.hosted.name, canary))
        if proof.ok
        else proof
    )


@pytest.mark.check("TS-8")
def test_proxy_cache(
    target: Target,
    nexus: NexusClient,
    nexus_http: requests.Session,
    prove: Callable[[Proof], None],
) -> None:
    """Browse pypi-proxy: a file fetched through it is in its cache, newer than the fetch."""
    proxy = target.expected.proxy.name
    prove(
        install.fetched_file_cached(
            nexus_http,
            nexus,
            target.nexus.repository(proxy),
            proxy,
            target.expected.public_package,
            target.nexus.timeout,
        )
    )


@pytest.mark.check("TS-9")
def test_no_cache_dir_install(
    sandbox: Sandbox, target: Target, prove: Callable[[Proof], None]
) -> None:
    """pip install --no-cache-dir <package>, with only the environment's pip.conf."""
    configs = target.clients.pip_config_files
    if not configs:
        pytest.fail("no pip configuration to use: set clients.pip_config_files", pytrace=False)
    group = target.nexus.repository(target.expected.group.name)
    prove(install.configured_install(sandbox, target.expected.public_package, configs[0], group))


@pytest.mark.check("TS-10")
def test_nexus_log_mentions_package(
    sandbox: Sandbox, target: Target, prove: Callable[[Proof], None]
) -> None:
    """docker logs nexus | grep -i <package>: this run's request reached Nexus and was logged."""
    log_dir = target.nexus.log_dir
    if log_dir is None:
        pytest.skip("Nexus's log folder is not readable here: set nexus.log_dir")
    group_name = target.expected.group.name
    package = target.expected.public_package
    before = len(troubleshooting.request_log_lines(log_dir))
    fetched = install.installs_through_group(
        sandbox, package, target.nexus.repository(group_name), dry_run=True
    ).proof
    if not fetched.ok:
        prove(fetched)
    prove(troubleshooting.fetch_logged(log_dir, before, f"/repository/{group_name}/"))
