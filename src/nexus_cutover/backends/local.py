"""The `local` backend: real pypiserver and the Nexus stand-in as processes on loopback.

Their state lives in one folder (`<state_dir>/local`), so `nexus-cutover up` can leave them
running and later runs reuse them; ports are kept across `down`/`up` so the sample client
files keep pointing at the running servers.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from nexus_cutover.backends import directory as ldap_directory
from nexus_cutover.backends.base import PROJECTS, Backend, StartedServices, prepare_secrets
from nexus_cutover.backends.processes import (
    LOOPBACK,
    RunningProcess,
    free_port,
    pid_alive,
    port_free,
    start_process,
)
from nexus_cutover.backends.readiness import HttpReady
from nexus_cutover.backends.seeding import (
    run_sample_migration,
    sample_dists,
    seed_packages,
    seed_projects,
    seed_straggler_job,
)
from nexus_cutover.config import Settings
from nexus_cutover.errors import ConfigError, CutoverError
from nexus_cutover.guardrails.stragglers import USER_AGENT_DEFAULT, server_options
from nexus_cutover.target import Target

STATE_FILE = "services.json"
PORTS_FILE = "ports.json"
MIGRATED_MARKER = "sample-migration.done"


@dataclass(frozen=True)
class Ports:
    nexus: int
    repository: int
    pypiserver: int

    @classmethod
    def kept_or_new(cls, root: Path) -> tuple[Ports, bool]:
        """The ports of the last start if all are free again (True), else new ones (False)."""
        saved = root / PORTS_FILE
        if saved.is_file():
            try:
                ports = cls(**json.loads(saved.read_text(encoding="utf-8")))
            except (ValueError, TypeError):
                ports = None
            if ports and all(map(port_free, (ports.nexus, ports.repository, ports.pypiserver))):
                return ports, True
        ports = cls(free_port(), free_port(), free_port())
        saved.write_text(json.dumps(ports.__dict__), encoding="utf-8")
        return ports, False


@dataclass(frozen=True)
class PypiserverProcess:
    """The local pypiserver as a service: stopped by decommission, started by rollback."""

    root: Path

    def running(self) -> bool:
        services = load_local(self.root)
        return services is not None and services.pypiserver_running()

    def start(self) -> None:
        services = _loaded(self.root)
        if not services.pypiserver_running():
            replace(services, pypiserver=start_pypiserver_for(services)).save()

    def stop(self) -> None:
        services = _loaded(self.root)
        if services.pypiserver is not None:
            services.pypiserver.stop()
        replace(services, pypiserver=None).save()


@dataclass(frozen=True)
class LocalServices(StartedServices):
    root: Path
    nexus: RunningProcess
    ports: Ports
    pypiserver: RunningProcess | None

    @property
    def nexus_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.nexus}"

    @property
    def repository_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.repository}"

    @property
    def pypiserver_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.pypiserver}"

    @property
    def migrated(self) -> bool:
        return (self.root / MIGRATED_MARKER).exists()

    def pypiserver_control(self) -> PypiserverProcess:
        return PypiserverProcess(self.root)

    @property
    def pypiserver_requests_log(self) -> Path:
        return requests_log(_pypiserver_log(self.root))

    def pypiserver_running(self) -> bool:
        return self.pypiserver is not None and pid_alive(self.pypiserver.pid)

    @property
    def directory(self) -> ldap_directory.Directory | None:
        """The LDAP directory (slapd) beside Nexus, when slapd is installed."""
        return ldap_directory.load_directory(self.directory_root)

    @property
    def directory_root(self) -> Path:
        return self.root / "directory"

    def target(self, settings: Settings) -> Target:
        """The common target; with a directory seeded here (running or not: a stopped one must
        fail the LDAP checks, not make them not applicable), LDAP is expected against it."""
        target = super().target(settings)
        port = ldap_directory.seeded_port(self.directory_root)
        if port is None:
            return target
        expected = ldap_directory.expectation(port, self.secrets_dir, target.expected)
        return replace(
            target,
            expected=target.expected.model_copy(update={"ldap": expected}),
            ldap_passwords=ldap_directory.passwords(self.secrets_dir),
        )

    def stop(self) -> None:
        if self.pypiserver is not None:
            self.pypiserver.stop()
        directory = self.directory
        if directory is not None:
            directory.stop()
        self.nexus.stop()
        (self.root / STATE_FILE).unlink(missing_ok=True)

    def save(self) -> None:
        state = {
            "nexus": {"pid": self.nexus.pid},
            "pypiserver": {"pid": self.pypiserver.pid if self.pypiserver else None},
            "ports": self.ports.__dict__,
        }
        (self.root / STATE_FILE).write_text(json.dumps(state, indent=2), encoding="utf-8")


def load_local(root: Path) -> LocalServices | None:
    """The services an earlier `up` left running in `root`, or None."""
    state_file = root / STATE_FILE
    if not state_file.exists():
        return None
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        old_pid = state["pypiserver"]["pid"]
        services = LocalServices(
            root,
            RunningProcess("nexus-standin", state["nexus"]["pid"], _standin_log(root)),
            Ports(**state["ports"]),
            RunningProcess("pypiserver", old_pid, _pypiserver_log(root)) if old_pid else None,
        )
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"{state_file}: unreadable local services state; run `nexus-cutover down`"
        ) from None
    alive = pid_alive(services.nexus.pid) and services.nexus.is_ours()
    return services if alive else None


def _loaded(root: Path) -> LocalServices:
    services = load_local(root)
    if services is None:
        raise CutoverError(f"no local services are running in {root}: `nexus-cutover up`")
    return services


def start_local(root: Path, seed: Iterable[Path] = ()) -> LocalServices:
    """Start pypiserver (seeded with `seed`) and the Nexus stand-in with state in `root`."""
    root.mkdir(parents=True, exist_ok=True)
    prepare_secrets(root / "secrets")
    ports, kept = Ports.kept_or_new(root)
    seed_packages(root / "pypiserver" / "packages", list(seed))
    seed_projects(root, fresh=not kept)
    seed_straggler_job(root / PROJECTS, f"http://{LOOPBACK}:{ports.pypiserver}")
    pypiserver = start_pypiserver(
        root / "pypiserver" / "packages",
        root / "secrets" / "htpasswd",
        ports.pypiserver,
        _pypiserver_log(root),
    )
    try:
        nexus = start_standin(root / "nexus-data", ports, root / "secrets" / "nexus-admin")
    except CutoverError:
        pypiserver.stop()
        raise
    try:
        ldap_directory.start_directory(root / "directory", root / "secrets")
    except CutoverError:
        pypiserver.stop()
        nexus.stop()
        raise
    services = LocalServices(root, nexus, ports, pypiserver)
    services.save()
    return services


def _standin_log(root: Path) -> Path:
    return root / "nexus-data" / "standin.out"


def _pypiserver_log(root: Path) -> Path:
    return root / "pypiserver" / "pypiserver.log"


def start_pypiserver_for(services: LocalServices) -> RunningProcess:
    return start_pypiserver(
        services.packages_dir,
        services.secrets_dir / "htpasswd",
        services.ports.pypiserver,
        _pypiserver_log(services.root),
    )


def requests_log(log: Path) -> Path:
    """Where a pypiserver started with output `log` writes its request log."""
    return log.with_suffix(".access.log")


def start_pypiserver(packages: Path, htpasswd: Path | None, port: int, log: Path) -> RunningProcess:
    """Real pypiserver, no fallback redirect to PyPI; uploads need the htpasswd user if given.

    Every request is logged with its client's address and User-Agent (guardrails/stragglers.py),
    so the suite sees who still fetches from it."""
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
        *server_options(requests_log(log)),
        str(packages),
    ]
    return start_process(
        "pypiserver",
        command,
        log,
        HttpReady(f"http://{LOOPBACK}:{port}/health"),
        timeout=30,
        env={**os.environ, **USER_AGENT_DEFAULT},
    )


@contextmanager
def scratch_pypiserver(packages: Path, workdir: Path) -> Iterator[str]:
    """An open pypiserver serving `packages` for as long as the block runs; yields its URL."""
    port = free_port()
    process = start_pypiserver(packages, None, port, workdir / "pypiserver.log")
    try:
        yield f"http://{LOOPBACK}:{port}"
    finally:
        process.stop()


def start_standin(
    data_dir: Path, ports: Ports, admin_password_file: Path, extra: Sequence[str] = ()
) -> RunningProcess:
    """The Nexus stand-in on the two ports; `extra` options (e.g. its usage-limit mode)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "nexus_standin",
        "--host",
        LOOPBACK,
        "--port",
        str(ports.nexus),
        "--repository-port",
        str(ports.repository),
        "--data-dir",
        str(data_dir),
        "--admin-password-file",
        str(admin_password_file),
        *extra,
    ]
    ready = HttpReady(f"http://{LOOPBACK}:{ports.nexus}/service/rest/v1/status/writable")
    return start_process("nexus-standin", command, data_dir / "standin.out", ready, timeout=60)


class LocalBackend(Backend):
    """Local processes; a session reuses what `up` left running, or starts its own."""

    name = "local"

    @property
    def root(self) -> Path:
        return self.settings.state_dir / "local"

    def running(self) -> LocalServices | None:
        return load_local(self.root)

    def up(self) -> LocalServices:
        """Start seeded services in the state folder and migrate the samples (idempotent)."""
        services = self.running()
        if services is None:
            services = start_local(self.root, sample_dists(self.settings))
        else:  # a directory that stopped on its own comes back with the others
            ldap_directory.start_directory(services.directory_root, services.secrets_dir)
        try:
            run_sample_migration(services, self.settings)
        except BaseException:
            services.stop()
            raise
        (services.root / MIGRATED_MARKER).write_text("ok\n", encoding="utf-8")
        return services

    def down(self) -> LocalServices | None:
        services = self.running()
        if services is not None:
            services.stop()
        return services

    @contextmanager
    def session(self, workdir: Path) -> Iterator[Target]:
        running = self.running()
        if running is not None:
            yield running.target(self.settings)
            return
        services = LocalBackend(self.settings.model_copy(update={"state_dir": workdir})).up()
        try:
            yield services.target(self.settings)
        finally:
            services.stop()
