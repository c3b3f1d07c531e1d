"""Transport security of the tool itself: TLS is verified by default, and the CA a team gives
(nexus.ca_bundle, NEXUS_CA_BUNDLE, REQUESTS_CA_BUNDLE, SSL_CERT_FILE) is honoured. A real TLS
front with a throwaway CA on 127.0.0.1, before the real Nexus stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_cutover.backends.local import LocalServices
from selftests.reliability.cli import nexus_cutover
from selftests.reliability.tls import TlsFront, tls_front


@pytest.fixture
def front(provisioned: LocalServices, tmp_path: Path) -> Iterator[TlsFront]:
    with tls_front(provisioned.ports.nexus, tmp_path / "ca") as started:
        yield started


def write_config(folder: Path, services: LocalServices, front: TlsFront, ca: str = "") -> Path:
    config = folder / "cutover.toml"
    lines = [
        'backend = "external"',
        "[nexus]",
        f'url = "{front.url}"',
        f'repository_url = "{front.url}"',
        'user = "admin"',
        f"password_file = {json.dumps(str(services.secrets_dir / 'nexus-admin'))}",
        *([f"ca_bundle = {json.dumps(ca)}"] if ca else []),
        "[pypiserver]",
        'url = ""',
    ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def test_an_untrusted_certificate_is_one_line_and_exit_2(
    provisioned: LocalServices, front: TlsFront, tmp_path: Path
) -> None:
    write_config(tmp_path, provisioned, front)
    ran = nexus_cutover(tmp_path, "migrate", "provision", "--dry-run")
    assert ran.code == 2, ran.output
    line = ran.one_line()
    assert f"{front.url}/service/rest/v1/status/check" in line
    assert "TLS failure" in line
    assert "Traceback" not in ran.output


def test_the_configured_ca_bundle_is_honoured(
    provisioned: LocalServices, front: TlsFront, tmp_path: Path
) -> None:
    write_config(tmp_path, provisioned, front, ca=str(front.ca_file))
    ran = nexus_cutover(tmp_path, "migrate", "provision", "--dry-run")
    assert ran.code == 0, ran.output
    assert f"target: Nexus {front.url}" in ran.out
    assert "match the expected state" in ran.out


def test_nexus_ca_bundle_variable_is_honoured(
    provisioned: LocalServices, front: TlsFront, tmp_path: Path
) -> None:
    write_config(tmp_path, provisioned, front)
    env = {"NEXUS_CA_BUNDLE": str(front.ca_file)}
    ran = nexus_cutover(tmp_path, "migrate", "provision", "--dry-run", env=env)
    assert ran.code == 0, ran.output


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
def test_the_standard_ca_variables_are_honoured(
    provisioned: LocalServices, front: TlsFront, tmp_path: Path, variable: str
) -> None:
    write_config(tmp_path, provisioned, front)
    ran = nexus_cutover(
        tmp_path, "migrate", "provision", "--dry-run", env={variable: str(front.ca_file)}
    )
    assert ran.code == 0, ran.output


def test_the_suite_runs_over_tls_with_the_ca_bundle(
    provisioned: LocalServices, front: TlsFront, tmp_path: Path
) -> None:
    write_config(tmp_path, provisioned, front, ca=str(front.ca_file))
    ran = nexus_cutover(
        tmp_path, "run", "--phase", "health", "--checks", "PRE-1,REPO-1,REPO-2", "-q"
    )
    assert ran.code == 0, ran.output
    assert f"Target: Nexus {front.url}" in " ".join(ran.out.split())
