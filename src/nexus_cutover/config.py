"""The settings of one run: the target, the expected state, the backends, from one model.

Precedence, low to high: built-in defaults (the migration guide's values) < the TOML file <
environment variables < command-line / pytest options. Passwords never come from the TOML
file or a command line: only from an environment variable or a file the TOML names.

Which file: `--config FILE` (relative to the current folder), else `NEXUS_CUTOVER_CONFIG`,
else `./cutover.toml` if it exists, else none (defaults and environment only). Relative
paths inside the file are relative to the file's folder. `find_config_file` decides that once,
and every command passes the absolute path on.

Adding a setting: add a field (with its default and a comment) to the section model below;
if users should set it from the environment, add one row to `ENVIRONMENT`; if it is a path,
`_resolve_paths` makes it absolute. `nexus-cutover init` and `--help` pick both up.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from nexus_cutover.environment import CONFIG_VARIABLE, ENVIRONMENT
from nexus_cutover.errors import ConfigError

Backend = Literal["local", "docker", "external"]
WritePolicy = Literal["ALLOW", "ALLOW_ONCE", "DENY"]
CONFIG_FILE_NAME = "cutover.toml"

# Guide labels for the hosted deployment policy, so the config can use either spelling.
WRITE_POLICY_LABELS: dict[str, WritePolicy] = {
    "allow redeploy": "ALLOW",
    "disable redeploy": "ALLOW_ONCE",
    "read-only": "DENY",
}

PASSWORD_KEYS = frozenset({"password", "token", "secret"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _pairs(value: object) -> object:
    """`a=1,b=2` (as environment variables carry them) -> {"a": "1", "b": "2"}."""
    if not isinstance(value, str):
        return value
    pairs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        key, sep, item = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected NAME=VALUE pairs separated by commas, got {part!r}")
        pairs[key.strip()] = item.strip()
    return pairs


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


class LdapGroupRole(_Model):
    """The Nexus role that maps one directory group: its id is the group's name."""

    description: str = ""
    privileges: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


class LdapExpectation(_Model):
    """The guide's optional LDAP section (Settings > Security > LDAP, then groups mapped to
    roles). Present: LDAP is expected, and LDAP-1/LDAP-2 fail until Nexus matches it; absent:
    they are not applicable. Passwords come from the environment or the *_password_file keys."""

    name: str = "ldap"  # the server's name in Nexus
    protocol: Literal["ldap", "ldaps"] = "ldap"
    host: str = "localhost"
    port: int = Field(default=389, ge=1, le=65535)
    search_base: str = ""  # e.g. dc=example,dc=com
    auth_scheme: Literal["NONE", "SIMPLE", "DIGEST_MD5", "CRAM_MD5"] = "SIMPLE"
    bind_dn: str | None = None  # the account Nexus searches with
    bind_password_file: Path | None = None  # or NEXUS_CUTOVER_LDAP_BIND_PASSWORD
    user_base_dn: str = ""  # relative to search_base, e.g. ou=people
    user_subtree: bool = False
    user_object_class: str = "inetOrgPerson"
    user_id_attribute: str = "uid"
    user_real_name_attribute: str = "cn"
    user_email_attribute: str = "mail"
    user_filter: str = ""
    group_type: Literal["static", "dynamic"] = "static"
    group_base_dn: str = ""  # relative to search_base, e.g. ou=groups (static)
    group_subtree: bool = False
    group_object_class: str = "groupOfNames"
    group_id_attribute: str = "cn"
    group_member_attribute: str = "member"
    group_member_format: str = "${dn}"
    user_member_of_attribute: str = "memberOf"  # dynamic groups
    # Directory group -> the Nexus role of the same id that `migrate provision` keeps.
    groups: dict[str, LdapGroupRole] = Field(default_factory=dict)
    # A directory user who must log in holding these groups' roles and may publish (LDAP-2).
    probe_user: str | None = None
    probe_password_file: Path | None = None  # or NEXUS_CUTOVER_LDAP_PROBE_PASSWORD
    probe_groups: tuple[str, ...] = ()
    # A directory user who logs in but must not publish (LDAP-2).
    denied_user: str | None = None
    denied_password_file: Path | None = None  # or NEXUS_CUTOVER_LDAP_DENIED_PASSWORD


