"""The migration guide's steps, each idempotent and each able to show what it would change.

One module per step: `backup` (Step 1), `provision` (Step 2), `upload` (Step 3), `configure`
(Steps 4 and 7), `rollback` (the Rollback Plan), `decommission` (Step 8). What they record
lives in the target's state dir (layout in `state`).

Each name is imported from its step's module on first use: `nexus-cutover migrate upload`
should not pay for loading the configure step's project scanner, nor backup's archiver.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nexus_cutover.migrate.backup import BackupResult, backup, remember
    from nexus_cutover.migrate.configure import ConfigureResult, FileRewrite, configure
    from nexus_cutover.migrate.decommission import (
        DecommissionResult,
        Gate,
        check_gate,
        decommission,
    )
    from nexus_cutover.migrate.errors import (
        BackupError,
        JournalError,
        MigrationError,
        ProvisionError,
        RefusedError,
    )
    from nexus_cutover.migrate.journal import Change, Journal
    from nexus_cutover.migrate.ldap import LdapProvisionResult, provision_ldap
    from nexus_cutover.migrate.provision import ProvisionResult, provision, repository_drift
    from nexus_cutover.migrate.roles import RoleResult, provision_health_role, user_instructions
    from nexus_cutover.migrate.rollback import RollbackResult, rollback
    from nexus_cutover.migrate.routing import RoutingResult, internal_projects, provision_routing
    from nexus_cutover.migrate.sources import ServerSource, resolve_source
    from nexus_cutover.migrate.upload import FileOutcome, UploadResult, upload
    from nexus_cutover.repoconfig import Drift, compute_drift

_WHERE: dict[str, str] = {
    "LdapProvisionResult": "nexus_cutover.migrate.ldap",
    "provision_ldap": "nexus_cutover.migrate.ldap",
    "RoleResult": "nexus_cutover.migrate.roles",
    "provision_health_role": "nexus_cutover.migrate.roles",
    "user_instructions": "nexus_cutover.migrate.roles",
    "RoutingResult": "nexus_cutover.migrate.routing",
    "internal_projects": "nexus_cutover.migrate.routing",
    "provision_routing": "nexus_cutover.migrate.routing",
    "BackupError": "nexus_cutover.migrate.errors",
    "BackupResult": "nexus_cutover.migrate.backup",
    "Change": "nexus_cutover.migrate.journal",
    "ConfigureResult": "nexus_cutover.migrate.configure",
    "DecommissionResult": "nexus_cutover.migrate.decommission",
    "Drift": "nexus_cutover.repoconfig",
    "FileOutcome": "nexus_cutover.migrate.upload",
    "FileRewrite": "nexus_cutover.migrate.configure",
    "Gate": "nexus_cutover.migrate.decommission",
    "Journal": "nexus_cutover.migrate.journal",
    "JournalError": "nexus_cutover.migrate.errors",
    "MigrationError": "nexus_cutover.migrate.errors",
    "ProvisionError": "nexus_cutover.migrate.errors",
    "ProvisionResult": "nexus_cutover.migrate.provision",
    "RefusedError": "nexus_cutover.migrate.errors",
    "RollbackResult": "nexus_cutover.migrate.rollback",
    "ServerSource": "nexus_cutover.migrate.sources",
    "UploadResult": "nexus_cutover.migrate.upload",
    "backup": "nexus_cutover.migrate.backup",
    "check_gate": "nexus_cutover.migrate.decommission",
    "compute_drift": "nexus_cutover.repoconfig",
    "configure": "nexus_cutover.migrate.configure",
    "decommission": "nexus_cutover.migrate.decommission",
    "provision": "nexus_cutover.migrate.provision",
    "remember": "nexus_cutover.migrate.backup",
    "repository_drift": "nexus_cutover.migrate.provision",
    "resolve_source": "nexus_cutover.migrate.sources",
    "rollback": "nexus_cutover.migrate.rollback",
    "upload": "nexus_cutover.migrate.upload",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


class _Steps(types.ModuleType):
    """Importing the step module `upload` binds the package's `upload` to that module, which
    would hide the function of the same name; the function stays (as an eager
    `from .upload import upload` in this file would leave it)."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and _WHERE.get(name, "").endswith(f".{name}"):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Steps


__all__ = [
    "BackupError",
    "BackupResult",
    "Change",
    "ConfigureResult",
    "DecommissionResult",
    "Drift",
    "FileOutcome",
    "FileRewrite",
    "Gate",
    "Journal",
    "JournalError",
    "LdapProvisionResult",
    "MigrationError",
    "ProvisionError",
    "ProvisionResult",
    "RefusedError",
    "RoleResult",
    "RollbackResult",
    "RoutingResult",
    "ServerSource",
    "UploadResult",
    "backup",
    "check_gate",
    "compute_drift",
    "configure",
    "decommission",
    "internal_projects",
    "provision",
    "provision_health_role",
    "provision_ldap",
    "provision_routing",
    "remember",
    "repository_drift",
    "resolve_source",
    "rollback",
    "upload",
    "user_instructions",
]
