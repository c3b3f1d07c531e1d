"""The Nexus client's shapes held against nexus-api-client's models (generated from Nexus's
published API), and the start-up promise that nothing imports that package at run time.

The client sends plain JSON and reads answers with small models of its own
(clients/nexus_models.py); here the generated models check both directions: every field the
client reads exists in Nexus's answer models, and every body it sends is one the request
models accept and would send unchanged.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from typing import Any

import pytest
from pydantic import BaseModel

from nexus_cutover import migrate
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.nexus_models import (
    LDAP_SERVER_REQUEST_FIELDS,
    REPOSITORY_REQUEST_FIELDS,
    AssetPage,
    AssetXO,
    ComponentPage,
    ComponentXO,
    request_body,
)
from nexus_cutover.config import Expected
from nexus_cutover.repoconfig import KINDS, Kind, desired_body, repository_name
from nexus_cutover.target import Target

GENERATED = "nexus_api_client.models"
REQUEST_MODELS: dict[Kind, str] = {
    "proxy": "PypiProxyRepositoryApiRequest",
    "hosted": "PypiHostedRepositoryApiRequest",
    "group": "PypiGroupRepositoryApiRequest",
}


def generated(name: str) -> type[BaseModel]:
    model: type[BaseModel] = getattr(importlib.import_module(GENERATED), name)
    return model


def aliases(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (AssetXO, "AssetXO"),
        (ComponentXO, "ComponentXO"),
        (AssetPage, "PageAssetXO"),
        (ComponentPage, "PageComponentXO"),
    ],
)
def test_every_field_read_is_in_nexus_answers(ours: type[BaseModel], theirs: str) -> None:
    assert aliases(ours) <= aliases(generated(theirs))


@pytest.mark.parametrize("kind", KINDS)
def test_repository_request_fields_are_nexus_own(kind: Kind) -> None:
    assert REPOSITORY_REQUEST_FIELDS[kind] == aliases(generated(REQUEST_MODELS[kind]))


def test_ldap_request_fields_are_nexus_own() -> None:
    assert aliases(generated("CreateLdapServerXo")) == LDAP_SERVER_REQUEST_FIELDS


def sent_as_generated(kind: Kind, body: dict[str, Any]) -> dict[str, Any]:
    """What nexus-api-client would send for `body`: validated, then serialised."""
    model = generated(REQUEST_MODELS[kind]).model_validate(body)
    serialised: dict[str, Any] = model.to_dict()  # type: ignore[attr-defined]
    return serialised


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_repository_is_sent_as_the_generated_client_sends_it(kind: Kind) -> None:
    body = request_body(desired_body(kind, Expected(), None), REPOSITORY_REQUEST_FIELDS[kind])
    assert sent_as_generated(kind, body) == body


@pytest.mark.parametrize("kind", KINDS)
def test_an_update_is_sent_as_the_generated_client_sends_it(target: Target, kind: Kind) -> None:
    """The update body starts from what the server answered (it carries format, type, url)."""
    client = NexusClient(target.nexus)
    migrate.provision(client, target.expected, dry_run=False)
    existing = client.pypi_repository(kind, repository_name(kind, target.expected))
    body = request_body(
        desired_body(kind, target.expected, existing), REPOSITORY_REQUEST_FIELDS[kind]
    )
    assert {"format", "type", "url"} & set(existing)
    assert sent_as_generated(kind, body) == body


def modules_loaded_by(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(run.stdout.split())


@pytest.mark.parametrize("module", ["nexus_cutover.cli", "nexus_cutover.plugin"])
def test_start_up_does_not_import_the_generated_client(module: str) -> None:
    loaded = modules_loaded_by(f"import {module}")
    assert not {m for m in loaded if m.split(".")[0] == "nexus_api_client"}


def test_no_module_of_the_tool_imports_the_generated_client() -> None:
    """Every module of nexus_cutover (not the stand-in, which serves Nexus's own models)."""
    import nexus_cutover

    names = [
        info.name
        for info in pkgutil.walk_packages(nexus_cutover.__path__, "nexus_cutover.")
        if not info.name.startswith("nexus_cutover.suite") and not info.name.endswith("__main__")
    ]
    loaded = modules_loaded_by("\n".join(f"import {name}" for name in names))
    assert set(names) <= loaded
    assert not {m for m in loaded if m.split(".")[0] == "nexus_api_client"}
