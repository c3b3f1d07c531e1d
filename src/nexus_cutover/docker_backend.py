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
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from nexus_cutover.config import Settings
from nexus_cutover.demo import SAMPLE_PROJECTS, sample_dists
from nexus_cutover.errors import ConfigError, ServiceStartError
from nexus_cutover.processes import LOOPBACK, free_port, http_ok
from nexus_cutover.services import prepare_secrets, started_target
from nexus_cutover.target import Target

# Pinned to current releases; override with DockerOptions or NEXUS_CUTOVER_*_IMAGE.
NEXUS_IMAGE = "sonatype/nexus3:3.95.2"
PYPISERVER_IMAGE = "pypiserver/pypiserver:v2.4.2"
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
LOG_TAIL_LINES = 25


@dataclass(frozen=True)
class DockerOptions:
    nexus_image: str = NEXUS_IMAGE
    pypiserver_image: str = PYPISERVER_IMAGE
    pull: bool = True  # pull an image that is missing; False: fail with a hint instead
    network: str = "host"
    nexus_port: int | None = None  # None: a free port
    pypiserver_port: int | None = None
    nexus_timeout: float = 300.0  # Nexus needs 1-3 minutes for a first start
    pypiserver_timeout: float = 60.0
    random_admin_password: bool = False  # True: read /nexus-data/admin.password, as users do
    name_prefix: str = "nexus-cutover"

    @classmethod
    def local_images(cls) -> DockerOptions:
        """The images .ci/docker-setup builds; nothing is pulled."""
        return cls(
            nexus_image=LOCAL_NEXUS_IMAGE, pypiserver_image=LOCAL_PYPISERVER_IMAGE, pull=False
        )

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str], base: DockerOptions | None = None
    ) -> DockerOptions:
        """`base` (default: the official images) changed by NEXUS_CUTOVER_* variables."""
        options = base or cls()
        changes: dict[str, Any] = {}
        for variable, name in (
            ("NEXUS_CUTOVER_NEXUS_IMAGE", "nexus_image"),
            ("NEXUS_CUTOVER_PYPISERVER_IMAGE", "pypiserver_image"),
            ("NEXUS_CUTOVER_DOCKER_NETWORK", "network"),
        ):
            if env.get(variable):
                changes[name] = env[variable]
        if env.get("NEXUS_CUTOVER_DOCKER_PULL"):
            changes["pull"] = _flag(env, "NEXUS_CUTOVER_DOCKER_PULL")
        if env.get("NEXUS_CUTOVER_NEXUS_START_TIMEOUT"):
            changes["nexus_timeout"] = _number(env, "NEXUS_CUTOVER_NEXUS_START_TIMEOUT")
        if env.get("NEXUS_CUTOVER_NEXUS_RANDOM_PASSWORD"):
            changes["random_admin_password"] = _flag(env, "NEXUS_CUTOVER_NEXUS_RANDOM_PASSWORD")
        return replace(options, **changes)

    @property
    def host_network(self) -> bool:
        return self.network == "host"


def _flag(env: Mapping[str, str], variable: str) -> bool:
    value = env[variable].strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{variable}={env[variable]!r}: expected 1/true/yes or 0/false/no")


def _number(env: Mapping[str, str], variable: str) -> float:
    try:
        return float(env[variable])
    except ValueError:
        raise ConfigError(f"{variable}={env[variable]!r}: expected a number of seconds") from None


@dataclass(frozen=True)
class ContainerRef:
    name: str
    id: str


@dataclass(frozen=True)
class DockerServices:
    root: Path
    nexus: ContainerRef
    nexus_port: int
    pypiserver: ContainerRef | None
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
        return self.nexus_url  # Nexus serves REST and repositories on its one HTTP port

    @property
    def pypiserver_url(self) -> str:
        return f"http://{LOOPBACK}:{self.pypiserver_port}"

    def read_nexus_log(self) -> list[str]:
        """What `docker logs <nexus>` shows: the guide's troubleshooting step reads it."""
        return container_log(self.nexus).splitlines()

    def target(self, settings: Settings) -> Target:
        return started_target("docker", self, settings, self.repository_url,
                              self.read_nexus_log)

    def alive(self) -> bool:
        running = [self.nexus] + ([self.pypiserver] if self.pypiserver else [])
        return all(container_status(ref) == "running" for ref in running)

    def stop_pypiserver(self) -> DockerServices:
        if self.pypiserver is not None:
            remove_container(self.pypiserver, timeout=10)
        stopped = replace(self, pypiserver=None)
        stopped.save()
        return stopped

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
    except Exception as error:  # the SDK raises many kinds for "no engine"
        return f"no Docker engine answers ({type(error).__name__}: {error})"
    return None


