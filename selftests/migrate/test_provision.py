"""Provisioning against the real stand-in: create from empty, idempotence, drift, refusals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from nexus_cutover import cli, migrate
from nexus_cutover.backends.local import LocalServices
from nexus_cutover.backends.processes import free_port
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Expected
from nexus_cutover.errors import AuthError, UnreachableError
from nexus_cutover.migrate.errors import ProvisionError
from nexus_cutover.repoconfig import desired_body
from nexus_cutover.target import Credentials, Target


@pytest.fixture(scope="module")
def client(target: Target) -> NexusClient:
    return NexusClient(target.nexus)


def repository_writes(services: LocalServices) -> int:
    """POST/PUT requests to the repository API, read from the stand-in's request log."""
    log = services.nexus_data / "log" / "request.log"
    lines = log.read_text(encoding="utf-8").splitlines()
    return sum(
        1
        for line in lines
        if (
            '"POST /service/rest/v1/repositories' in line
            or '"PUT /service/rest/v1/repositories' in line
        )
    )


def save_hosted(client: NexusClient, expected: Expected) -> None:
    existing = client.pypi_repository("hosted", expected.hosted.name)
    body = desired_body("hosted", expected, existing)
    client.save_repository("hosted", expected.hosted.name, body, update=True)


def test_from_empty_creates_the_three_then_a_second_run_changes_nothing(
    client: NexusClient, target: Target, services: LocalServices
) -> None:
    before = migrate.repository_drift(client, target.expected)
    assert {(d.kind, d.missing) for d in before} == {
        ("proxy", True),
        ("hosted", True),
        ("group", True),
    }
    result = migrate.provision(client, target.expected, dry_run=False)
    assert [(a.kind, a.verb) for a in result.actions] == [
        ("proxy", "create"),
        ("hosted", "create"),
        ("group", "create"),
    ]
    assert migrate.repository_drift(client, target.expected) == []

    writes = repository_writes(services)
    again = migrate.provision(client, target.expected, dry_run=False)
    assert (again.drift, again.actions) == ((), ())
    assert repository_writes(services) == writes


def test_drift_is_shown_before_it_is_fixed_and_a_dry_run_fixes_nothing(
    client: NexusClient, target: Target
) -> None:
    once = target.expected.hosted.model_copy(update={"write_policy": "ALLOW_ONCE"})
    save_hosted(client, target.expected.model_copy(update={"hosted": once}))
    shown: list[str] = []

    def show(drift: Sequence[migrate.Drift]) -> None:
        shown.extend(map(str, drift))

    dry = migrate.provision(client, target.expected, dry_run=True, show_drift=show)
    assert shown == ["hosted 'pypi-hosted': storage.writePolicy: 'allow_once' -> 'ALLOW'"]
    assert [(a.kind, a.verb) for a in dry.actions] == [("hosted", "update")]
    assert len(migrate.repository_drift(client, target.expected)) == 1

    migrate.provision(client, target.expected, dry_run=False)
    assert migrate.repository_drift(client, target.expected) == []


def test_a_name_held_by_another_type_is_refused_before_anything_changes(
    client: NexusClient, target: Target
) -> None:
    clash = Expected(
        proxy=target.expected.proxy.model_copy(update={"name": "pypi-hosted"}),
        hosted=target.expected.hosted.model_copy(update={"name": "fresh-hosted"}),
        group=target.expected.group.model_copy(update={"name": "fresh-group"}),
    )
    names_before = {r["name"] for r in client.repositories()}
    with pytest.raises(ProvisionError, match=r"never done here.*'pypi-hosted'.*pypi hosted"):
        migrate.provision(client, clash, dry_run=False)
    assert {r["name"] for r in client.repositories()} == names_before


def test_wrong_password_and_unreachable_host_are_one_line_errors(target: Target) -> None:
    wrong = replace(target.nexus, credentials=Credentials("admin", "not-the-password"))
    with pytest.raises(AuthError) as caught:
        migrate.repository_drift(NexusClient(wrong), target.expected)
    assert "401" in str(caught.value)
    assert "not-the-password" not in str(caught.value)
    gone = replace(target.nexus, url=f"http://127.0.0.1:{free_port()}", timeout=2.0)
    with pytest.raises(UnreachableError, match="cannot reach"):
        migrate.repository_drift(NexusClient(gone), target.expected)


def test_the_cli_step_shows_no_drift_and_exits_0(
    services: LocalServices, capsys: pytest.CaptureFixture[str]
) -> None:
    state = Path(services.root).parent
    code = cli.main(["--state-dir", str(state), "migrate", "provision", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "match the expected state; nothing changed" in out
