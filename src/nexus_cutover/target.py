"""The Target: what every backend yields, so checks never know which backend is in use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from nexus_cutover.config import ClientSettings, Expected


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
        return str(self.ca_bundle) if self.ca_bundle else True


@dataclass(frozen=True)
class PypiserverEndpoint:
    url: str | None
    credentials: Credentials | None
    packages_dir: Path | None
    # How to stop (decommission) and start (rollback) it; None: the user does it by hand.
    control: ServiceControl | None = field(default=None, compare=False, repr=False)

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

    def describe(self) -> str:
        old = self.pypiserver.url or (
            str(self.pypiserver.packages_dir) if self.pypiserver.packages_dir else "none"
        )
        return (
            f"Nexus {self.nexus.url} (repositories at {self.nexus.repository_url}),"
            f" pypiserver {old}, backend {self.backend}"
        )
