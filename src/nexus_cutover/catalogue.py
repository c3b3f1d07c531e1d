"""The check catalogue: stable IDs, what each proves, and the guide's final checklist.

IDs are stable: add new ones, never renumber. The report maps test results back to the
guide's ten-item "Migration Checklist" through `CHECKLIST`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Phase = Literal["precutover", "postcutover", "health"]
PHASES: tuple[Phase, ...] = ("precutover", "postcutover", "health")


@dataclass(frozen=True)
class Check:
    id: str
    title: str


CHECKS: tuple[Check, ...] = (
    Check("PRE-1", "Nexus answers: status and writable endpoints"),
    Check(
        "PRE-2", "a backup archive of the pypiserver packages exists, opens and holds every file"
    ),
    Check("PRE-3", "every project that still uses pypiserver is listed (scanner inventory)"),
    Check("PRE-4", "a canary project installs through Nexus"),
    Check("REPO-1", "proxy exists with the expected remote, auto-block and ages, online"),
    Check("REPO-2", "hosted exists with the expected deployment policy"),
    Check("REPO-3", "group exists with the expected members"),
    Check("REPO-4", "each repository serves a simple index at the repository base URL"),
    Check("PARITY-1", "every distribution file of pypiserver is in hosted with the same sha256"),
    Check("PARITY-2", "every migrated file downloads through the group with the same bytes"),
    Check("PARITY-3", "the components API lists every migrated project and version"),
    Check("CLIENT-1", "global/user pip configuration points at the group"),
    Check("CLIENT-2", "project pip.conf files point at the group"),
    Check("CLIENT-3", "each project's requirements resolve through the group"),
    Check("CLIENT-4", "CI pipelines (GitHub Actions, GitLab CI) use the group, not pypiserver"),
    Check("INSTALL-1", "a public package installs through the group, fetched from the group URL"),
    Check("INSTALL-2", "an internal package installs through the group"),
    Check("INSTALL-3", "what the proxy fetched is now cached in the proxy repository"),
    Check("PUBLISH-1", "a freshly built package uploads to hosted with twine, installs via group"),
    Check("PUBLISH-2", ".pypirc has the nexus section and `twine upload -r nexus` works"),
    Check("PUBLISH-3", "the deployment policy behaves as configured on re-upload"),
    Check("DOCKER-1", "no Dockerfile references the old index"),
    Check("DOCKER-2", "Dockerfiles that install Python packages use the group"),
    Check("DOCKER-3", "each such Dockerfile builds, with pip resolving through Nexus"),
    Check("ROLLBACK-1", "the backup restores into a pypiserver that serves every package"),
    Check("DECOM-1", "decommissioning is refused until every other check passes"),
    Check("DECOM-2", "pypiserver no longer answers"),
    Check("DECOM-3", "the archived package folder holds every file"),
    Check("LDAP-1", "LDAP is configured, its connection verifies, groups map to roles"),
    Check("TS-1", "troubleshooting: Nexus status answers"),
    Check("TS-2", "troubleshooting: the repositories list names the expected repositories"),
    Check("TS-3", "troubleshooting: pip config of the environment under test names the group"),
    Check("TS-4", "troubleshooting: a direct --index-url install from the group works"),
    Check("TS-5", "troubleshooting: the deployer credentials are accepted"),
    Check("TS-6", "troubleshooting: the hosted repository accepts uploads"),
    Check("TS-7", "troubleshooting: a verbose twine upload reports the server's answer"),
    Check("TS-8", "troubleshooting: a package fetched through the proxy is in its cache"),
    Check("TS-9", "troubleshooting: pip install --no-cache-dir fetches from upstream via Nexus"),
    Check("TS-10", "troubleshooting: the Nexus log has lines for the package"),
    Check("SEC-1", "no internal project can be shadowed by a public one through the group"),
    Check("SEC-2", "anonymous users cannot upload or delete"),
    Check("SEC-3", "no credentials in committed files"),
)

CHECK_IDS: frozenset[str] = frozenset(check.id for check in CHECKS)


@dataclass(frozen=True)
class ChecklistItem:
    item: str
    checks: tuple[str, ...]


# The guide's final "Migration Checklist"; each item is the conjunction of these checks.
CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "Nexus repositories configured (proxy, hosted, group)",
        ("PRE-1", "REPO-1", "REPO-2", "REPO-3", "REPO-4", "LDAP-1"),
    ),
    ChecklistItem(
        "Existing packages uploaded to Nexus",
        ("PRE-2", "PARITY-1", "PARITY-2", "PARITY-3"),
    ),
    ChecklistItem("pip configured to use Nexus", ("CLIENT-1", "CLIENT-2", "TS-3")),
    ChecklistItem(
        "Test project can install from Nexus",
        ("PRE-4", "INSTALL-1", "INSTALL-2", "INSTALL-3", "CLIENT-3", "TS-4", "TS-9"),
    ),
    ChecklistItem(
        "Test publishing to Nexus", ("PUBLISH-1", "PUBLISH-2", "PUBLISH-3", "TS-6", "TS-7")
    ),
    ChecklistItem("Update all projects' Dockerfiles", ("DOCKER-1", "DOCKER-2", "DOCKER-3")),
    ChecklistItem("Update CI/CD pipelines", ("CLIENT-4",)),
    ChecklistItem(
        "Verify all repos work with Nexus",
        ("PRE-3", "TS-1", "TS-2", "TS-5", "TS-8", "TS-10", "SEC-1", "SEC-2", "SEC-3"),
    ),
    ChecklistItem("Archive pypiserver data", ("ROLLBACK-1", "DECOM-3")),
    ChecklistItem("Decommission pypiserver", ("DECOM-1", "DECOM-2")),
)


def check_title(check_id: str) -> str:
    for check in CHECKS:
        if check.id == check_id:
            return check.title
    raise KeyError(f"unknown check ID {check_id!r}")
