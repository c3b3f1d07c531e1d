"""Real pip, twine and virtualenv, run isolated from the machine's own configuration.

Each run gets its own HOME, a clean environment (no `PIP_*` variable of the caller), an
explicit index URL and no cache. Machine-wide pip configuration never applies: with no file
under test, `PIP_CONFIG_FILE=os.devnull` makes pip load no configuration file at all; with a
file under test, pip loads that file and, by its own rules, the machine-wide ones too
(`/etc/xdg/pip/pip.conf` through XDG_CONFIG_DIRS, and `/etc/pip.conf`, which
pip/_internal/utils/appdirs.py appends unconditionally). XDG_CONFIG_DIRS then points at an
empty folder, and pip is started through a launcher that empties its list of machine-wide
folders, so exactly the named file is loaded (`loaded_config_files` shows what pip read).
Credentials go into a netrc file or twine's environment, never onto a command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from nexus_cutover.errors import CutoverError
from nexus_cutover.redact import redact
from nexus_cutover.target import Credentials

# Variables kept from the caller's environment: the CA bundle settings make HTTPS work.
_KEEP = ("PATH", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "LANG", "LC_ALL")
# Starts pip with no machine-wide configuration folder (only the file PIP_CONFIG_FILE names);
# refuses to run if pip no longer has the function, rather than silently reading /etc.
_ISOLATED_PIP = """\
import sys
from pip._internal.utils import appdirs
if not callable(getattr(appdirs, "site_config_dirs", None)):
    sys.exit("nexus-cutover: this pip cannot be isolated from /etc/pip.conf")
