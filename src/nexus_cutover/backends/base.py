"""What every backend provides, and what servers this tool starts have in common.

A backend turns the settings into a `Target` for the length of a session (`Backend.session`),
starting and stopping servers where it owns them. `StartedServices` is the shared part of the
local and docker backends: one state folder holding the secrets, pypiserver's packages,
Nexus's data and the sample client projects, from which one `target()` is built.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from pathlib import Path
from typing import ClassVar

from nexus_cutover.config import ClientSettings, Settings
from nexus_cutover.target import (
    Credentials,
    NexusEndpoint,
    PypiserverEndpoint,
    ServiceControl,
    Target,
)

PYPISERVER_UPLOADER = "uploader"
NEXUS_ADMIN = "admin"
BACKUP_NAME = "pypi-packages-backup.tar.gz"
PROJECTS = "projects"  # the sample client projects, below a state folder
# The sample project that stands for a developer's home folder, not a committed project.
USER_CONFIG = "user-config"


class Backend(ABC):
    """One way to get the two servers: by URL, as local processes, or as containers."""

    name: ClassVar[str]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abstractmethod
    def session(self, workdir: Path) -> AbstractContextManager[Target]:
        """The target for one run; servers started here are stopped when it ends."""


class StartedServices(ABC):
    """Servers this tool started, with all their state below `root`."""

    root: Path

    @property
    def packages_dir(self) -> Path:
        return self.root / "pypiserver" / "packages"

    @property
    def nexus_data(self) -> Path:
        return self.root / "nexus-data"

    @property
    def projects_dir(self) -> Path:
        return self.root / PROJECTS

    @property
    def secrets_dir(self) -> Path:
        return self.root / "secrets"

    @property
    @abstractmethod
    def nexus_url(self) -> str: ...

    @property
    @abstractmethod
    def repository_url(self) -> str: ...

    @property
    @abstractmethod
    def pypiserver_url(self) -> str: ...

    @abstractmethod
    def pypiserver_control(self) -> ServiceControl: ...

    @property
    def pypiserver_requests_log(self) -> Path | None:
        """pypiserver's request log, when this backend writes one where checks can read it."""
        return None

    @abstractmethod
    def stop(self) -> None: ...

    def target(self, settings: Settings) -> Target:
        """The Target of these servers: their secrets, their packages, the sample projects."""
        return Target(
            backend=settings.backend,
            nexus=NexusEndpoint(
                url=self.nexus_url,
                repository_url=self.repository_url,
                credentials=Credentials(NEXUS_ADMIN, read_secret(self.secrets_dir, "nexus-admin")),
                timeout=settings.nexus.timeout,
                log_dir=self.nexus_data / "log",
                http=settings.http,
            ),
            pypiserver=PypiserverEndpoint(
                url=self.pypiserver_url,
                credentials=Credentials(
                    PYPISERVER_UPLOADER, read_secret(self.secrets_dir, "pypiserver")
                ),
                packages_dir=self.packages_dir,
                control=self.pypiserver_control(),
                http=settings.http,
                log_file=self.pypiserver_requests_log,
                straggler_hours=settings.pypiserver.straggler_hours,
            ),
            expected=settings.expected.model_copy(
                update={
                    "old_index_urls": (*settings.expected.old_index_urls, self.pypiserver_url),
                }
            ),
            clients=self._sample_clients(settings),
            state_dir=self.root,
            read_only=settings.read_only,
            config_file=settings.config_file,
        )

    def _sample_clients(self, settings: Settings) -> ClientSettings:
        projects = self.projects_dir
        user_config = projects / USER_CONFIG
        archives = sorted(self.packages_dir.parent.glob(f"{self.packages_dir.name}-archived-*"))
        return settings.clients.model_copy(
            update={
                "projects": tuple(
                    sorted(p for p in projects.iterdir() if p.is_dir() and p.name != USER_CONFIG)
                )
                if projects.is_dir()
                else (),
                "pip_config_files": (user_config / "pip.conf",) if user_config.is_dir() else (),
                "pypirc": user_config / ".pypirc" if user_config.is_dir() else None,
                "backup_archive": self.root / "backup" / BACKUP_NAME,
                "archive_dir": archives[-1] if archives else None,
            }
        )


def prepare_secrets(folder: Path) -> Path:
    """Random passwords in files only the owner can read; an htpasswd file for pypiserver."""
    from passlib.apache import HtpasswdFile

    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for name in ("nexus-admin", "pypiserver"):
        path = folder / name
        if not path.exists():
            write_secret(path, secrets.token_urlsafe(18))
    htpasswd = HtpasswdFile(str(folder / "htpasswd"), new=True)
    htpasswd.set_password(PYPISERVER_UPLOADER, read_secret(folder, "pypiserver"))
    htpasswd.save()
    return folder


def write_secret(path: Path, value: str) -> None:
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)


def read_secret(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8").strip()
