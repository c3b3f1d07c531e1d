"""Security: dependency confusion through the group, anonymous writes, committed secrets."""

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import requests
from packaging.utils import canonicalize_name

from nexus_cutover.checks import Proof, clients, credentials, publish, routing, security
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.config import Settings
from nexus_cutover.dists import Inventory
from nexus_cutover.scan import ScanResult
from nexus_cutover.target import Target


@pytest.mark.check("SEC-1")
def test_internal_names_not_shadowed(
    nexus_http: requests.Session,
    nexus: NexusClient,
    target: Target,
    old_index: Inventory,
    prove: Callable[[Proof], None],
) -> None:
    """For each internal project (old index and hosted), the group serves only hosted files,
    and the proxy refuses the name by a routing rule, so no public upload can shadow it."""
    canary = target.expected.canary_project  # the suite's own probe; PUBLISH-1 owns it
    hosted = {
        c.name
        for c in nexus.components(target.expected.hosted.name)
        if canonicalize_name(c.name) not in {canary, f"{canary}-app"}
    }
    prove(
        routing.internal_names_protected(
            nexus_http,
            NexusAdmin(target.nexus),
            set(old_index.projects()) | hosted,
            target.nexus,
            target.expected,
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
    projects: Sequence[ScanResult],
    target: Target,
    settings: Settings,
    prove: Callable[[Proof], None],
) -> None:
    """No pip.conf, .pypirc, Dockerfile or CI file carries a password or user:password@ URL,
    and no .pypirc section that uploads to Nexus keeps pypiserver's login."""
    committed = clients.committed_credentials(projects)
    prove(credentials.no_old_logins(committed, projects, target, settings.pypiserver.user))


@pytest.mark.check("SEC-4")
def test_transport_security(
    projects: Sequence[ScanResult], target: Target, prove: Callable[[Proof], None]
) -> None:
    """No password over plain http, no trusted-host switching certificate checks off."""
    user_files = [*target.clients.pip_config_files, *filter(None, [target.clients.pypirc])]
    prove(credentials.transport_security(projects, user_files, target))