appdirs.site_config_dirs = lambda appname: []
from pip._internal.cli.main import main
sys.exit(main())
"""


@dataclass(frozen=True)
class Run:
    command: tuple[str, ...]
    returncode: int
    output: str  # stdout and stderr, credentials masked

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 8) -> str:
        return " | ".join(
            line.strip() for line in self.output.splitlines()[-lines:] if line.strip()
        )


@dataclass(frozen=True)
class Installed:
    name: str
    version: str
    url: str  # download_info.url from pip's --report: where the file really came from


class Sandbox:
    """A scratch HOME with its own virtualenv; pip and twine run inside it."""

    def __init__(self, home: Path, secrets: Sequence[str] = ()) -> None:
        self.home = home
        self.venv = home / "venv"
        self.secrets = tuple(secrets)
        home.mkdir(parents=True, exist_ok=True)

    def environment(
        self, pip_config: Path | None = None, extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        env = {k: os.environ[k] for k in _KEEP if k in os.environ}
        env.update(
            {
                "HOME": str(self.home),
                "PIP_CONFIG_FILE": str(pip_config) if pip_config else os.devnull,
                "PIP_NO_INPUT": "1",
                "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                "PYTHONNOUSERSITE": "1",
                "XDG_CONFIG_HOME": str(self.home / ".config"),
                "XDG_CONFIG_DIRS": str(self.home / "no-machine-config"),
                # twine prints through rich: wide and plain, so messages are not wrapped.
                "COLUMNS": "300",
                "NO_COLOR": "1",
            }
        )
        env.update(extra or {})
        return env

    def run(
        self,
        command: Sequence[str],
        env: Mapping[str, str] | None = None,
        timeout: float = 600,
        cwd: Path | None = None,
    ) -> Run:
        try:
            result = subprocess.run(
                list(command),
                env=dict(env or self.environment()),
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Run(tuple(command), -1, f"timed out after {timeout:.0f}s")
        return Run(
            tuple(command), result.returncode, redact(result.stdout + result.stderr, self.secrets)
        )

    def ensure_venv(self) -> Path:
        python = self.venv / "bin" / "python"
        if not python.exists():
            run = self.run(
                [
                    sys.executable,
                    "-m",
                    "virtualenv",
                    "--quiet",
                    "--no-periodic-update",
                    str(self.venv),
                ]
            )
            if not run.ok:
                raise CutoverError(f"cannot create a virtualenv in {self.venv}: {run.tail()}")
        return python

    def add_netrc(self, url: str, credentials: Credentials | None) -> None:
        """pip reads ~/.netrc (through requests): credentials without a command line."""
        if credentials is None:
            return
        host = urlsplit(url).hostname or ""
        netrc = self.home / ".netrc"
        line = f"machine {host} login {credentials.user} password {credentials.password}\n"
        existing = netrc.read_text(encoding="utf-8") if netrc.exists() else ""
        if line not in existing:
            netrc.write_text(existing + line, encoding="utf-8")
        netrc.chmod(0o600)

    def remove_secrets(self) -> None:
        (self.home / ".netrc").unlink(missing_ok=True)

    def pip(
        self,
        args: Sequence[str],
        pip_config: Path | None = None,
        extra_env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Run:
        python = self.ensure_venv()
        return self.run(
            [str(python), "-c", _ISOLATED_PIP, *args],
            env=self.environment(pip_config, extra_env),
            cwd=cwd,
        )

    def loaded_config_files(self, pip_config: Path | None) -> list[Path]:
        """The configuration files pip reads in this sandbox (`pip config debug`)."""
        run = self.pip(["config", "debug"], pip_config)
        if not run.ok:
            raise CutoverError(f"`pip config debug` failed: {run.tail()}")
        loaded = []
        for line in run.output.splitlines():
            path, _sep, state = line.strip().rpartition(", exists: ")
            if state == "True" and path != os.devnull:
                loaded.append(Path(path))
        return loaded

    def resolve(
        self,
        requirements: Sequence[str],
        index_url: str | None,
        pip_config: Path | None = None,
        cwd: Path | None = None,
    ) -> tuple[Run, list[Installed] | None]:
        """`pip install --dry-run --report`: what would be installed, and from which URL.

        The list is None when pip succeeded but its report is missing or unreadable.
        """
        options = ["--dry-run", "--ignore-installed", "--quiet", "--report", "-"]
        run = self.pip(_install_args(options, index_url, requirements), pip_config, cwd=cwd)
        return run, _parse_report(run.output) if run.ok else []

    def install(
        self, requirements: Sequence[str], index_url: str | None, pip_config: Path | None = None
    ) -> tuple[Run, list[Installed] | None]:
        """A real install into the sandbox's virtualenv, with a report of the origins."""
        report = self.home / "install-report.json"
        report.unlink(missing_ok=True)
        options = ["--force-reinstall", "--report", str(report)]
        run = self.pip(_install_args(options, index_url, requirements), pip_config)
        if not run.ok:
            return run, []
        try:
            text = report.read_text(encoding="utf-8")
        except OSError:
            return run, None
        return run, _parse_report(text)

    def twine(
        self, args: Sequence[str], credentials: Credentials | None, pypirc: Path | None = None
    ) -> Run:
        config = pypirc or (self.home / "empty.pypirc")
        if pypirc is None:
            config.write_text("", encoding="utf-8")
        extra = {"TWINE_NON_INTERACTIVE": "1"}
        if credentials:
            extra.update(TWINE_USERNAME=credentials.user, TWINE_PASSWORD=credentials.password)
        return self.run(
            [
                sys.executable,
                "-m",
                "twine",
                *args,
                "--config-file",
                str(config),
                "--disable-progress-bar",
            ],
            env=self.environment(extra=extra),
        )


def _install_args(
    options: Sequence[str], index_url: str | None, requirements: Sequence[str]
) -> list[str]:
    """`pip install` that fetches every file (no cache), fails fast, from `index_url`."""
    index = ["--index-url", index_url] if index_url else []
    return [
        "install",
        "--no-cache-dir",
        "--retries",
        "0",
        "--timeout",
        "60",
        *options,
        *index,
        *requirements,
    ]


def _parse_report(text: str) -> list[Installed] | None:
    """The `install` list of a pip installation report; None when there is no readable one."""
    start = text.find("{")
    if start < 0:
        return None
    try:
        report, _end = json.JSONDecoder().raw_decode(text[start:])
    except ValueError:
        return None
    if not isinstance(report, dict) or not isinstance(report.get("install"), list):
        return None
    return _installed_from(report)


def _installed_from(report: Mapping[str, object]) -> list[Installed]:
    installed = []
    for item in report.get("install", []) or []:  # type: ignore[attr-defined]
        metadata = item.get("metadata", {})
        installed.append(
            Installed(
                name=str(metadata.get("name", "")),
                version=str(metadata.get("version", "")),
                url=str(item.get("download_info", {}).get("url", "")),
            )
        )
    return installed
