"""What the bad inputs meet: real servers (pypiserver and the Nexus stand-in, provisioned,
nothing uploaded), a TLS front with a throwaway CA, a dead port and a port that hangs up."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from nexus_cutover import migrate
from nexus_cutover.backends.local import LocalServices, start_local
from nexus_cutover.backends.processes import LOOPBACK, free_port
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Settings
from nexus_cutover.samples import build_samples
from selftests.reliability.tls import tls_front


@dataclass(frozen=True)
class World:
    services: LocalServices
    tls_url: str
    ca_file: Path
    other_ca_file: Path
    dead_url: str
    hangup_url: str

    def values(self) -> dict[str, str]:
        """What a case's files, arguments and environment may name as {placeholders}."""
        secrets = self.services.secrets_dir
        return {
            "nexus": self.services.nexus_url,
            "repo": self.services.repository_url,
            "pypi": self.services.pypiserver_url,
            "admin_pw": (secrets / "nexus-admin").read_text(encoding="utf-8").strip(),
            "pypi_pw": (secrets / "pypiserver").read_text(encoding="utf-8").strip(),
            "tls": self.tls_url,
            "tls_as_http": self.tls_url.replace("https://", "http://"),
            "ca": str(self.ca_file),
            "other_ca": str(self.other_ca_file),
            "dead": self.dead_url,
            "hangup": self.hangup_url,
            "nexus_port": str(self.services.ports.nexus),
        }

    def hosted_files(self) -> list[str]:
        target = self.services.target(Settings())
        return [a.filename for a in NexusClient(target.nexus).assets("pypi-hosted")]


@contextlib.contextmanager
def hangup_server() -> Iterator[str]:
    """A port that accepts connections and closes them at once, answering nothing."""
    listener = socket.create_server((LOOPBACK, 0))

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{listener.getsockname()[1]}"
    finally:
        listener.close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("badinput-servers")
    services = start_local(root / "local", build_samples(root / "samples"))
    try:
        target = services.target(Settings())
        migrate.provision(NexusClient(target.nexus), target.expected, dry_run=False)
        other_ca = root / "other-ca.pem"
        trustme.CA().cert_pem.write_to_path(str(other_ca))
        with (
            tls_front(services.ports.nexus, root / "tls") as front,
            hangup_server() as hangup,
        ):
            yield World(
                services,
                front.url,
                front.ca_file,
                other_ca,
                f"http://{LOOPBACK}:{free_port()}",
                hangup,
            )
    finally:
        services.stop()
