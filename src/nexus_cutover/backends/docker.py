"""The `docker` backend: Nexus and pypiserver as containers, started through testcontainers.

Defaults are the official images, `sonatype/nexus3` and `pypiserver/pypiserver`; any image
that keeps their contract works (Nexus: data in /nexus-data with etc/nexus.properties,
`NEXUS_SECURITY_RANDOMPASSWORD`; pypiserver: arguments passed to `pypi-server`, packages in
/data/packages). Where no registry can be reached, `.ci/docker-setup` builds such images
locally (LOCAL_NEXUS_IMAGE runs the Nexus stand-in).

On the host network (the default) each server listens on 127.0.0.1 at a port of its own;
otherwise the container port is published on 127.0.0.1. pypiserver's packages folder and
Nexus's data folder are bind mounts under the state folder, so the sample packages are seeded
as files, the local backend's migration code reads them unchanged, and the containers'
state can be reused by a later run (`load_docker`).
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from nexus_cutover.backends.base import Backend, StartedServices, prepare_secrets, write_secret
from nexus_cutover.backends.logs import tail
from nexus_cutover.backends.processes import LOOPBACK, free_port
from nexus_cutover.backends.readiness import HttpReady, wait_until_responsive
from nexus_cutover.backends.seeding import (
    run_sample_migration,
    sample_dists,
    seed_packages,
    seed_projects,
)
from nexus_cutover.config import DockerSettings, Settings
from nexus_cutover.errors import ConfigError, ServiceStartError
from nexus_cutover.target import Target

# Built by .ci/docker-setup from Debian's packages and PyPI; never pulled.
LOCAL_NEXUS_IMAGE = "nexus-cutover/nexus-standin:latest"
LOCAL_PYPISERVER_IMAGE = "nexus-cutover/pypiserver:latest"
LOCAL_PYTHON_IMAGE = "nexus-cutover/python:3.11"

# Off the host network the server listens in its own namespace; only 127.0.0.1 is published.
CONTAINER_INTERFACES = "0.0.0.0"  # noqa: S104
NEXUS_PORT_IN_CONTAINER = 8081
PYPISERVER_PORT_IN_CONTAINER = 8080
NEXUS_UID = 200  # the official image runs Nexus as nexus (200); /nexus-data must be its
PYPISERVER_UID = 9898
ADMIN123 = "admin123"  # Nexus's admin password when NEXUS_SECURITY_RANDOMPASSWORD=false
STATE_FILE = "docker-services.json"
NAME_PREFIX = "nexus-cutover"
LOG_TAIL_LINES = 25


def local_images(settings: DockerSettings | None = None) -> DockerSettings:
    """The images .ci/docker-setup builds; nothing is pulled."""
    return (settings or DockerSettings()).model_copy(
        update={
            "nexus_image": LOCAL_NEXUS_IMAGE,
            "pypiserver_image": LOCAL_PYPISERVER_IMAGE,
            "pull": False,
        }
    )


@dataclass(frozen=True)
class ContainerRef:
    name: str
    id: str


@dataclass(frozen=True)
class PypiserverContainer:
    """The pypiserver container as a service: decommission removes it (it is not restarted:
    rollback on the docker backend is the user's `docker run`)."""

    root: Path

    def running(self) -> bool:
        services = load_docker(self.root)
        return bool(
            services and services.pypiserver and container_status(services.pypiserver) == "running"
        )

    def start(self) -> None:
        raise ServiceStartError(
            "the docker backend does not restart pypiserver; start its container again"
            " (`docker compose up -d pypi-server`)"
        )

    def stop(self) -> None:
        services = load_docker(self.root)
        if services is not None and services.pypiserver is not None:
            remove_container(services.pypiserver, timeout=10)
            replace(services, pypiserver=None).save()


@dataclass(frozen=True)
class DockerServices(StartedServices):
    root: Path
    nexus: ContainerRef
    nexus_port: int
    pypiserver: ContainerRef | None
    pypiserver_port: int

    @property
    def nexus_url(self) -> str:
        return f"http://{LOOPBACK}:{self.nexus_port}"

    @property
    def repository_url(self) -> str:
        return self.nexus_url  # Nexus serves REST and repositories on its one HTTP port

    @property
    def pypiserver_url(self) -> str:
        return f"http://{LOOPBACK}:{self.pypiserver_port}"

    def pypiserver_control(self) -> PypiserverContainer:
        return PypiserverContainer(self.root)

    def alive(self) -> bool:
        running = [self.nexus] + ([self.pypiserver] if self.pypiserver else [])
        return all(container_status(ref) == "running" for ref in running)

    def stop(self) -> None:
        if self.pypiserver is not None:
            remove_container(self.pypiserver, timeout=10)
        remove_container(self.nexus, timeout=120)  # the Nexus image asks for up to 120 s
        (self.root / STATE_FILE).unlink(missing_ok=True)

    def save(self) -> None:
        state = {
            "nexus": {"name": self.nexus.name, "id": self.nexus.id, "port": self.nexus_port},
            "pypiserver": {
                "name": self.pypiserver.name if self.pypiserver else None,
                "id": self.pypiserver.id if self.pypiserver else None,
                "port": self.pypiserver_port,
            },
        }
        (self.root / STATE_FILE).write_text(json.dumps(state, indent=2), encoding="utf-8")


def docker_unavailable() -> str | None:
    """Why no Docker engine can be used from here, or None when one answers."""
    try:
        docker = _sdk()
    except ImportError:
        return "the `docker` Python package is missing: pip install 'nexus-cutover[docker]'"
    try:
        client = docker.from_env(timeout=10)
        try:
            client.ping()
        finally:
            client.close()
    except Exception:  # the SDK raises many kinds, all meaning "no engine here"
        where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        return f"no Docker engine answers at {where}: start one (dockerd) or set DOCKER_HOST"
    return None


def missing_images(images: Iterable[str]) -> list[str]:
    with _client() as client:
        return [image for image in images if not _image_present(client, image)]


def start_docker(
    settings: Settings,
    root: Path,
    seed: Iterable[Path] | None = None,
    *,
    nexus_port: int | None = None,
    pypiserver_port: int | None = None,
) -> DockerServices:
    """pypiserver seeded with `seed` (default: the sample packages) and an empty Nexus, as
    containers of `settings.docker`'s images, with the sample projects beside them."""
    options = settings.docker
    root.mkdir(parents=True, exist_ok=True)
    prepare_secrets(root / "secrets")
    seed_packages(
        root / "pypiserver" / "packages",
        list(sample_dists(settings) if seed is None else seed),
    )
    seed_projects(root, fresh=False)
    with _client() as client:
        for image in (options.nexus_image, options.pypiserver_image):
            _ensure_image(client, image, options.pull)
    suffix = secrets.token_hex(4)
    pypiserver_port = pypiserver_port or free_port()
    pypiserver = _start_pypiserver(root, options, pypiserver_port, suffix)
    nexus_port = nexus_port or free_port()
    try:
        nexus = _start_nexus(root, options, nexus_port, suffix)
    except BaseException:
        remove_container(pypiserver, timeout=10)
        raise
    services = DockerServices(root, nexus, nexus_port, pypiserver, pypiserver_port)
    services.save()
    return services


def load_docker(root: Path) -> DockerServices | None:
    """The containers an earlier run left running for `root`, or None."""
    state_file = root / STATE_FILE
    if not state_file.exists():
        return None
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        nexus, old = state["nexus"], state["pypiserver"]
        services = DockerServices(
            root,
            ContainerRef(nexus["name"], nexus["id"]),
            int(nexus["port"]),
            ContainerRef(old["name"], old["id"]) if old["id"] else None,
            int(old["port"]),
        )
    except (ValueError, KeyError, TypeError):
        raise ConfigError(f"{state_file}: unreadable docker services state; remove it") from None
    return services if container_status(services.nexus) == "running" else None


def _start_pypiserver(root: Path, options: DockerSettings, port: int, suffix: str) -> ContainerRef:
    """Real pypiserver: no fallback redirect to PyPI, uploads need the htpasswd user."""
    host, inner_port = (
        (LOOPBACK, port)
        if options.network == "host"
        else (CONTAINER_INTERFACES, PYPISERVER_PORT_IN_CONTAINER)
    )
    htpasswd = _htpasswd_for_container(root)
    host_network = options.network == "host"
    command = [
        "run",
        "-i",
        host,
        "-p",
        str(inner_port),
        "-P",
        "/data/auth/htpasswd",
        "-a",
        "update",
        "--disable-fallback",
        "--hash-algo",
        "sha256",
        "-v",
        "/data/packages",
    ]
    ref = _run_container(
        options,
        options.pypiserver_image,
        f"{NAME_PREFIX}-pypiserver-{suffix}",
        command=command,
        env={},
        init=True,
        volumes=[
            (root / "pypiserver" / "packages", "/data/packages", "rw"),
            (htpasswd, "/data/auth/htpasswd", "ro"),
        ],
        publish=None if host_network else (inner_port, port),
    )
    _wait_ready(
        ref, f"http://{LOOPBACK}:{port}/health", options.pypiserver_start_timeout, "pypiserver"
    )
    return ref


def _start_nexus(root: Path, options: DockerSettings, port: int, suffix: str) -> ContainerRef:
    data = root / "nexus-data"
    host_network = options.network == "host"
    _prepare_nexus_data(data, port if host_network else None)
    env = {} if options.random_admin_password else {"NEXUS_SECURITY_RANDOMPASSWORD": "false"}
    ref = _run_container(
        options,
        options.nexus_image,
        f"{NAME_PREFIX}-nexus-{suffix}",
        command=None,
        env=env,
        volumes=[(data, "/nexus-data", "rw")],
        publish=None if host_network else (NEXUS_PORT_IN_CONTAINER, port),
    )
    _wait_ready(
        ref,
        f"http://{LOOPBACK}:{port}/service/rest/v1/status/writable",
        options.nexus_start_timeout,
        "Nexus",
    )
    password = (
        _wait_for_admin_password(ref, data / "admin.password")
        if options.random_admin_password
        else ADMIN123
    )
    write_secret(root / "secrets" / "nexus-admin", password)
    return ref


def _run_container(
    options: DockerSettings,
    image: str,
    name: str,
    *,
    command: list[str] | None,
    env: Mapping[str, str],
    volumes: list[tuple[Path, str, str]],
    publish: tuple[int, int] | None,
    init: bool = False,
) -> ContainerRef:
    from testcontainers.core.config import testcontainers_config
    from testcontainers.core.container import DockerContainer

    # Ryuk, testcontainers' reaper, is an image of its own (not pullable here) and would end
    # the containers with this process; `stop()` removes them, and `up` may keep them.
    testcontainers_config.ryuk_disabled = True
    kwargs: dict[str, Any] = {"network": options.network}
    if init:
        # pypiserver has no SIGTERM handler, and as PID 1 it would only die by SIGKILL.
        kwargs["init"] = True
    container = DockerContainer(image).with_name(name).with_kwargs(**kwargs)
    for key, value in env.items():
        container.with_env(key, value)
    for host_path, container_path, mode in volumes:
        container.with_volume_mapping(str(host_path), container_path, mode)
    if command:
        container.with_command(command)
    if publish:
        inner, outer = publish
        # docker-py takes (ip, port); testcontainers' annotation only knows a port.
        cast(Any, container).with_bind_ports(inner, (LOOPBACK, outer))
    try:
        container.start()
    except Exception as error:
        raise ServiceStartError(f"cannot start a container from {image}: {error}") from None
    return ContainerRef(name, str(container.get_wrapped_container().id))


def _wait_ready(ref: ContainerRef, url: str, timeout: float, what: str) -> None:
    """Wait until `url` answers 200; remove the container and raise with its log otherwise."""

    def died() -> str | None:
        status = container_status(ref)
        return f"container {ref.name} stopped ({status})" if status in STOPPED else None

    try:
        wait_until_responsive(
            HttpReady(url),
            what=what,
            timeout=timeout,
            pause=0.5,
            died=died,
            log_tail=lambda: log_tail(ref),
        )
    except ServiceStartError:
        remove_container(ref, timeout=10)
        raise


STOPPED = ("exited", "dead", "removed")


def _wait_for_admin_password(ref: ContainerRef, path: Path, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_file() and path.read_text(encoding="utf-8").strip():
            return _read(path)
        time.sleep(0.5)
    tail = log_tail(ref)
    raise ServiceStartError(
        f"Nexus wrote no {path} within {timeout:.0f}s; set"
        f" random_admin_password=False; last lines of its log:\n{tail}"
    )


def container_log(ref: ContainerRef) -> str:
    """The container's stdout and stderr; OSError when it cannot be read (gone, no engine)."""
    docker = _sdk()

    try:
        with _client() as client:
            raw = client.containers.get(ref.id).logs(stdout=True, stderr=True)
    except docker.errors.DockerException as error:
        raise OSError(f"cannot read the log of container {ref.name}: {error}") from None
    return bytes(raw).decode("utf-8", errors="replace")


def log_tail(ref: ContainerRef, lines: int = LOG_TAIL_LINES) -> str:
    try:
        return tail(container_log(ref), lines)
    except OSError as error:
        return f"({error})"


def container_status(ref: ContainerRef) -> str:
    """`running`, `exited`, ...; `removed` when the engine no longer knows the container."""
    docker = _sdk()

    try:
        with _client() as client:
            return str(client.containers.get(ref.id).status)
    except docker.errors.NotFound:
        return "removed"


def remove_container(ref: ContainerRef, timeout: int) -> None:
    """Stop (SIGTERM, then SIGKILL after `timeout` s) and remove; gone already is fine."""
    docker = _sdk()

    try:
        with _client() as client:
            container = client.containers.get(ref.id)
            container.stop(timeout=timeout)
            container.remove(v=True)
    except docker.errors.NotFound:
        pass


def _sdk() -> ModuleType:
    """The Docker SDK (the `docker` extra). Looked up at run time: a folder named docker/ on
    sys.path (this repository has one) is a namespace package of that name, not the SDK."""
    module = importlib.import_module("docker")
    if not hasattr(module, "from_env"):
        raise ImportError("docker")
    return module


@contextmanager
def _client() -> Iterator[Any]:
    """A Docker SDK client, closed after use."""
    docker = _sdk()

    client = docker.from_env(timeout=180)
    try:
        yield client
    finally:
        client.close()


def _image_present(client: Any, image: str) -> bool:
    docker = _sdk()

    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def _ensure_image(client: Any, image: str, pull: bool) -> None:
    docker = _sdk()

    if _image_present(client, image):
        return
    if not pull:
        raise ServiceStartError(
            f"image {image} is not present and pulling is off (docker.pull = false):"
            " `docker pull` it, or run .ci/docker-setup and use the local images"
            f" ({LOCAL_NEXUS_IMAGE}, {LOCAL_PYPISERVER_IMAGE})"
        )
    try:
        client.images.pull(image)
    except docker.errors.DockerException as error:
        raise ServiceStartError(
            f"cannot pull {image}: {error}; where no registry is reachable run"
            " .ci/docker-setup and set NEXUS_CUTOVER_NEXUS_IMAGE/NEXUS_CUTOVER_PYPISERVER_IMAGE"
            " to its local images"
        ) from None


def _prepare_nexus_data(data: Path, host_port: int | None) -> None:
    """On the host network Nexus must listen on 127.0.0.1:<port>: nexus.properties says so."""
    properties = data / "etc" / "nexus.properties"
    properties.parent.mkdir(parents=True, exist_ok=True)
    keep = [
        line
        for line in (
            properties.read_text(encoding="utf-8").splitlines() if properties.exists() else []
        )
        if not line.startswith(("application-host", "application-port"))
    ]
    if host_port is not None:
        keep += [f"application-host={LOOPBACK}", f"application-port={host_port}"]
    properties.write_text("\n".join(keep) + "\n", encoding="utf-8")
    _hand_over(data, NEXUS_UID)


def _htpasswd_for_container(root: Path) -> Path:
    """A copy of the htpasswd file that pypiserver's user can read (secrets/ is 0700)."""
    copy = root / "pypiserver" / "htpasswd"
    shutil.copyfile(root / "secrets" / "htpasswd", copy)
    if os.geteuid() == 0:
        os.chown(copy, PYPISERVER_UID, PYPISERVER_UID)
        copy.chmod(0o600)
    else:
        copy.chmod(0o644)  # only hashes; a non-root user cannot give it to uid 9898
    return copy


def _hand_over(folder: Path, uid: int) -> None:
    """Make a bind-mounted folder writable for the container's user."""
    if os.geteuid() == 0:
        for path in (folder, *folder.rglob("*")):
            os.chown(path, uid, uid, follow_symlinks=False)
    else:
        folder.chmod(0o777)  # cannot chown without root; the container user creates the rest


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


class DockerBackend(Backend):
    """Containers of the configured images, started for a session and removed after it."""

    name = "docker"

    @contextmanager
    def session(self, workdir: Path) -> Iterator[Target]:
        reason = docker_unavailable()
        if reason:
            raise ServiceStartError(f"--backend docker: {reason}")
        settings = self.settings
        started: AbstractContextManager[StartedServices]
        if settings.docker.mode == "compose":
            from nexus_cutover.backends.compose import compose_services

            started = compose_services(settings, workdir)
        else:
            started = _containers(settings, workdir)
        with started as services:
            run_sample_migration(services, settings)
            yield services.target(settings)


@contextmanager
def _containers(settings: Settings, workdir: Path) -> Iterator[DockerServices]:
    services = start_docker(settings, workdir)
    try:
        yield services
    finally:
        services.stop()
