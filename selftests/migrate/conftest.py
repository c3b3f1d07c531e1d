"""Real local services for the migration self-tests: pypiserver and the Nexus stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from nexus_cutover.backends.local import LocalServices, load_local, start_local
from nexus_cutover.config import Settings
from nexus_cutover.samples import build_samples
from nexus_cutover.target import Target


@pytest.fixture(scope="session")
def sample_dists(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The project's sample distributions (real builds), made once per session."""
    return build_samples(tmp_path_factory.mktemp("samples"))


@contextmanager
def running(root: Path, seed: list[Path]) -> Iterator[LocalServices]:
    services = start_local(root, seed)
    try:
        yield services
    finally:
        current = load_local(root)  # a rollback may have started another pypiserver
        if current is not None:
            current.stop()
        services.stop()


@pytest.fixture(scope="module")
def services(
    tmp_path_factory: pytest.TempPathFactory, sample_dists: list[Path]
) -> Iterator[LocalServices]:
    """Services of this test module, below <tmp>/state/local as `nexus-cutover` keeps them."""
    with running(tmp_path_factory.mktemp("state") / "local", sample_dists) as started:
        yield started


@pytest.fixture(scope="module")
def target(services: LocalServices) -> Target:
    return services.target(Settings())
