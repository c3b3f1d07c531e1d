"""Backends that bring up the two servers and yield a Target.

`local`: real pypiserver (installed from PyPI) and the Nexus stand-in, as processes on
loopback. Their state lives in one folder, so `nexus-cutover up` can leave them running and
later runs reuse them.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from nexus_cutover.config import Settings
from nexus_cutover.errors import ConfigError, CutoverError
from nexus_cutover.processes import (
    LOOPBACK,
    RunningProcess,
    free_port,
    http_ok,
    pid_alive,
    start_process,
)
from nexus_cutover.target import Credentials, NexusEndpoint, PypiserverEndpoint, Target

PYPISERVER_UPLOADER = "uploader"
NEXUS_ADMIN = "admin"


class Services(Protocol):
    """What a backend that starts servers offers (local processes or containers)."""

    @property
    def root(self) -> Path: ...
    @property
    def packages_dir(self) -> Path: ...
    @property
    def nexus_data(self) -> Path: ...
    @property
    def pypiserver_url(self) -> str: ...
    @property
    def nexus_url(self) -> str: ...
    def target(self, settings: Settings) -> Target: ...
    def stop(self) -> None: ...


@dataclass(frozen=True)
class LocalServices:
    root: Path
    nexus: RunningProcess
    nexus_port: int
    repository_port: int
    pypiserver: RunningProcess | None
    pypiserver_port: int

    @property
    def packages_dir(self) -> Path:
        return self.root / "pypiserver" / "packages"

    @property
    def nexus_data(self) -> Path:
        return self.root / "nexus-data"

    @property
    def nexus_url(self) -> str:
        return f"http://{LOOPBACK}:{self.nexus_port}"

    @property
    def repository_url(self) -> str:
        return f"http://{LOOPBACK}:{self.repository_port}"

    @property
    def pypiserver_url(self) -> str:
        return f"http://{LOOPBACK}:{self.pypiserver_port}"

    def alive(self) -> bool:
        return pid_alive(self.nexus.pid) and (
            self.pypiserver is None or pid_alive(self.pypiserver.pid)
        )

    def target(self, settings: Settings) -> Target:
        nexus_log = self.nexus_data / "log" / "nexus.log"
        return started_target(
            "local", self, settings, self.repository_url,
            lambda: nexus_log.read_text(encoding="utf-8").splitlines(),
        )

    def stop_pypiserver(self) -> LocalServices:
        if self.pypiserver is not None:
            self.pypiserver.stop()
        stopped = LocalServices(
            self.root, self.nexus, self.nexus_port, self.repository_port, None, self.pypiserver_port
        )
        stopped.save()
        return stopped

    def stop(self) -> None:
        if self.pypiserver is not None:
            self.pypiserver.stop()
        self.nexus.stop()
        (self.root / "services.json").unlink(missing_ok=True)

    def save(self) -> None:
        state = {
            "nexus": {
                "pid": self.nexus.pid,
                "port": self.nexus_port,
                "repository_port": self.repository_port,
            },
            "pypiserver": {
                "pid": self.pypiserver.pid if self.pypiserver else None,
                "port": self.pypiserver_port,
            },
        }
        (self.root / "services.json").write_text(json.dumps(state, indent=2), encoding="utf-8")


def started_target(
    backend: str, services: Services, settings: Settings, repository_url: str,
    read_log: Callable[[], list[str]],
) -> Target:
    """The Target of servers this project started: its own secrets, its packages folder."""
    secrets_dir = services.root / "secrets"
    return Target(
        backend=backend,
        nexus=NexusEndpoint(
            url=services.nexus_url,
            repository_url=repository_url,
            credentials=Credentials(NEXUS_ADMIN, _read(secrets_dir / "nexus-admin")),
            timeout=settings.nexus.timeout,
            read_log=read_log,
        ),
        pypiserver=PypiserverEndpoint(
            url=services.pypiserver_url,
            credentials=Credentials(PYPISERVER_UPLOADER, _read(secrets_dir / "pypiserver")),
            packages_dir=services.packages_dir,
        ),
        expected=settings.expected,
        clients=settings.clients,
        state_dir=services.root,
        read_only=settings.read_only,
    )


def load_local(root: Path) -> LocalServices | None:
    """The services an earlier `up` left running in `root`, or None."""
    state_file = root / "services.json"
    if not state_file.exists():
        return None
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        nexus, old = state["nexus"], state["pypiserver"]
        pypiserver = (
            RunningProcess("pypiserver", old["pid"], root / "pypiserver" / "pypiserver.log")
            if old["pid"]
            else None
        )
        services = LocalServices(
            root,
            RunningProcess("nexus-standin", nexus["pid"], root / "nexus-data" / "standin.out"),
            nexus["port"],
            nexus["repository_port"],
            pypiserver,
            old["port"],
        )
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"{state_file}: unreadable local services state; run `nexus-cutover down`"
        ) from None
    alive = pid_alive(services.nexus.pid) and services.nexus.is_ours()
    return services if alive else None


def start_local(root: Path, seed: Iterable[Path] = ()) -> LocalServices:
    """Start pypiserver (seeded with `seed`) and the Nexus stand-in with state in `root`."""
    root.mkdir(parents=True, exist_ok=True)
    secrets_dir = prepare_secrets(root / "secrets")
    packages = root / "pypiserver" / "packages"
    packages.mkdir(parents=True, exist_ok=True)
    for path in seed:
        if not (packages / path.name).exists():
            shutil.copy2(path, packages / path.name)
    pypiserver_port = free_port()
    pypiserver = start_pypiserver(
        packages, secrets_dir / "htpasswd", pypiserver_port, root / "pypiserver" / "pypiserver.log"
    )
    nexus_port, repository_port = free_port(), free_port()
    try:
        nexus = start_standin(
            root / "nexus-data", nexus_port, repository_port, secrets_dir / "nexus-admin"
        )
    except CutoverError:
        pypiserver.stop()
        raise
    services = LocalServices(root, nexus, nexus_port, repository_port, pypiserver, pypiserver_port)
    services.save()
    return services


def start_pypiserver(packages: Path, htpasswd: Path | None, port: int, log: Path) -> RunningProcess:
    """Real pypiserver, no fallback redirect to PyPI; uploads need the htpasswd user if given."""
    auth = ["-P", str(htpasswd), "-a", "update"] if htpasswd else ["-P", ".", "-a", "."]
    command = [
        sys.executable,
        "-m",
        "pypiserver",
        "run",
        "-i",
        LOOPBACK,
        "-p",
        str(port),
        *auth,
        "--disable-fallback",
        "--hash-algo",
        "sha256",
        "--log-file",
        str(log.with_suffix(".access.log")),
        "-v",
        str(packages),
    ]
    return start_process(
        "pypiserver", command, log, http_ok(f"http://{LOOPBACK}:{port}/health"), timeout=30
    )


def start_standin(
    data_dir: Path, port: int, repository_port: int, admin_password_file: Path
) -> RunningProcess:
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "nexus_standin",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--repository-port",
        str(repository_port),
        "--data-dir",
        str(data_dir),
        "--admin-password-file",
        str(admin_password_file),
    ]
    ready = http_ok(f"http://{LOOPBACK}:{port}/service/rest/v1/status/writable")
    return start_process("nexus-standin", command, data_dir / "standin.out", ready, timeout=60)


def prepare_secrets(folder: Path) -> Path:
    """Random passwords in files only the owner can read; an htpasswd file for pypiserver."""
    from passlib.apache import HtpasswdFile

    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for name in ("nexus-admin", "pypiserver"):
        path = folder / name
        if not path.exists():
            path.write_text(secrets.token_urlsafe(18) + "\n", encoding="utf-8")
            path.chmod(0o600)
    htpasswd = HtpasswdFile(str(folder / "htpasswd"), new=True)
    htpasswd.set_password(PYPISERVER_UPLOADER, _read(folder / "pypiserver"))
    htpasswd.save()
    return folder


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def external_target(settings: Settings) -> Target:
    """The user's own servers, from the configuration; nothing is started or stopped."""
    nexus_password = settings.nexus_password.get_secret_value() if settings.nexus_password else None
    old_password = (
        settings.pypiserver_password.get_secret_value() if settings.pypiserver_password else None
    )
    log_file = settings.nexus.log_file
    return Target(
        backend="external",
        nexus=NexusEndpoint(
            url=settings.nexus.url.rstrip("/"),
            repository_url=settings.nexus.repository_base,
            credentials=Credentials(settings.nexus.user, nexus_password)
            if nexus_password
            else None,
            timeout=settings.nexus.timeout,
            ca_bundle=settings.nexus.ca_bundle,
            read_log=(lambda: log_file.read_text(encoding="utf-8").splitlines())
            if log_file
            else None,
        ),
        pypiserver=PypiserverEndpoint(
            url=settings.pypiserver.url.rstrip("/") if settings.pypiserver.url else None,
            credentials=Credentials(settings.pypiserver.user or "", old_password)
            if old_password
            else None,
            packages_dir=settings.pypiserver.packages_dir,
        ),
        expected=settings.expected,
        clients=settings.clients,
        state_dir=settings.state_dir,
        read_only=settings.read_only,
    )