# Which password each LDAP secret is: environment variable and password-file key.
LDAP_SECRETS: dict[str, tuple[str, str]] = {
    "bind": ("NEXUS_CUTOVER_LDAP_BIND_PASSWORD", "bind_password_file"),
    "probe": ("NEXUS_CUTOVER_LDAP_PROBE_PASSWORD", "probe_password_file"),
    "denied": ("NEXUS_CUTOVER_LDAP_DENIED_PASSWORD", "denied_password_file"),
}


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
    # Guard rails: the proxy's BLOCK rule for internal names, the health account's read-only
    # role ("" for either: not provisioned), accounts client files must not use (SEC-5).
    routing_rule: str = "internal-projects"
    health_role: str = "nexus-cutover-health"
    admin_users: tuple[str, ...] = ("admin",)
    # Whether Nexus must authenticate against LDAP (LDAP-1, LDAP-2): false (default) makes them
    # not applicable; true expects some LDAP server with mapped groups; a [expected.ldap]
    # table expects exactly that server, those group roles and the probe users.
    ldap: bool | LdapExpectation = False

    @property
    def ldap_details(self) -> LdapExpectation | None:
        """The expected LDAP configuration when a [expected.ldap] table gives one."""
        return self.ldap if isinstance(self.ldap, LdapExpectation) else None

    @property
    def repository_names(self) -> tuple[str, str, str]:
        return (self.proxy.name, self.hosted.name, self.group.name)


def plain_url(value: object) -> object:
    """An http(s) URL without user:password@ (credentials never travel inside URLs here)."""
    if value == "":
        return None  # "no such server" (pypiserver after decommissioning)
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


class HttpSettings(_Model):
    """How every HTTP client of this tool talks to the servers (clients/http.py).

    TLS verification has no switch: it is always on (nexus.ca_bundle, else the environment's
    REQUESTS_CA_BUNDLE / SSL_CERT_FILE, else the bundled CA certificates).
    """

    # Concurrent requests for bulk work (uploads, downloads, index pages): each worker keeps
    # one keep-alive connection.
    workers: int = Field(default=8, ge=1, le=64)
    # Further tries after a transient fault (connection refused or reset, 429, 502-504).
    retries: int = Field(default=3, ge=0, le=10)
    # Seconds before the second retry, doubling after (with jitter); the first is immediate.
    backoff: float = Field(default=0.5, ge=0.0, le=60.0)
    # The longest wait between tries, a server's Retry-After included.
    backoff_max: float = Field(default=10.0, ge=0.0, le=300.0)


class NexusSettings(_Model):
    url: str = "http://127.0.0.1:28081"
    repository_url: str | None = None
    user: str = "admin"
    password_file: Path | None = None
    # Nexus's log folder (sonatype-work/nexus3/log: request.log, nexus.log), for TS-10.
    log_dir: Path | None = None
    timeout: float = 30.0
    ca_bundle: Path | None = None

    _urls = field_validator("url", "repository_url")(plain_url)

    @property
    def repository_base(self) -> str:
        return (self.repository_url or self.url).rstrip("/")


class PypiserverSettings(_Model):
    url: str | None = "http://127.0.0.1:8888"
    user: str | None = None
    password_file: Path | None = None
    packages_dir: Path | None = None
    # Its request log (file or folder; format in guardrails/stragglers.py): who still fetches.
    log_file: Path | None = None
    # Clients seen within these hours (and after `configure` rewrote the client files) are
    # stragglers: DECOM-4 fails and `migrate decommission` refuses while there are any.
    straggler_hours: float = Field(default=24.0, gt=0)

    _urls = field_validator("url")(plain_url)


class ClientSettings(_Model):
    projects: tuple[Path, ...] = ()
    pip_config_files: tuple[Path, ...] = ()
    pypirc: Path | None = None
    backup_archive: Path | None = None
    archive_dir: Path | None = None


