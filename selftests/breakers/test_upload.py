"""Breakers for PARITY-1..3: files missing from hosted or misplaced, other bytes through the
group, a wrong components listing."""

import sqlite3
from pathlib import Path

import pytest
import requests

from nexus_cutover.clients.sandbox import Sandbox
from selftests.breakers.lab import Lab, only_failure, reconfigure

PARITY = "PARITY-1,PARITY-2,PARITY-3"


def test_missing_wheel_fails_parity_1(lab: Lab) -> None:
    """A file gone from hosted: the assets API (PARITY-1) and the components API (PARITY-3)
    both show it missing; PARITY-2 only checks what is in hosted."""
    lab.delete_asset("pypi-hosted", "acme_utils-1.0.0-py3-none-any.whl")
    only_failure(
        lab.run(PARITY),
        "PARITY-1",
        "acme_utils-1.0.0-py3-none-any.whl",
        "migrate upload",
        also=("PARITY-3",),
    )


def _database(lab: Lab) -> Path:
    return lab.services.nexus_data / "db" / "standin.sqlite3"


def test_sdist_under_the_wrong_version_fails_parity_1(lab: Lab) -> None:
    """An sdist uploaded with the wrong version in the upload form: Nexus files it under
    packages/acme-data/0.9.1/ while the file is 0.9.0."""
    original = lab.services.packages_dir / "acme_data-0.9.0.zip"
    lab.delete_asset("pypi-hosted", original.name)
    with original.open("rb") as stream:
        response = requests.post(
            lab.target.nexus.repository("pypi-hosted"),
            auth=lab.auth,
            data={":action": "file_upload", "name": "acme-data", "version": "0.9.1"},
            files={"content": (original.name, stream, "application/zip")},
            timeout=30,
        )
    assert response.status_code == 200, response.text
    verdicts = lab.run(PARITY)
    only_failure(
        verdicts,
        "PARITY-1",
        "acme_data-0.9.0.zip is stored under version 0.9.1",
        also=("PARITY-2", "PARITY-3"),
    )
    assert "stored under version 0.9.1" in verdicts["PARITY-2"].message
    assert "acme_data-0.9.0.zip is not an asset of acme-data 0.9.0" in verdicts["PARITY-3"].message


def test_component_listed_under_another_version_fails_parity_3(lab: Lab) -> None:
    """The components API files a version's component under another version (a database
    edit, as a failed migration of Nexus's own database leaves it): assets, pages and
    downloads are intact, only the components API is wrong."""
    with sqlite3.connect(_database(lab), timeout=30) as connection:
        changed = connection.execute(
            "UPDATE component SET version = '0.9.1' WHERE repository = 'pypi-hosted'"
            " AND name = 'acme-data' AND version = '0.9.0'"
        ).rowcount
    assert changed == 1
    only_failure(lab.run(PARITY), "PARITY-3", "does not list", "acme-data 0.9.0")


def test_group_serving_other_bytes_fails_parity_2(
    lab: Lab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A hosted repository earlier in the group serves a different file under the same name."""
    body = {
        "name": "pypi-shadow",
        "online": True,
        "storage": {
            "blobStoreName": "default",
            "strictContentTypeValidation": True,
            "writePolicy": "allow",
        },
    }
    assert lab.rest("POST", "/v1/repositories/pypi/hosted", json=body).status_code == 201
    impostor = tmp_path_factory.mktemp("impostor") / "acme_data-1.0.0-py3-none-any.whl"
    original = lab.services.packages_dir / "acme_data-1.0.0-py3-none-any.whl"
    impostor.write_bytes(original.read_bytes() + b"\0")  # same name, other bytes
    box = Sandbox(tmp_path_factory.mktemp("home"))
    run = box.twine(
        ["upload", "--repository-url", lab.target.nexus.repository("pypi-shadow"), str(impostor)],
        lab.target.nexus.credentials,
    )
    assert run.ok, run.output
    reconfigure(
        lab,
        "group",
        "pypi-group",
        **{"group.memberNames": ["pypi-shadow", "pypi-proxy", "pypi-hosted"]},
    )
    only_failure(lab.run(PARITY), "PARITY-2", "acme_data-1.0.0-py3-none-any.whl", "different bytes")


def test_missing_component_fails_parity_3(lab: Lab) -> None:
    """A whole version gone: the components API no longer lists it (its files are gone too)."""
    lab.delete_component("pypi-hosted", "acme-data", "0.9.0")
    only_failure(lab.run(PARITY), "PARITY-3", "acme-data 0.9.0", also=("PARITY-1",))
