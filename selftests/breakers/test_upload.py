"""Breakers for PARITY-1..3: files missing from hosted, other bytes through the group."""

import pytest

from nexus_cutover.clients.sandbox import Sandbox
from selftests.breakers.lab import Lab, only_failure, reconfigure

PARITY = "PARITY-1,PARITY-2,PARITY-3"


def test_missing_wheel_fails_parity_1(lab: Lab) -> None:
    lab.delete_asset("pypi-hosted", "acme_utils-1.0.0-py3-none-any.whl")
    only_failure(lab.run(PARITY), "PARITY-1", "acme_utils-1.0.0-py3-none-any.whl", "migrate upload")


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
