"""Security: dependency confusion through the group, anonymous writes, committed secrets."""

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import requests

from nexus_cutover.checks import Proof, clients, publish, security
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.dists import Inventory
from nexus_cutover.scan import ScanResult
from nexus_cutover.target import Target


@pytest.mark.check("SEC-1")
def test_internal_names_not_shadowed(
    nexus_http: requests.Session,
    target: Target,
    old_index: Inventory,
    prove: Callable[[Proof], None],
) -> None:
    """For each internal project, the group serves only files from hosted."""
    prove(
        security.internal_names_not_shadowed(
            nexus_http,
            old_index.projects(),
            target.nexus.simple(target.expected.group.name),
            target.nexus.simple(target.expected.hosted.name),
            target.nexus.timeout,
        )
    )


@pytest.mark.check("SEC-2")
def test_anonymous_cannot_upload_or_delete(
    anonymous_http: requests.Session,
    nexus_anonymous: NexusClient,
    nexus: NexusClient,
    sandbox: Sandbox,
    target: Target,
    canary: list[Path],
    prove: Callable[[Proof], None],
) -> None:
    """An anonymous upload and an anonymous delete are both refused (401/403)."""
    hosted_name = target.expected.hosted.name
    hosted = target.nexus.repository(hosted_name)
    prove(
        security.anonymous_upload_refused(
            security.anonymous_upload_status(anonymous_http, hosted, canary[0]), hosted
        )
    )
    run = publish.upload(sandbox, canary[:1], hosted, target.nexus.credentials)
    prove(Proof.of(publish.upload_problems(run, hosted), "the deployer uploaded a canary"))
    prove(publish.landed(nexus, hosted_name, canary[:1]))
    component = publish.project_components(nexus, hosted_name, target.expected.canary_project)
    prove(security.anonymous_delete_refused(nexus_anonymous, nexus, hosted_name, component[0].id))


@pytest.mark.check("SEC-3")
def test_no_credentials_in_project_files(
    projects: Sequence[ScanResult], prove: Callable[[Proof], None]
) -> None:
    """No pip.conf, .pypirc, Dockerfile or CI file carries a password or user:password@ URL."""
    prove(clients.committed_credentials(projects))
