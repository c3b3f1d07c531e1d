"""The running instance: stores, format handlers and logs, built once per process."""

from __future__ import annotations

import platform
from dataclasses import dataclass

from .auth import Authenticator
from .config import InstanceConfig
from .ldap_realm import DirectoryError, LdapRealm
from .logs import AppLog, OutboundLog, RequestLog
from .pypi.format import PypiFormat
from .pypi.hosted import HostedPypi
from .pypi.proxy import ProxyPypi
from .pypi.remote import RemoteClient
from .store.admin import CleanupPolicyStore, TaskStore
from .store.blobs import BlobStore
from .store.content import ContentStore
from .store.db import Database
from .store.freeze import FreezeService
from .store.ldap import LdapStore
from .store.privileges import PrivilegeStore
from .store.repos import RepositoryStore
from .store.routing import RoutingRuleStore
from .store.security import SecurityStore, bootstrap
from .store.usage import UsageLimits, node_id

LDAP_LOG = "org.sonatype.nexus.ldap.internal.realms.LdapRealm"


@dataclass(frozen=True)
class Runtime:
    config: InstanceConfig
    db: Database
    blobs: BlobStore
    repos: RepositoryStore
    content: ContentStore
    security: SecurityStore
    tasks: TaskStore
    cleanup_policies: CleanupPolicyStore
    ldap: LdapStore
    ldap_realm: LdapRealm
    freeze: FreezeService
    privileges: PrivilegeStore
    auth: Authenticator
    pypi: PypiFormat
    app_log: AppLog
    request_log: RequestLog
    usage: UsageLimits
    routing: RoutingRuleStore


def build_runtime(config: InstanceConfig) -> Runtime:
    config.data_dir.mkdir(parents=True, exist_ok=True)
    app_log = AppLog(config.log_dir)
    db = Database(config.db_path)
    blobs = BlobStore(config.blob_dir)
    repos = RepositoryStore(db)
    content = ContentStore(db)
    blobs.collect_garbage(content.blob_refs())
    security = SecurityStore(db)
    tasks = TaskStore(db)
    if bootstrap(security, config):
        app_log.info("org.sonatype.nexus.security", "Initialized security: admin and anonymous")
    tasks.seed()
    privileges = PrivilegeStore(db)
    node = node_id(db)
    app_log.info("org.sonatype.nexus.internal.node.datastore.LocalNodeAccess", f"ID: {node}")
    usage = UsageLimits(db, node, config.usage_limit_components, config.usage_limit_requests)
    # Loaded after the first-start setup (which only writes into an empty data directory);
    # from here on a frozen node refuses every write.
    freeze = FreezeService(db)
    if freeze.request is not None:
        app_log.info(
            "org.sonatype.nexus.internal.app.FreezeServiceImpl",
            "Nexus Repository Manager is in read-only mode (requested by"
            f" {freeze.request.requested_by} at {freeze.request.frozen_at.isoformat()})",
        )
    user_agent = f"Nexus/{config.nexus_version} (OSS; {platform.system()}; {platform.release()})"
    hosted = HostedPypi(db, content, blobs, app_log, usage)
    remote = RemoteClient(app_log, OutboundLog(config.log_dir), user_agent)
    routing = RoutingRuleStore(db)
    proxy = ProxyPypi(db, content, blobs, remote, usage, routing.blocks)
    ldap = LdapStore(db)

    def directory_failed(server: str, error: DirectoryError) -> None:
        app_log.warning(LDAP_LOG, f"LDAP server '{server}' could not be asked: {error}")

    ldap_realm = LdapRealm(ldap, directory_failed)
    return Runtime(
        config=config,
        db=db,
        blobs=blobs,
        repos=repos,
        content=content,
        security=security,
        tasks=tasks,
        cleanup_policies=CleanupPolicyStore(db),
        ldap=ldap,
        ldap_realm=ldap_realm,
        freeze=freeze,
        privileges=privileges,
        auth=Authenticator(security, privileges, repos, (ldap_realm,)),
        pypi=PypiFormat(
            db, repos, content, blobs, hosted, proxy, config.skips_offline_group_members
        ),
        app_log=app_log,
        request_log=RequestLog(config.log_dir),
        usage=usage,
        routing=routing,
    )
