"""Backends: where the two servers come from, each behind the same `Target`.

As in pytest-testinfra, a backend is looked up by name in one registry and the suite sees
only what it yields (`open_target`): `external` (servers by URL), `local` (real pypiserver and
the Nexus stand-in as processes, the embedded default) and `docker` (containers of the
official or local images, one by one or from the compose file).

Adding a backend: subclass `base.Backend` in a module of its own, give it a `name` and a
`session(workdir)` context manager that yields a `Target`, and add it to `BACKENDS`.

The registry names modules, imported when their backend is used: a run against servers by URL
never loads the docker or local machinery (nor the migration steps they seed with).
"""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nexus_cutover.backends.base import Backend
    from nexus_cutover.config import Settings
    from nexus_cutover.target import Target

# name -> (module, class)
BACKENDS: dict[str, tuple[str, str]] = {
    "external": ("nexus_cutover.backends.external", "ExternalBackend"),
    "local": ("nexus_cutover.backends.local", "LocalBackend"),
    "docker": ("nexus_cutover.backends.docker", "DockerBackend"),
}


def get_backend(settings: Settings) -> Backend:
    module, name = BACKENDS[settings.backend]
    backend: type[Backend] = getattr(importlib.import_module(module), name)
    return backend(settings)


def open_target(settings: Settings, workdir: Path) -> AbstractContextManager[Target]:
    """The configured backend's target for one session (servers it starts stop after)."""
    return get_backend(settings).session(workdir)


__all__ = ["BACKENDS", "get_backend", "open_target"]