class DockerSettings(_Model):
    """The docker backend: which images, and how containers reach each other."""

    # Pinned to current releases of the official images.
    nexus_image: str = "sonatype/nexus3:3.95.2"
    pypiserver_image: str = "pypiserver/pypiserver:v2.4.2"
    pull: bool = True  # pull a missing image; false: fail with a hint instead
    network: str = "host"  # host: servers listen on 127.0.0.1 at ports of their own
    nexus_start_timeout: float = 300.0  # Nexus needs 1-3 minutes for a first start
    pypiserver_start_timeout: float = 60.0
    random_admin_password: bool = False  # true: read /nexus-data/admin.password, as users do
    # containers: one container per server (testcontainers); compose: `compose_files`
    # brought up with pytest-docker, the same files users run by hand.
    mode: Literal["containers", "compose"] = "containers"
    compose_files: tuple[Path, ...] = ()

    @field_validator("compose_files", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        return tuple(filter(None, value.split(","))) if isinstance(value, str) else value


class DockerBuildSettings(_Model):
    """DOCKER-3: how each project Dockerfile is built."""

    docker: str = "docker"
    network: str | None = "host"
    add_hosts: dict[str, str] = Field(default_factory=dict)  # name -> IP, for --add-host
    base_images: dict[str, str] = Field(default_factory=dict)  # FROM image -> substitute
    build_args: dict[str, str] = Field(default_factory=dict)
    heredocs: Literal["auto", "native", "translate"] = "auto"  # auto: translate without buildx
    pull: bool = False  # a missing base image is reported, not pulled
    timeout: float = 900.0
    tail_lines: int = 12
    keep_images: bool = False
    # Where no Docker engine answers: "fail" DOCKER-3, or "skip" it (recorded as skipped:
    # the checklist item stays unproven, so the decommission gate stays shut either way).
    without_docker: Literal["fail", "skip"] = "skip"

    _mappings = field_validator("add_hosts", "base_images", "build_args", mode="before")(_pairs)


class CapacitySettings(_Model):
    """CAP-1/CAP-2: Nexus Community Edition usage limits (default: those of the version the
    target reports in its Server header, guardrails/capacity.py) and when to warn or fail."""

    components_limit: int | None = Field(default=None, gt=0)
    requests_per_day_limit: int | None = Field(default=None, gt=0)
    # The proxy cache's expected size in components (default: what it holds now).
    proxy_components: int | None = Field(default=None, ge=0)
    warn_at: float = Field(default=0.75, gt=0, le=1)
    fail_at: float = Field(default=0.9, gt=0, le=1)  # health: fail before the limit is reached


class Settings(_Model):
    backend: Backend = "local"
    read_only: bool = False
    # Unproven checklist items (skipped, not run) fail the run, as failed checks do.
    require_proven: bool = False
    state_dir: Path = Path(".cutover")
    nexus: NexusSettings = NexusSettings()
    pypiserver: PypiserverSettings = PypiserverSettings()
    expected: Expected = Expected()
    clients: ClientSettings = ClientSettings()
    docker: DockerSettings = DockerSettings()
    docker_build: DockerBuildSettings = DockerBuildSettings()
    http: HttpSettings = HttpSettings()
    capacity: CapacitySettings = CapacitySettings()
    # The file these settings came from (absolute), or None.
    config_file: Path | None = Field(default=None, exclude=True)
    nexus_password: SecretStr | None = Field(default=None, exclude=True)
    pypiserver_password: SecretStr | None = Field(default=None, exclude=True)
    # The LDAP passwords (keys of LDAP_SECRETS) that the environment or files give.
    ldap_passwords: dict[str, SecretStr] = Field(default_factory=dict, exclude=True)

    def secrets(self) -> tuple[str, ...]:
        """Every secret this configuration knows, for masking output."""
        found = (self.nexus_password, self.pypiserver_password, *self.ldap_passwords.values())
        return tuple(s.get_secret_value() for s in found if s is not None)


def find_config_file(
    given: Path | None, environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Path | None:
    """The configuration file of this run, absolute: --config, NEXUS_CUTOVER_CONFIG, ./cutover.toml.

    A file given explicitly (option or variable) must exist; `./cutover.toml` is used only
    when it does.
    """
    env = os.environ if environ is None else environ
    here = cwd or Path.cwd()
    explicit = given or (Path(env[CONFIG_VARIABLE]) if env.get(CONFIG_VARIABLE) else None)
    if explicit is not None:
        path = explicit.expanduser()
        path = path if path.is_absolute() else here / path
        if not path.is_file():
            source = "--config" if given else CONFIG_VARIABLE
            raise ConfigError(f"{path}: configuration file not found (from {source})")
        return path.resolve()
    default = here / CONFIG_FILE_NAME
    return default.resolve() if default.is_file() else None


def load_settings(
    config_file: Path | None = None,
    overrides: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the TOML file, the environment and `overrides` (dotted keys).

    `config_file` is used as given (see `find_config_file` for the discovery rules).
    """
    env = os.environ if environ is None else environ
    path = config_file.expanduser().resolve() if config_file else None
    data: dict[str, Any] = _read_toml(path) if path else {}
    base_dir = path.parent if path else Path.cwd()
    for variable in ENVIRONMENT:
        if variable.setting and env.get(variable.name):
            _set_dotted(data, variable.setting, env[variable.name])
    for dotted, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(data, dotted, value)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe_validation(error, path)) from None
    settings = _resolve_paths(settings, base_dir)
    ca_bundle = settings.nexus.ca_bundle
    if ca_bundle is not None and not ca_bundle.is_file():
        where = path or "configuration"
        raise ConfigError(f"{where}: nexus.ca_bundle: {ca_bundle}: CA certificate file not found")
    return settings.model_copy(
        update={
            "config_file": path,
            "nexus_password": _read_secret(
                env,
                "NEXUS_PASSWORD",
                settings.nexus.password_file,
                f"Nexus user '{settings.nexus.user}' at {settings.nexus.url}",
            ),
            "pypiserver_password": _read_secret(
                env,
                "PYPISERVER_PASSWORD",
                settings.pypiserver.password_file,
                f"pypiserver user '{settings.pypiserver.user or ''}' at {settings.pypiserver.url}",
            ),
            "ldap_passwords": read_ldap_passwords(settings.expected.ldap_details, env),
        }
    )


def read_ldap_passwords(
    ldap: LdapExpectation | None, environ: Mapping[str, str] | None = None
) -> dict[str, SecretStr]:
    """The LDAP passwords the environment or the named files give (none when not expected)."""
    if ldap is None:
        return {}
    env = os.environ if environ is None else environ
    found = {}
    for key, (variable, file_key) in LDAP_SECRETS.items():
        secret = _read_secret(env, variable, getattr(ldap, file_key), f"LDAP {key}")
        if secret is not None:
            found[key] = secret
    return found


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeError) as error:
        detail = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigError(f"{path}: cannot read the configuration file: {detail}") from None
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
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"'{part}' must be a table (section), not {child!r}")
        node = child
    node[leaf] = value


def _describe_validation(error: ValidationError, config_file: Path | None) -> str:
    where = str(config_file) if config_file else "configuration"
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    variables = [v.name for v in ENVIRONMENT if v.setting == location]
    hint = f" (or environment variable {' / '.join(variables)})" if variables else ""
    if first["type"] == "extra_forbidden":
        return f"{where}: {location}: unknown key (see `nexus-cutover init` for every key)"
    given = first.get("input")
    # The value given, so the reader sees what was wrong (secrets never get this far; the
    # URL validator words its own message, without the userinfo).
    shown = (
        f", not {given!r}"
        if isinstance(given, str | int | float | bool)
        and len(str(given)) <= 80
        and first["type"] != "value_error"
        else ""
    )
    text = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {location}{hint}: {text}{shown}"


def _resolve_paths(settings: Settings, base_dir: Path) -> Settings:
    """Relative paths in the TOML file are relative to the file's folder; ~ is expanded."""

    def resolve(path: Path | None) -> Path | None:
        if path is None:
            return None
        path = path.expanduser()
        return path if path.is_absolute() else (base_dir / path).resolve()

    def resolve_all(paths: tuple[Path, ...]) -> tuple[Path, ...]:
        return tuple(p for p in map(resolve, paths) if p)

    clients = settings.clients
    ldap: bool | LdapExpectation = settings.expected.ldap
    if isinstance(ldap, LdapExpectation):
        files = {key: resolve(getattr(ldap, key)) for _, key in LDAP_SECRETS.values()}
        ldap = ldap.model_copy(update=files)
    return settings.model_copy(
        update={
            "state_dir": resolve(settings.state_dir),
            "expected": settings.expected.model_copy(update={"ldap": ldap}),
            "nexus": settings.nexus.model_copy(
                update={
                    "password_file": resolve(settings.nexus.password_file),
                    "log_dir": resolve(settings.nexus.log_dir),
                    "ca_bundle": resolve(settings.nexus.ca_bundle),
                }
            ),
            "pypiserver": settings.pypiserver.model_copy(
                update={
                    "password_file": resolve(settings.pypiserver.password_file),
                    "packages_dir": resolve(settings.pypiserver.packages_dir),
                    "log_file": resolve(settings.pypiserver.log_file),
                }
            ),
            "clients": clients.model_copy(
                update={
                    "projects": resolve_all(clients.projects),
                    "pip_config_files": resolve_all(clients.pip_config_files),
                    "pypirc": resolve(clients.pypirc),
                    "backup_archive": resolve(clients.backup_archive),
                    "archive_dir": resolve(clients.archive_dir),
                }
            ),
            "docker": settings.docker.model_copy(
                update={"compose_files": resolve_all(settings.docker.compose_files)}
            ),
        }
    )


def _read_secret(
    env: Mapping[str, str], variable: str, password_file: Path | None, what: str
) -> SecretStr | None:
    if variable in env:
        # Set but empty is a mistake, not "anonymous": say so instead of sending no password.
        if not env[variable]:
            raise ConfigError(
                f"{variable} is set but empty: give the password of {what}, or unset it"
            )
        return SecretStr(env[variable])
    if password_file is None:
        return None
    try:
        value = password_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeError) as error:
        detail = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigError(
            f"{password_file}: cannot read the password file of {what}: {detail}"
        ) from None
    if not value:
        raise ConfigError(f"{password_file}: the password file of {what} is empty")
    return SecretStr(value)
