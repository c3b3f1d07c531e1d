"""Security: dependency confusion through the group, anonymous writes, committed secrets."""

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import requests
from packaging.utils import canonicalize_name

from nexus_cutover.checks import Proof, clients, credentials, publish, security
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.config import Settings
from nexus_cutover.dists import Inventory
from nexus_cutover.plugin import require
from nexus_cutover.scan import ScanResult
from nexus_cutover.target import Target


@pytest.mark.check("SEC-1")
def test_internal_names_not_shadowed(
    nexus_http: requests.Session, target: Target, old_index: Inventory
) -> None:
    """For each internal project, the group serves only files from hosted."""
    require(
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
) -> None:
    """An anonymous upload and an anonymous delete are both refused (401/403)."""
    hosted = target.nexus.repository(target.expected.hosted.name)
    problems = security.anonymous_upload_refused(
        security.anonymous_upload_status(anonymous_http, hosted, canary[0]), hosted
    )
    run = publish.upload(sandbox, canary[:1], hosted, target.nexus.credentials)
    require(problems + publish.upload_problems(run, hosted))
    canary_name = canonicalize_name(target.expected.canary_project)
    component = next(
        c
        for c in nexus.components(target.expected.hosted.name)
        if canonicalize_name(c.name) == canary_name
    )
    require(security.anonymous_delete_refused(nexus_anonymous, component.id))


@pytest.mark.check("SEC-3")
def test_no_credentials_in_project_files(
    projects: Sequence[ScanResult], target: Target, settings: Settings
) -> None:
    """No pip.conf, .pypirc, Dockerfile or CI file carries a password or user:password@ URL,
    and no .pypirc section that uploads to Nexus keeps pypiserver's login."""
    leftovers = credentials.pypirc_leftovers(projects, target, settings.pypiserver.user)
    require(clients.committed_credentials(projects) + leftovers)


@pytest.mark.check("SEC-4")
def test_transport_security(
    projects: Sequence[ScanResult], target: Target, prove: Callable[[Proof], None]
) -> None:
    """No password over plain http, no trusted-host switching certificate checks off."""
    user_files = [*target.clients.pip_config_files, *filter(None, [target.clients.pypirc])]
    prove(credentials.transport_security(projects, user_files, target))
