"""Breakers for the guard rails the guide lacks: SEC-1's routing rule, stragglers (PRE-3,
DECOM-4), Community Edition capacity (CAP-1, CAP-2), admin accounts (SEC-5, SEC-6)."""

from __future__ import annotations

import pytest

from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.samples import build_canary
from selftests.breakers.lab import Lab, only_failure, reconfigure


def test_project_published_after_provisioning_fails_sec_1(
    lab: Lab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A new internal project in hosted that no routing rule covers yet: SEC-1 names it and
    says how to extend the rule."""
    files = build_canary(tmp_path_factory.mktemp("new"), "acme-newcomer", "1.0.0")
    box = Sandbox(tmp_path_factory.mktemp("home"))
    hosted = lab.target.nexus.repository("pypi-hosted")
    run = box.twine(
        ["upload", "--repository-url", hosted, *map(str, files)], lab.target.nexus.credentials
    )
    assert run.ok, run.output
    only_failure(lab.run("SEC-1,REPO-1"), "SEC-1", "acme-newcomer answered", "migrate provision")


def test_rule_dropped_by_a_proxy_update_fails_sec_1(lab: Lab) -> None:
    """A proxy update that echoes its GET (as many scripts do) drops the rule on 3.77
    (sonatype/nexus-public#464): every internal name is open to the public index again."""
    reconfigure(lab, "proxy", "pypi-proxy", **{"proxy.metadataMaxAge": 1440})
    message = only_failure(lab.run("SEC-1,REPO-1"), "SEC-1", "does not refuse 12 internal names")
    assert "its rule: none" in message
