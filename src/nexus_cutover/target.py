"""The Target: what every backend yields, so checks never know which backend is in use."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from nexus_cutover.config import ClientSettings, Expected, HttpSettings

# Where TLS trust comes from when no CA bundle is configured, in this order: the variables
# requests and curl read, then OpenSSL's (requests itself ignores SSL_CERT_FILE/SSL_CERT_DIR
# and would use its bundled certificates instead).
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


def tls_verify(ca_bundle: Path | None, environ: Mapping[str, str] | None = None) -> str | bool:
    """The `verify` of every request: a CA file or folder, or True (the bundled CAs).

    Never False: there is no switch that turns verification off.
    """
    if ca_bundle is not None:
        return str(ca_bundle)
    env = os.environ if environ is None else environ
    return next((env[name] for name in CA_VARIABLES if env.get(name)), True)


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)

    def as_tuple(self) -> tuple[str, str]:
        return (self.user, self.password)


class ServiceControl(Protocol):
    """Start and stop a server this tool runs (local process or container)."""

    def running(self) -> bool: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...


@dataclass(frozen=True)
class NexusEndpoint:
    url: str
    repository_url: str
    credentials: Credentials | None
    timeout: float = 30.0
    ca_bundle: Path | None = None
    # Nexus's log folder (request.log, nexus.log, outbound-request.log) when readable.
    log_dir: Path | None = None
    http: HttpSettings = field(default_factory=HttpSettings)

    @property
    def rest_url(self) -> str:
        return f"{self.url.rstrip('/')}/service/rest"

    def repository(self, name: str) -> str:
        """Base URL of a repository, with the trailing slash twine and pip expect."""
        return f"{self.repository_url.rstrip('/')}/repository/{name}/"

    def simple(self, name: str) -> str:
        return f"{self.repository(name)}simple/"

    @property
    def verify(self) -> bool | str:
        """What TLS verification uses: the CA bundle, the environment's, or the bundled one."""
        return tls_verify(self.ca_bundle)


@dataclass(frozen=True)
class PypiserverEndpoint:
    url: str | None
    credentials: Credentials | None
    packages_dir: Path | None
    # How to stop (decommission) and start (rollback) it; None: the user does it by hand.
    control: ServiceControl | None = field(default=None, compare=False, repr=False)
    timeout: float = 30.0
    http: HttpSettings = field(default_factory=HttpSettings)
    # Its request log (file or folder), where stragglers show up; None: not readable here.
    log_file: Path | None = None
    # Clients seen in the log within these hours (after the cutover) are stragglers.
    straggler_hours: float = 24.0

    @property
    def simple(self) -> str | None:
        return f"{self.url.rstrip('/')}/simple/" if self.url else None


@dataclass(frozen=True)
class LdapPasswords:
    """The LDAP bind account's and the probe users' passwords (expected.ldap)."""

    bind: str | None = field(default=None, repr=False)
    probe: str | None = field(default=None, repr=False)
    denied: str | None = field(default=None, repr=False)

    def values(self) -> tuple[str, ...]:
        return tuple(p for p in (self.bind, self.probe, self.denied) if p)


@dataclass(frozen=True)
class Target:
    backend: str
    nexus: NexusEndpoint
    pypiserver: PypiserverEndpoint
    expected: Expected
    clients: ClientSettings
    state_dir: Path
    read_only: bool = False
    config_file: Path | None = None
    ldap_passwords: LdapPasswords = field(default_factory=LdapPasswords)

    def secrets(self) -> tuple[str, ...]:
        found = [self.nexus.credentials, self.pypiserver.credentials]
        logins = tuple(c.password for c in found if c is not None and c.password)
        return logins + self.ldap_passwords.values()

    def urls(self) -> dict[str, str]:
        """The addresses a report names (an empty pypiserver URL: none, decommissioned)."""
        return {
            "nexus_url": self.nexus.url,
            "repository_url": self.nexus.repository_url,
            "pypiserver_url": self.pypiserver.url or "",
        }

    def describe(self) -> str:
        old = self.pypiserver.url or (
            str(self.pypiserver.packages_dir) if self.pypiserver.packages_dir else "none"
        )
        return (
            f"Nexus {self.nexus.url} (repositories at {self.nexus.repository_url}),"
            f" pypiserver {old}, backend {self.backend}"
        )
