"""The target and the expected state: from a TOML file, environment variables and options.

Precedence, low to high: built-in defaults (the migration guide's values) < TOML file <
environment variables < command-line / pytest options. Passwords never come from the TOML
file or a command line: only from an environment variable or a file the TOML names.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from nexus_cutover.errors import ConfigError

Backend = Literal["local", "docker", "external"]
WritePolicy = Literal["ALLOW", "ALLOW_ONCE", "DENY"]

# Guide labels for the hosted deployment policy, so the config can use either spelling.
WRITE_POLICY_LABELS: dict[str, WritePolicy] = {
    "allow redeploy": "ALLOW",
    "disable redeploy": "ALLOW_ONCE",
    "read-only": "DENY",
}

PASSWORD_KEYS = frozenset({"password", "token", "secret"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProxyExpectation(_Model):
    name: str = "pypi-proxy"
    remote_url: str = "https://pypi.org"
    auto_block: bool = True
    content_max_age: int = 1440
    metadata_max_age: int = 1440


class HostedExpectation(_Model):
    name: str = "pypi-hosted"
    write_policy: WritePolicy = "ALLOW"

    @field_validator("write_policy", mode="before")
    @classmethod
    def _accept_labels(cls, value: object) -> object:
        if isinstance(value, str):
            return WRITE_POLICY_LABELS.get(value.strip().lower(), value.strip().upper())
        return value


class GroupExpectation(_Model):
    name: str = "pypi-group"
    members: tuple[str, ...] = ("pypi-proxy", "pypi-hosted")


class Expected(_Model):
    """The state the migration must reach (defaults: the guide's values)."""

    blob_store: str = "default"
    proxy: ProxyExpectation = ProxyExpectation()
    hosted: HostedExpectation = HostedExpectation()
    group: GroupExpectation = GroupExpectation()
    # Every URL under which clients knew the old index (host:port is what counts).
    old_index_urls: tuple[str, ...] = (
        "http://localhost:8888/simple",
        "http://pypi-server:8888/simple",
    )
    # Other names of the Nexus repository base that clients may use (e.g. inside Docker builds).
    nexus_aliases: tuple[str, ...] = ()
    public_package: str = "six"
    canary_project: str = "nexus-cutover-canary"

    @property
    def repository_names(self) -> tuple[str, str, str]:
        return (self.proxy.name, self.hosted.name, self.group.name)


def _plain_url(value: object) -> object:
    """An http(s) URL without user:password@ (credentials never travel inside URLs here)."""
    if value is None or not isinstance(value, str):
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    if parts.username or parts.password:
        raise ValueError(
            "URL holds credentials; give the user in the config and the password"
            " by environment variable or password_file"
        )
    return value


class NexusSettings(_Model):
    url: str = "http://127.0.0.1:28081"
    repository_url: str | None = None

    _urls = field_validator("url", "repository_url")(_plain_url)
    user: str = "admin"
    password_file: Path | None = None
    log_file: Path | None = None
    timeout: float = 30.0
    ca_bundle: Path | None = None

    @property
    def repository_base(self) -> str:
        return (self.repository_url or self.url).rstrip("/")


class PypiserverSettings(_Model):
    url: str | None = "http://127.0.0.1:8888"

    _urls = field_validator("url")(_plain_url)
    user: str | None = None
    password_file: Path | None = None
    packages_dir: Path | None = None


class ClientSettings(_Model):
    projects: tuple[Path, ...] = ()
    pip_config_files: tuple[Path, ...] = ()
    pypirc: Path | None = None
    backup_archive: Path | None = None
    archive_dir: Path | None = None


class Settings(_Model):
    backend: Backend = "local"
    read_only: bool = False
    state_dir: Path = Path(".cutover")
    nexus: NexusSettings = NexusSettings()
    pypiserver: PypiserverSettings = PypiserverSettings()
    expected: Expected = Expected()
    clients: ClientSettings = ClientSettings()
    nexus_password: SecretStr | None = Field(default=None, exclude=True)
    pypiserver_password: SecretStr | None = Field(default=None, exclude=True)

    def secrets(self) -> tuple[str, ...]:
        """Every secret this configuration knows, for masking output."""
        found = (self.nexus_password, self.pypiserver_password)
        return tuple(s.get_secret_value() for s in found if s is not None)


# Environment variables, each mapped to a dotted settings path.
ENVIRONMENT: Mapping[str, str] = {
    "NEXUS_CUTOVER_BACKEND": "backend",
    "NEXUS_CUTOVER_READ_ONLY": "read_only",
    "NEXUS_CUTOVER_STATE_DIR": "state_dir",
    "NEXUS_URL": "nexus.url",
    "NEXUS_REPOSITORY_URL": "nexus.repository_url",
    "NEXUS_USER": "nexus.user",
    "NEXUS_PASSWORD_FILE": "nexus.password_file",
    "PYPISERVER_URL": "pypiserver.url",
    "PYPISERVER_USER": "pypiserver.user",
    "PYPISERVER_PASSWORD_FILE": "pypiserver.password_file",
    "PYPISERVER_PACKAGES_DIR": "pypiserver.packages_dir",
}


def load_settings(
    config_file: Path | None = None,
    overrides: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the TOML file, the environment and `overrides` (dotted keys)."""
    env = os.environ if environ is None else environ
    data: dict[str, Any] = _read_toml(config_file) if config_file else {}
    base_dir = config_file.parent if config_file else Path.cwd()
    for var, dotted in ENVIRONMENT.items():
        if env.get(var):
            _set_dotted(data, dotted, env[var])
    for dotted, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(data, dotted, value)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe_validation(error, config_file)) from None
    settings = _resolve_paths(settings, base_dir)
    return settings.model_copy(
        update={
            "nexus_password": _read_secret(
                env, "NEXUS_PASSWORD", settings.nexus.password_file, "Nexus"
            ),
            "pypiserver_password": _read_secret(
                env, "PYPISERVER_PASSWORD", settings.pypiserver.password_file, "pypiserver"
            ),
        }
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeError) as error:
        raise ConfigError(f"{path}: cannot read the configuration file: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    _refuse_secrets(data, path, prefix="")
    return data


def _refuse_secrets(data: Mapping[str, Any], path: Path, prefix: str) -> None:
    for key, value in data.items():
        if key.lower() in PASSWORD_KEYS:
            raise ConfigError(
                f"{path}: key '{prefix}{key}' holds a secret; put it in an environment variable"
                " (NEXUS_PASSWORD, PYPISERVER_PASSWORD) or a file named by 'password_file'"
            )
        if isinstance(value, Mapping):
            _refuse_secrets(value, path, prefix=f"{prefix}{key}.")


def _set_dotted(data: dict[str, Any], dotted: str, value: object) -> None:
    *parents, leaf = dotted.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def _describe_validation(error: ValidationError, config_file: Path | None) -> str:
    where = str(config_file) if config_file else "configuration"
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    return f"{where}: {location}: {first['msg']}"


def _resolve_paths(settings: Settings, base_dir: Path) -> Settings:
    """Relative paths in the TOML file are relative to the file's folder."""

    def resolve(path: Path | None) -> Path | None:
        if path is None or path.is_absolute():
            return path
        return (base_dir / path).resolve()

    clients = settings.clients
    return settings.model_copy(
        update={
            "state_dir": resolve(settings.state_dir),
            "nexus": settings.nexus.model_copy(
                update={
                    "password_file": resolve(settings.nexus.password_file),
                    "log_file": resolve(settings.nexus.log_file),
                    "ca_bundle": resolve(settings.nexus.ca_bundle),
                }
            ),
            "pypiserver": settings.pypiserver.model_copy(
                update={
                    "password_file": resolve(settings.pypiserver.password_file),
                    "packages_dir": resolve(settings.pypiserver.packages_dir),
                }
            ),
            "clients": clients.model_copy(
                update={
                    "projects": tuple(p for p in map(resolve, clients.projects) if p),
                    "pip_config_files": tuple(
                        p for p in map(resolve, clients.pip_config_files) if p
                    ),
                    "pypirc": resolve(clients.pypirc),
                    "backup_archive": resolve(clients.backup_archive),
                    "archive_dir": resolve(clients.archive_dir),
                }
            ),
        }
    )


def _read_secret(
    env: Mapping[str, str], variable: str, password_file: Path | None, what: str
) -> SecretStr | None:
    if env.get(variable):
        return SecretStr(env[variable])
    if password_file is None:
        return None
    try:
        return SecretStr(password_file.read_text(encoding="utf-8").strip())
    except (OSError, UnicodeError) as error:
        detail = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigError(
            f"{password_file}: cannot read the {what} password file: {detail}"
        ) from None
