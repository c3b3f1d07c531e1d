"""Backends: where the two servers come from, each behind the same `Target`.

As in pytest-testinfra, a backend is looked up by name in one registry and the suite sees
only what it yields (`open_target`): `external` (servers by URL), `local` (real pypiserver and
the Nexus stand-in as processes, the embedded default) and `docker` (containers of the
official or local images, one by one or from the compose file).

Adding a backend: subclass `base.Backend` in a module of its own, give it a `name` and a
`session(workdir)` context manager that yields a `Target`, and add it to `BACKENDS`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from nexus_cutover.backends.base import Backend
from nexus_cutover.backends.docker import DockerBackend
from nexus_cutover.backends.external import ExternalBackend
from nexus_cutover.backends.local import LocalBackend
from nexus_cutover.config import Settings
from nexus_cutover.target import Target

BACKENDS: dict[str, type[Backend]] = {
    backend.name: backend for backend in (ExternalBackend, LocalBackend, DockerBackend)
}


def get_backend(settings: Settings) -> Backend:
    return BACKENDS[settings.backend](settings)


def open_target(settings: Settings, workdir: Path) -> AbstractContextManager[Target]:
    """The configured backend's target for one session (servers it starts stop after)."""
    return get_backend(settings).session(workdir)


__all__ = ["BACKENDS", "Backend", "get_backend", "open_target"]
