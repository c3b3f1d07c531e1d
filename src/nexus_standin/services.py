"""Everything a request handler may use, built once per process from the settings."""

from __future__ import annotations

import platform
from dataclasses import dataclass

from .admin_store import CleanupPolicyStore, TaskStore
from .auth import Authenticator
from .blobs import BlobStore
from .config import Settings
from .content import ContentStore
from .db import Database
from .freeze import FreezeService
from .ldap_store import LdapStore
from .logs import AppLog, RequestLog
from .pypi_format import PypiFormat
from .pypi_hosted import HostedPypi
from .pypi_proxy import ProxyPypi
from .repos import RepositoryStore
from .security import SecurityStore, bootstrap


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    blobs: BlobStore
    repos: RepositoryStore
    content: ContentStore
    security: SecurityStore
    tasks: TaskStore
    cleanup_policies: CleanupPolicyStore
    ldap: LdapStore
    freeze: FreezeService
    auth: Authenticator
    pypi: PypiFormat
    app_log: AppLog
    request_log: RequestLog


def build_services(settings: Settings) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app_log = AppLog(settings.log_dir)
    db = Database(settings.db_path)
    blobs = BlobStore(settings.blob_dir)
    repos = RepositoryStore(db)
    content = ContentStore(db)
    blobs.collect_garbage(content.blob_refs())
    security = SecurityStore(db)
    tasks = TaskStore(db)
    if bootstrap(security, settings):
        app_log.info("org.sonatype.nexus.security", "Initialized security: admin and anonymous")
    tasks.seed()
    # Loaded after the first-start setup (which only writes into an empty data directory);
    # from here on a frozen node refuses every write.
    freeze = FreezeService(db)
    if freeze.request is not None:
        app_log.info(
            "org.sonatype.nexus.internal.app.FreezeServiceImpl",
            "Nexus Repository Manager is in read-only mode (requested by"
            f" {freeze.request.requested_by} at {freeze.request.frozen_at.isoformat()})",
        )
    user_agent = f"Nexus/{settings.nexus_version} (OSS; {platform.system()}; {platform.release()})"
    hosted = HostedPypi(db, content, blobs, app_log)
    proxy = ProxyPypi(db, content, blobs, app_log, user_agent)
    return Services(
        settings=settings,
        db=db,
        blobs=blobs,
        repos=repos,
        content=content,
        security=security,
        tasks=tasks,
        cleanup_policies=CleanupPolicyStore(db),
        ldap=LdapStore(db),
        freeze=freeze,
        auth=Authenticator(security),
        pypi=PypiFormat(db, repos, content, blobs, hosted, proxy),
        app_log=app_log,
        request_log=RequestLog(settings.log_dir),
    )
