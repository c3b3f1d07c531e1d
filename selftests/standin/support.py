"""Helpers for the stand-in self-tests: processes on loopback, isolated pip/twine, test dists."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from packaging.utils import canonicalize_name

LOOPBACK = "127.0.0.1"
BIN = Path(sys.executable).parent
START_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def wait_for_http(
    url: str, process: subprocess.Popen[bytes], timeout: float, logs: Sequence[Path]
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    stop_process(process)
    details = "\n".join(f"--- {log}\n{tail(log)}" for log in logs)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s\n{details}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@dataclass
class StandIn:
    """A running nexus-standin: REST on `port`, repositories (also) on `repository_port`."""

    data_dir: Path
    port: int
    repository_port: int
    admin_password: str
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def admin(self) -> tuple[str, str]:
        return ("admin", self.admin_password)

    def rest(self, path: str) -> str:
        return f"{self.base_url}/service/rest/{path.lstrip('/')}"

    def repo_url(self, name: str) -> str:
        return f"http://{LOOPBACK}:{self.repository_port}/repository/{name}/"

    def index_url(self, name: str) -> str:
        return self.repo_url(name) + "simple"

    @property
    def nexus_log(self) -> Path:
        return self.data_dir / "log" / "nexus.log"

    @property
    def request_log(self) -> Path:
        return self.data_dir / "log" / "request.log"

    @property
    def outbound_log(self) -> Path:
        return self.data_dir / "log" / "outbound-request.log"

    def outbound_lines(self, containing: str) -> list[str]:
        """Lines of outbound-request.log that mention `containing` (a URL or part of one)."""
        if not self.outbound_log.exists():
            return []
        return [line for line in self.outbound_log.read_text().splitlines() if containing in line]

    def api(self, username: str = "admin", password: str | None = None) -> Any:
        """A nexus-api-client ApiClient logged in (admin by default)."""
        from nexus_api_client import ApiClient, Configuration

        configuration = Configuration(
            host=f"{self.base_url}/service/rest",
            username=username,
            password=password if password is not None else self.admin_password,
        )
        return ApiClient(configuration)


def start_standin(
    data_dir: Path,
    *extra: str,
    admin_password_file: Path | None = None,
    ready: str = "v1/status/writable",
) -> StandIn:
    """Start and wait until `ready` answers 200 (a read-only node never gets writable)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port, repository_port = free_port(), free_port()
    command = [
        str(BIN / "nexus-standin"),
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--repository-port",
        str(repository_port),
        "--data-dir",
        str(data_dir),
        *extra,
    ]
    if admin_password_file is not None:
        command += ["--admin-password-file", str(admin_password_file)]
    out = data_dir / "standin.out"
    with out.open("ab") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    wait_for_http(
        f"http://{LOOPBACK}:{port}/service/rest/{ready}",
        process,
        START_TIMEOUT,
        [out, data_dir / "log" / "nexus.log"],
    )
    password = (
        admin_password_file.read_text().strip()
        if admin_password_file
        else (data_dir / "admin.password").read_text().strip()
    )
    return StandIn(data_dir, port, repository_port, password, process)


@dataclass
class PyPIServer:
    url: str
    packages: Path
    process: subprocess.Popen[bytes]

    def add(self, path: Path) -> None:
        (self.packages / path.name).write_bytes(path.read_bytes())


def start_pypiserver(packages: Path, log: Path, files: Sequence[Path]) -> PyPIServer:
    packages.mkdir(parents=True, exist_ok=True)
    for path in files:
        (packages / path.name).write_bytes(path.read_bytes())
    port = free_port()
    command = [
        str(BIN / "pypi-server"),
        "run",
        "-i",
        LOOPBACK,
        "-p",
        str(port),
        "-a",
        ".",
        "-P",
        ".",
        "--disable-fallback",
        str(packages),
    ]
    with log.open("ab") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://{LOOPBACK}:{port}/"
    wait_for_http(url + "health", process, START_TIMEOUT, [log])
    return PyPIServer(url, packages, process)


class StaticSite:
    """A plain HTTP server on loopback (in this process) serving fixed pages: a remote whose
    answers a test chooses. Unknown paths are 404. Stopped with `stop()`."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if site.failing:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = site.pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def do_HEAD(self) -> None:
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                site.requests.append(self.path)

        self.pages = dict(pages)
        self.failing = False  # answer 503 to every GET
        self.requests: list[str] = []
        self.server = http.server.ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def project_page(*links: str) -> bytes:
    """A PEP 503 project page linking the given URLs (file name = last path segment)."""
    anchors = "".join(f'<a href="{url}">{url.rsplit("/", 1)[-1]}</a><br/>' for url in links)
    return f"<html><body>{anchors}</body></html>".encode()


# -- isolated clients ---------------------------------------------------------------------------


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """No trace of this machine's pip configuration: only PATH, a scratch HOME and CA settings."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
        "HOME": str(home),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INPUT": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(extra)
    return env


