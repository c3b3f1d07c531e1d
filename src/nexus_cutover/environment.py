"""Every environment variable the tool reads, in one table (`--help` prints it).

Kept free of heavy imports: the CLI's `--help` reads it before anything else is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

CONFIG_VARIABLE = "NEXUS_CUTOVER_CONFIG"


@dataclass(frozen=True)
class Variable:
    name: str
    setting: str  # dotted settings path; "" for variables read elsewhere
    meaning: str


ENVIRONMENT: tuple[Variable, ...] = (
    Variable(CONFIG_VARIABLE, "", "the configuration file (after --config)"),
    Variable("NEXUS_PASSWORD", "", "password of nexus.user (or nexus.password_file)"),
    Variable("PYPISERVER_PASSWORD", "", "password of pypiserver.user"),
    Variable("NEXUS_CUTOVER_LDAP_BIND_PASSWORD", "", "LDAP bind password (expected.ldap)"),
    Variable("NEXUS_CUTOVER_LDAP_PROBE_PASSWORD", "", "password of expected.ldap.probe_user"),
    Variable("NEXUS_CUTOVER_LDAP_DENIED_PASSWORD", "", "password of expected.ldap.denied_user"),
    Variable("NEXUS_CUTOVER_BACKEND", "backend", "local, docker or external"),
    Variable("NEXUS_CUTOVER_READ_ONLY", "read_only", "1: never write to a server"),
    Variable("NEXUS_CUTOVER_REQUIRE_PROVEN", "require_proven", "1: unproven items fail"),
    Variable("NEXUS_CUTOVER_STATE_DIR", "state_dir", "backups, journals, local services"),
    Variable("NEXUS_URL", "nexus.url", "Nexus REST/UI base URL"),
    Variable("NEXUS_REPOSITORY_URL", "nexus.repository_url", "base of /repository/..."),
    Variable("NEXUS_USER", "nexus.user", "Nexus user"),
    Variable("NEXUS_USERNAME", "nexus.user", "the same, as terraform-provider-nexus names it"),
    Variable("NEXUS_PASSWORD_FILE", "nexus.password_file", "file holding the password"),
    Variable("NEXUS_LOG_DIR", "nexus.log_dir", "Nexus's log folder (TS-10)"),
    Variable("NEXUS_CA_BUNDLE", "nexus.ca_bundle", "CA certificates for https"),
    Variable("NEXUS_CUTOVER_HTTP_WORKERS", "http.workers", "concurrent requests (default 8)"),
    Variable("NEXUS_CUTOVER_HTTP_RETRIES", "http.retries", "retries of transient faults"),
    Variable("PYPISERVER_URL", "pypiserver.url", "the old index"),
    Variable("PYPISERVER_USER", "pypiserver.user", "pypiserver user"),
    Variable("PYPISERVER_PASSWORD_FILE", "pypiserver.password_file", "file holding it"),
    Variable("PYPISERVER_PACKAGES_DIR", "pypiserver.packages_dir", "its packages folder"),
    Variable("NEXUS_CUTOVER_NEXUS_IMAGE", "docker.nexus_image", "docker backend: Nexus image"),
    Variable("NEXUS_CUTOVER_PYPISERVER_IMAGE", "docker.pypiserver_image", "pypiserver image"),
    Variable("NEXUS_CUTOVER_DOCKER_PULL", "docker.pull", "1: pull missing images"),
    Variable("NEXUS_CUTOVER_DOCKER_NETWORK", "docker.network", "container network"),
    Variable("NEXUS_CUTOVER_DOCKER_MODE", "docker.mode", "containers or compose"),
    Variable(
        "NEXUS_CUTOVER_COMPOSE_FILES", "docker.compose_files", "compose files, comma-separated"
    ),
    Variable("NEXUS_CUTOVER_NEXUS_START_TIMEOUT", "docker.nexus_start_timeout", "seconds"),
    Variable(
        "NEXUS_CUTOVER_NEXUS_RANDOM_PASSWORD", "docker.random_admin_password", "1: as users do"
    ),
    Variable("NEXUS_CUTOVER_BUILD_NETWORK", "docker_build.network", "DOCKER-3 build network"),
    Variable("NEXUS_CUTOVER_BUILD_ADD_HOSTS", "docker_build.add_hosts", "name=IP,..."),
    Variable("NEXUS_CUTOVER_BASE_IMAGES", "docker_build.base_images", "image=local-image,..."),
    Variable("NEXUS_CUTOVER_BUILD_ARGS", "docker_build.build_args", "NAME=value,..."),
    Variable("NEXUS_CUTOVER_BUILD_HEREDOCS", "docker_build.heredocs", "auto/native/translate"),
    Variable("NEXUS_CUTOVER_BUILD_PULL", "docker_build.pull", "1: pull base images"),
    Variable("NEXUS_CUTOVER_BUILD_TIMEOUT", "docker_build.timeout", "seconds per build"),
    Variable(
        "NEXUS_CUTOVER_WITHOUT_DOCKER", "docker_build.without_docker", "skip or fail DOCKER-3"
    ),
)


def help_table() -> str:
    """The variables as `--help` shows them."""
    width = max(len(v.name) for v in ENVIRONMENT)
    rows = []
    for variable in ENVIRONMENT:
        where = f" [{variable.setting}]" if variable.setting else ""
        rows.append(f"  {variable.name.ljust(width)}  {variable.meaning}{where}")
    return "\n".join(rows)