def missing_images(images: Iterable[str]) -> list[str]:
    with _client() as client:
        return [image for image in images if not _image_present(client, image)]


def start_docker(
    settings: Settings,
    root: Path,
    options: DockerOptions | None = None,
    seed: Iterable[Path] | None = None,
) -> DockerServices:
    """pypiserver seeded with `seed` (default: the sample packages) and an empty Nexus.

    Like `demo.start_seeded`: the sample projects are copied into `root/projects`, so
    `demo.run_sample_migration` migrates the result as it does for the local backend.
    """
    options = options or DockerOptions()
    root.mkdir(parents=True, exist_ok=True)
    prepare_secrets(root / "secrets")
    _seed_packages(
        root / "pypiserver" / "packages", sample_dists(settings) if seed is None else seed
    )
    projects = root / "projects"
    if SAMPLE_PROJECTS.is_dir() and not projects.exists():
        shutil.copytree(SAMPLE_PROJECTS, projects)
    with _client() as client:
        for image in (options.nexus_image, options.pypiserver_image):
            _ensure_image(client, image, options.pull)
    suffix = secrets.token_hex(4)
    pypiserver_port = options.pypiserver_port or free_port()
    pypiserver = _start_pypiserver(root, options, pypiserver_port, suffix)
    nexus_port = options.nexus_port or free_port()
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


def _start_pypiserver(root: Path, options: DockerOptions, port: int, suffix: str) -> ContainerRef:
    """Real pypiserver: no fallback redirect to PyPI, uploads need the htpasswd user."""
    host, inner_port = (
        (LOOPBACK, port)
        if options.host_network
        else (CONTAINER_INTERFACES, PYPISERVER_PORT_IN_CONTAINER)
    )
    htpasswd = _htpasswd_for_container(root)
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
        f"{options.name_prefix}-pypiserver-{suffix}",
        command=command,
        env={},
        init=True,
        volumes=[
            (root / "pypiserver" / "packages", "/data/packages", "rw"),
            (htpasswd, "/data/auth/htpasswd", "ro"),
        ],
        publish=None if options.host_network else (inner_port, port),
    )
    _wait_ready(ref, f"http://{LOOPBACK}:{port}/health", options.pypiserver_timeout, "pypiserver")
    return ref


def _start_nexus(root: Path, options: DockerOptions, port: int, suffix: str) -> ContainerRef:
    data = root / "nexus-data"
    _prepare_nexus_data(data, port if options.host_network else None)
    env = {} if options.random_admin_password else {"NEXUS_SECURITY_RANDOMPASSWORD": "false"}
    ref = _run_container(
        options,
        options.nexus_image,
        f"{options.name_prefix}-nexus-{suffix}",
        command=None,
        env=env,
        volumes=[(data, "/nexus-data", "rw")],
        publish=None if options.host_network else (NEXUS_PORT_IN_CONTAINER, port),
    )
    _wait_ready(
        ref,
        f"http://{LOOPBACK}:{port}/service/rest/v1/status/writable",
        options.nexus_timeout,
        "Nexus",
    )
    password = (
        _wait_for_admin_password(ref, data / "admin.password")
        if options.random_admin_password
        else ADMIN123
    )
    _write_secret(root / "secrets" / "nexus-admin", password)
    return ref


def _run_container(
    options: DockerOptions,
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
    """Poll `url` until it answers 200; stop the container and raise with its log otherwise."""
    ready = http_ok(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = container_status(ref)
        if status in ("exited", "dead", "removed"):
            message = f"{what} container {ref.name} stopped ({status}) while starting"
            break
        if ready():
            return
        time.sleep(0.5)
    else:
        message = f"{what} container {ref.name} did not answer {url} within {timeout:.0f}s"
    tail = log_tail(ref)
    remove_container(ref, timeout=10)
    raise ServiceStartError(f"{message}; last lines of its log:\n{tail}")


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
        text = container_log(ref)
    except OSError as error:
        return f"({error})"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


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
    """The Docker SDK, looked up at run time: for mypy, this repository's docker/ folder (a
    namespace package) shadows it."""
    return importlib.import_module("docker")


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
            f"image {image} is not present and pulling is off (NEXUS_CUTOVER_DOCKER_PULL=0):"
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


def _seed_packages(packages: Path, seed: Iterable[Path]) -> None:
    packages.mkdir(parents=True, exist_ok=True)
    for path in seed:
        if not (packages / path.name).exists():
            shutil.copy2(path, packages / path.name)


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


def _write_secret(path: Path, value: str) -> None:
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()