def run(
    command: Sequence[str], env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def pip(python: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([str(python), "-m", "pip", *args, "--no-cache-dir"], clean_env(home))


def pip_report(python: Path, home: Path, index_url: str, *requirements: str) -> dict[str, str]:
    """{project: download URL} that pip would install from `index_url`."""
    result = pip(
        python,
        home,
        "install",
        "--dry-run",
        "--ignore-installed",
        "--quiet",
        "--report",
        "-",
        "--index-url",
        index_url,
        *requirements,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    return {
        canonicalize_name(item["metadata"]["name"]): item["download_info"]["url"]
        for item in report["install"]
    }


def twine_upload(
    home: Path, repository_url: str, user: str, password: str, *files: Path
) -> subprocess.CompletedProcess[str]:
    config = home / "pypirc"
    home.mkdir(parents=True, exist_ok=True)
    config.write_text("[distutils]\nindex-servers =\n", encoding="utf-8")
    # Wide, plain output so messages are not wrapped by rich.
    env = clean_env(home, TWINE_USERNAME=user, TWINE_PASSWORD=password, COLUMNS="400", NO_COLOR="1")
    return run(
        [
            str(BIN / "twine"),
            "upload",
            "--config-file",
            str(config),
            "--non-interactive",
            "--disable-progress-bar",
            "--verbose",
            "--repository-url",
            repository_url,
            *map(str, files),
        ],
        env,
    )


def make_virtualenv(target: Path) -> Path:
    result = run(
        [sys.executable, "-m", "virtualenv", "--quiet", "--no-periodic-update", str(target)],
        clean_env(target.parent / "venv-home"),
    )
    assert result.returncode == 0, result.stderr
    return target / "bin" / "python"


# -- test distributions -------------------------------------------------------------------------


@dataclass
class Dists:
    """Distribution files built once per session."""

    internal: list[Path] = field(default_factory=list)  # internal-pkg 1.0.0 wheel + sdist
    bulk: list[Path] = field(default_factory=list)  # bulk-pkg 1.0.0 .. 1.0.104 wheels
    variants: dict[str, Path] = field(default_factory=dict)  # same file name, other bytes

    @property
    def internal_wheel(self) -> Path:
        return next(path for path in self.internal if path.suffix == ".whl")


def _project(
    root: Path, name: str, version: str, body: str, requires_python: str | None = None
) -> Path:
    package = name.replace("-", "_").lower()
    (root / package).mkdir(parents=True, exist_ok=True)
    (root / package / "__init__.py").write_text(body, encoding="utf-8")
    requires = f'requires-python = "{requires_python}"\n' if requires_python else ""
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\n{requires}'
        f'[tool.hatch.build.targets.wheel]\npackages = ["{package}"]\n',
        encoding="utf-8",
    )
    return root


def hatch_wheel(project: Path, out: Path) -> Path:
    from hatchling.builders.wheel import WheelBuilder

    built = list(WheelBuilder(str(project)).build(directory=str(out), versions=["standard"]))
    return Path(built[0])


def build_dists(root: Path) -> Dists:
    dists = Dists()
    internal = _project(
        root / "internal", "Internal_Pkg", "1.0.0", "VALUE = 'internal'\n", requires_python=">=3.8"
    )
    result = run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(root / "dist-internal"),
            str(internal),
        ],
        clean_env(root / "home"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    dists.internal = sorted((root / "dist-internal").iterdir())
    for index in range(105):
        project = _project(
            root / "bulk" / str(index), "bulk-pkg", f"1.0.{index}", f"VALUE = {index}\n"
        )
        dists.bulk.append(hatch_wheel(project, root / "dist-bulk"))
    for label in ("first", "second"):
        project = _project(root / "variant" / label, "shadow-pkg", "1.0", f"WHO = {label!r}\n")
        dists.variants[label] = hatch_wheel(project, root / "dist-variant" / label)
    later = _project(root / "late", "late-pkg", "0.1", "LATE = True\n")
    dists.variants["late"] = hatch_wheel(later, root / "dist-late")
    second = _project(root / "internal-2", "Internal_Pkg", "2.0.0", "VALUE = 2\n")
    dists.variants["internal-2"] = hatch_wheel(second, root / "dist-internal-2")
    return dists
