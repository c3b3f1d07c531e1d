"""The `external` backend: the user's own servers, by URL; nothing is started or stopped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nexus_cutover.backends.base import Backend
from nexus_cutover.config import Settings
from nexus_cutover.target import (
    Credentials,
    LdapPasswords,
    NexusEndpoint,
    PypiserverEndpoint,
    Target,
)


def external_target(settings: Settings) -> Target:
    """The servers of the configuration, as the configuration names them."""
    nexus_password = settings.nexus_password.get_secret_value() if settings.nexus_password else None
    old_password = (
        settings.pypiserver_password.get_secret_value() if settings.pypiserver_password else None
    )
    return Target(
        backend="external",
        nexus=NexusEndpoint(
            url=settings.nexus.url.rstrip("/"),
            repository_url=settings.nexus.repository_base,
            credentials=Credentials(settings.nexus.user, nexus_password)
            if nexus_password
            else None,
            timeout=settings.nexus.timeout,
            ca_bundle=settings.nexus.ca_bundle,
            log_dir=settings.nexus.log_dir,
            http=settings.http,
        ),
        pypiserver=PypiserverEndpoint(
            url=settings.pypiserver.url.rstrip("/") if settings.pypiserver.url else None,
            credentials=Credentials(settings.pypiserver.user or "", old_password)
            if old_password
            else None,
            packages_dir=settings.pypiserver.packages_dir,
            http=settings.http,
            log_file=settings.pypiserver.log_file,
            straggler_hours=settings.pypiserver.straggler_hours,
        ),
        expected=settings.expected,
        clients=settings.clients,
        state_dir=settings.state_dir,
        read_only=settings.read_only,
        config_file=settings.config_file,
        ldap_passwords=LdapPasswords(
            **{k: v.get_secret_value() for k, v in settings.ldap_passwords.items()}
        ),
    )


class ExternalBackend(Backend):
    name = "external"

    @contextmanager
    def session(self, workdir: Path) -> Iterator[Target]:
        yield external_target(self.settings)
