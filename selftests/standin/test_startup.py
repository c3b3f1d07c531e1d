"""Start-up, first-start admin password, status endpoints and the Server header."""

from __future__ import annotations

import uuid
from pathlib import Path

import requests

from .conftest import StandInFactory
from .support import StandIn


def test_first_start_writes_a_random_admin_password(standin: StandIn) -> None:
    """The instance got ready (the fixture waited for status/writable) with a UUID password."""
    password = (standin.data_dir / "admin.password").read_text()
    assert uuid.UUID(password)
    assert (
        requests.get(standin.rest("v1/status/check"), auth=standin.admin, timeout=5).status_code
        == 200
    )


def test_admin_password_file_sets_the_password(
    standin_factory: StandInFactory, tmp_path: Path
) -> None:
    secret = tmp_path / "admin-secret"
    secret.write_text("s3cret-from-file\n")
    instance = standin_factory(admin_password_file=secret)
    assert not (instance.data_dir / "admin.password").exists()
    answer = requests.get(
        instance.rest("v1/security/users"), auth=("admin", "s3cret-from-file"), timeout=5
    )
    assert answer.status_code == 200
    admin = next(user for user in answer.json() if user["userId"] == "admin")
    assert admin["status"] == "active"


def test_status_endpoints(standin: StandIn) -> None:
    assert requests.get(standin.rest("v1/status"), timeout=5).status_code == 200
    assert requests.get(standin.rest("v1/status/writable"), timeout=5).status_code == 200
    check = requests.get(standin.rest("v1/status/check"), timeout=5)
    assert check.status_code == 401
    assert check.headers["WWW-Authenticate"] == 'BASIC realm="Sonatype Nexus Repository Manager"'
    checks = requests.get(standin.rest("v1/status/check"), auth=standin.admin, timeout=5).json()
    assert all(result["healthy"] for result in checks.values())


def test_every_response_names_nexus_in_the_server_header(standin: StandIn) -> None:
    urls = [
        standin.rest("v1/status"),
        standin.rest("v1/nothing-here"),
        standin.repo_url("no-such-repo") + "simple/",
        standin.index_url("pypi-hosted") + "/",
    ]
    for url in urls:
        assert requests.get(url, timeout=5).headers["Server"] == "Nexus/3.97.0-13 (OSS)"


def test_nexus_version_option(standin_factory: StandInFactory) -> None:
    instance = standin_factory("--nexus-version", "3.70.1-02")
    answer = requests.get(instance.rest("v1/status"), timeout=5)
    assert answer.headers["Server"] == "Nexus/3.70.1-02 (OSS)"
    assert "Started Sonatype Nexus OSS 3.70.1-02" in instance.nexus_log.read_text()


def test_both_ports_serve_rest_and_repositories(standin: StandIn) -> None:
    repository_port_rest = standin.rest("v1/status").replace(
        str(standin.port), str(standin.repository_port)
    )
    assert requests.get(repository_port_rest, timeout=5).status_code == 200
    rest_port_index = standin.index_url("pypi-hosted").replace(
        str(standin.repository_port), str(standin.port)
    )
    assert requests.get(rest_port_index + "/", timeout=5).status_code == 200
