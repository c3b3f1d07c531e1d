"""The check catalogue: the single source of what each check is, when it runs, what it proves.

IDs are stable: add new ones, never renumber. The plugin takes each test's phases and
whether it writes from here (a test only carries `@pytest.mark.check("ID")`), the report maps
results onto the guide's ten-item "Migration Checklist" through `Check.item`, and the README's
check table is generated from here (`nexus-cutover checks --markdown`; a self-test compares).

Adding a check (three files, plus its breaker):
1. here: a `Check` with a new ID, its title, the checklist item it helps prove, the phases it
   runs in, `writes=True` if it uploads a canary, and the evidence a pass records;
2. `checks/<module>.py`: a function that returns a `Proof` (problems, or evidence);
3. `tests/test_NN_<step>.py`: a test marked `@pytest.mark.check("ID")` that calls it with
   fixtures and hands the proof to `prove()`;
4. a breaker in `selftests/breakers/` that breaks a real service the way the check must catch
   (the catalogue self-test fails until it exists), then regenerate the README table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Phase = Literal["precutover", "postcutover", "health"]
PHASES: tuple[Phase, ...] = ("precutover", "postcutover", "health")
ALL: tuple[Phase, ...] = PHASES
BEFORE_AND_AFTER: tuple[Phase, ...] = ("precutover", "postcutover")

# The guide's final "Migration Checklist", in its order.
CHECKLIST_ITEMS: tuple[str, ...] = (
    "Nexus repositories configured (proxy, hosted, group)",
    "Existing packages uploaded to Nexus",
    "pip configured to use Nexus",
    "Test project can install from Nexus",
    "Test publishing to Nexus",
    "Update all projects' Dockerfiles",
    "Update CI/CD pipelines",
    "Verify all repos work with Nexus",
    "Archive pypiserver data",
    "Decommission pypiserver",
)
REPOSITORIES, PACKAGES, PIP, INSTALL, PUBLISH, DOCKERFILES, CI, VERIFY, ARCHIVE, DECOMMISSION = (
    range(1, 11)
)


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    item: int  # the checklist item (1-10) this check helps prove
    phases: tuple[Phase, ...]
    evidence: str  # what a passing run records as proof
    writes: bool = False  # uploads a canary (removed again): skipped by --read-only


CHECKS: tuple[Check, ...] = (
    Check(
        "PRE-1",
        "Nexus answers: status and writable endpoints",
        REPOSITORIES,
        ALL,
        "status and writable endpoints answered 200, Nexus version from the Server header",
    ),
    Check(
        "PRE-2",
        "a backup archive of the pypiserver packages exists, opens and holds every file",
        PACKAGES,
        BEFORE_AND_AFTER,
        "files of the old index found in the archive with equal sha256, archive name",
    ),
    Check(
        "PRE-3",
        "every project that still uses pypiserver is listed (scanner inventory)",
        VERIFY,
        BEFORE_AND_AFTER,
        "projects and files scanned, projects still naming the old index",
    ),
    Check(
        "PRE-4",
        "a canary project installs through Nexus",
        INSTALL,
        ("precutover",),
        "canary uploaded to hosted and installed with its public dependency from the group",
        writes=True,
    ),
    Check(
        "REPO-1",
        "proxy exists with the expected remote, auto-block and ages, online",
        REPOSITORIES,
        ALL,
        "remote URL, auto-block, ages read from the repository API",
    ),
    Check(
        "REPO-2",
        "hosted exists with the expected deployment policy",
        REPOSITORIES,
        ALL,
        "deployment policy read from the repository API",
    ),
    Check(
        "REPO-3",
        "group exists with the expected members",
        REPOSITORIES,
        ALL,
        "member list read from the repository API",
    ),
    Check(
        "REPO-4",
        "each repository serves a simple index at the repository base URL",
        REPOSITORIES,
        ALL,
        "index pages with their project or file links counted",
    ),
    Check(
        "PARITY-1",
        "every distribution file of pypiserver is in hosted with the same sha256",
        PACKAGES,
        ALL,
        "files compared by project, version, name and sha256 (assets API)",
    ),
    Check(
        "PARITY-2",
        "every migrated file downloads through the group with the same bytes",
        PACKAGES,
        ALL,
        "files downloaded through the group, bytes hashed",
    ),
    Check(
        "PARITY-3",
        "the components API lists every migrated project and version",
        PACKAGES,
        ALL,
        "project versions found in the components API",
    ),
    Check(
        "CLIENT-1",
        "global/user pip configuration points at the group",
        PIP,
        ALL,
        "pip configuration files whose index-url is the group",
    ),
    Check(
        "CLIENT-2",
        "project pip.conf files point at the group",
        PIP,
        ALL,
        "project pip settings found, all naming the group",
    ),
    Check(
        "CLIENT-3",
        "each project's requirements resolve through the group",
        INSTALL,
        ALL,
        "requirements files resolved by pip, every file's URL under the group",
    ),
    Check(
        "CLIENT-4",
        "CI pipelines (GitHub Actions, GitLab CI) use the group, not pypiserver",
        CI,
        ALL,
        "CI files scanned and their index settings",
    ),
    Check(
        "INSTALL-1",
        "a public package installs through the group, fetched from the group URL",
        INSTALL,
        ALL,
        "installed version and the URL pip fetched it from",
    ),
    Check(
        "INSTALL-2",
        "an internal package installs through the group",
        INSTALL,
        ALL,
        "internal projects resolved to their newest version from the group URL",
    ),
    Check(
        "INSTALL-3",
        "what the proxy fetched is now cached in the proxy repository",
        INSTALL,
        ALL,
        "proxy assets of the public package, newer than this run's fetch",
    ),
    Check(
        "PUBLISH-1",
        "a freshly built package uploads to hosted with twine, installs via group",
        PUBLISH,
        BEFORE_AND_AFTER,
        "canary version uploaded by twine and installed",
        writes=True,
    ),
    Check(
        "PUBLISH-2",
        ".pypirc has the nexus section and `twine upload -r nexus` works",
        PUBLISH,
        BEFORE_AND_AFTER,
        "the .pypirc section's URL and the upload it made",
        writes=True,
    ),
    Check(
        "PUBLISH-3",
        "the deployment policy behaves as configured on re-upload",
        PUBLISH,
        BEFORE_AND_AFTER,
        "Nexus's answer to a second upload of the same file",
        writes=True,
    ),
    Check(
        "DOCKER-1",
        "no Dockerfile references the old index",
        DOCKERFILES,
        ALL,
        "Dockerfiles scanned",
    ),
    Check(
        "DOCKER-2",
        "Dockerfiles that install Python packages use the group",
        DOCKERFILES,
        ALL,
        "installing Dockerfiles and the group reference each uses",
    ),
    Check(
        "DOCKER-3",
        "each such Dockerfile builds, with pip resolving through Nexus",
        DOCKERFILES,
        ALL,
        "Dockerfiles built",
    ),
    Check(
        "ROLLBACK-1",
        "the backup restores into a pypiserver that serves every package",
        ARCHIVE,
        BEFORE_AND_AFTER,
        "files served byte for byte by a pypiserver on the backup",
    ),
    Check(
        "DECOM-1",
        "decommissioning is refused until every other check passes",
        DECOMMISSION,
        BEFORE_AND_AFTER,
        "checks of this phase that ran and passed",
    ),
    Check(
        "DECOM-2",
        "pypiserver no longer answers",
        DECOMMISSION,
        ("postcutover", "health"),
        "how the old index's address answered",
    ),
    Check(
        "DECOM-3",
        "the archived package folder holds every file",
        ARCHIVE,
        ("postcutover",),
        "files of the backup found in the archived folder with equal sha256",
    ),
    Check(
        "LDAP-1",
        "LDAP is configured as expected and verifies; groups map to roles; a directory user"
        " logs in with them",
        REPOSITORIES,
        ALL,
        "the server's URL and base DNs, verified; mapped groups; the probe user's login and roles",
    ),
    Check(
        "LDAP-2",
        "the mapped roles decide who publishes: the probe user uploads, the denied user gets 403",
        PUBLISH,
        BEFORE_AND_AFTER,
        "the probe user's upload to hosted and the denied user's refused one",
        writes=True,
    ),
    Check(
        "TS-1",
        "troubleshooting: Nexus status answers",
        VERIFY,
        ALL,
        "anonymous GET of the status endpoint",
    ),
    Check(
        "TS-2",
        "troubleshooting: the repositories list names the expected repositories",
        VERIFY,
        ALL,
        "repositories listed with their format",
    ),
    Check(
        "TS-3",
        "troubleshooting: pip config of the environment under test names the group",
        PIP,
        ALL,
        "`pip config list` output naming the group",
    ),
    Check(
        "TS-4",
        "troubleshooting: a direct --index-url install from the group works",
        INSTALL,
        ALL,
        "package installed with --index-url and its URL",
    ),
    Check(
        "TS-5",
        "troubleshooting: the deployer credentials are accepted",
        VERIFY,
        ALL,
        "an endpoint that needs a login answered 200 for the configured user",
    ),
    Check(
        "TS-6",
        "troubleshooting: the hosted repository accepts uploads",
        PUBLISH,
        ALL,
        "hosted's deployment policy and online state",
    ),
    Check(
        "TS-7",
        "troubleshooting: a verbose twine upload reports the server's answer",
        PUBLISH,
        BEFORE_AND_AFTER,
        "the status line twine --verbose printed",
        writes=True,
    ),
    Check(
        "TS-8",
        "troubleshooting: a package fetched through the proxy is in its cache",
        VERIFY,
        ALL,
        "proxy assets of the package, newer than this run's fetch",
    ),
    Check(
        "TS-9",
        "troubleshooting: pip install --no-cache-dir fetches from upstream via Nexus",
        INSTALL,
        ALL,
        "package installed without cache and its URL",
    ),
    Check(
        "TS-10",
        "troubleshooting: the Nexus log has lines for the package",
        VERIFY,
        ALL,
        "request log lines for this run's fetch of the package",
    ),
    Check(
        "SEC-1",
        "no internal project can be shadowed by a public one through the group",
        VERIFY,
        ALL,
        "internal names checked against the proxy",
    ),
    Check(
        "SEC-2",
        "anonymous users cannot upload or delete",
        VERIFY,
        BEFORE_AND_AFTER,
        "anonymous upload and delete refused, with Nexus's answers",
        writes=True,
    ),
    Check(
        "SEC-3",
        "no credentials in committed files",
        VERIFY,
        ALL,
        "project files scanned for credentials",
    ),
)

CHECK_IDS: frozenset[str] = frozenset(check.id for check in CHECKS)
_BY_ID = {check.id: check for check in CHECKS}


@dataclass(frozen=True)
class ChecklistItem:
    item: str
    checks: tuple[str, ...]


def _checklist() -> tuple[ChecklistItem, ...]:
    return tuple(
        ChecklistItem(title, tuple(c.id for c in CHECKS if c.item == number))
        for number, title in enumerate(CHECKLIST_ITEMS, start=1)
    )


# The guide's final "Migration Checklist"; each item is the conjunction of its checks.
CHECKLIST: tuple[ChecklistItem, ...] = _checklist()


def check(check_id: str) -> Check:
    try:
        return _BY_ID[check_id]
    except KeyError:
        raise KeyError(f"unknown check ID {check_id!r}") from None


def check_title(check_id: str) -> str:
    return check(check_id).title


def checks_in_phase(phase: str) -> tuple[Check, ...]:
    """The checks of `phase` ("all": every check)."""
    return tuple(c for c in CHECKS if phase == "all" or phase in c.phases)


def markdown_table() -> str:
    """The README's check table: ID, what it proves, phases, evidence."""
    lines = [
        "| ID | what it proves | phases | writes | evidence a pass records |",
        "|---|---|---|---|---|",
    ]
    for c in CHECKS:
        phases = ", ".join(c.phases)
        writes = "canary" if c.writes else ""
        lines.append(f"| {c.id} | {c.title} | {phases} | {writes} | {c.evidence} |")
    return "\n".join(lines) + "\n"
