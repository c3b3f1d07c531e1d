"""The migration guide's steps, each idempotent and each able to show what it would change.

One module per step: `backup` (Step 1), `provision` (Step 2), `upload` (Step 3), `configure`
(Steps 4 and 7), `rollback` (the Rollback Plan), `decommission` (Step 8). What they record
lives in the target's state dir (layout in `state`).
"""

from nexus_cutover.migrate.backup import BackupResult, backup, remember
from nexus_cutover.migrate.configure import ConfigureResult, FileRewrite, configure
from nexus_cutover.migrate.decommission import DecommissionResult, Gate, check_gate, decommission
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
from nexus_cutover.migrate.rollback import RollbackResult, rollback
from nexus_cutover.migrate.upload import FileOutcome, UploadResult, upload
from nexus_cutover.repoconfig import Drift, compute_drift

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
    "RollbackResult",
    "UploadResult",
    "backup",
    "check_gate",
    "compute_drift",
    "configure",
    "decommission",
    "provision",
    "provision_ldap",
    "remember",
    "repository_drift",
    "rollback",
    "upload",
]
