"""Real local services for the reliability self-tests (pypiserver and the Nexus stand-in)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_cutover import migrate
from nexus_cutover.backends.local import LocalServices, load_local, start_local
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Settings
from nexus_cutover.samples import build_samples


@pytest.fixture(scope="session")
def sample_dists(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture
def provisioned(tmp_path: Path, sample_dists: list[Path]) -> Iterator[LocalServices]:
    """Fresh services below <tmp>/state/local (as `up` keeps them), repositories provisioned,
    nothing uploaded yet."""
    root = tmp_path / "state" / "local"
    services = start_local(root, sample_dists)
    try:
        target = services.target(Settings())
        migrate.provision(NexusClient(target.nexus), target.expected, dry_run=False)
        yield services
    finally:
        current = load_local(root)
        if current is not None:
            current.stop()
        services.stop()
