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
        "GET /v1/status and /v1/status/writable answered 200 (URL, user)",
    ),
    Check(
        "PRE-2",
        "a backup archive of the pypiserver packages exists, opens and holds every file",
        PACKAGES,
        BEFORE_AND_AFTER,
        "files of the old index found in the archive with equal sha256, archive name, manifest "
        "size",
    ),
    Check(
        "PRE-3",
        "every project that still uses pypiserver is listed (scanner inventory)",
        VERIFY,
        BEFORE_AND_AFTER,
        "projects and files scanned (all readable), projects still naming the old index, and"
        " the clients (address, User-Agent, projects) pypiserver's request log shows",
    ),
    Check(
        "PRE-4",
        "a canary project installs through Nexus",
        INSTALL,
        ("precutover",),
        "canary app stored in hosted (components API, sha256), hosted and group pages fresh, "
        "installed with its public dependency, every file from the group",
        writes=True,
    ),
    Check(
        "REPO-1",
        "proxy exists with the expected remote, auto-block and ages, online",
        REPOSITORIES,
        ALL,
        "online, remote URL, blocked, auto-block and both ages as read from the repository API",
    ),
    Check(
        "REPO-2",
        "hosted exists with the expected deployment policy",
        REPOSITORIES,
        ALL,
        "online and deployment policy as read from the repository API",
    ),
    Check(
        "REPO-3",
        "group exists with the expected members",
        REPOSITORIES,
        ALL,
        "online and member list as read from the repository API",
    ),
    Check(
        "REPO-4",
        "each repository serves a simple index at the repository base URL",
        REPOSITORIES,
        ALL,
        "hosted's root page: projects listed and how many migrated ones; proxy and group pages of"
        " the public package: files, all under their own URL",
    ),
    Check(
        "PARITY-1",
        "every distribution file of pypiserver is in hosted with the same sha256",
        PACKAGES,
        ALL,
        "files and projects found by project, version, name and sha256 (assets API) and in "
        "hosted's pages with equal #sha256",
    ),
    Check(
        "PARITY-2",
        "every migrated file downloads through the group with the same bytes",
        PACKAGES,
        ALL,
        "files downloaded through the group from its URL, bytes hashed, equal to the old index "
        "and the page's #sha256",
    ),
    Check(
        "PARITY-3",
        "the components API lists every migrated project and version",
        PACKAGES,
        ALL,
        "project versions and files found in the components API (pages read), each file under its"
        " version with equal sha256",
    ),
    Check(
        "CLIENT-1",
        "global/user pip configuration points at the group",
        PIP,
        ALL,
        "the pip configuration files whose index-url is the group",
    ),
    Check(
        "CLIENT-2",
        "project pip.conf files point at the group",
        PIP,
        ALL,
        "project pip settings counted, all naming the group; every project names its index",
    ),
    Check(
        "CLIENT-3",
        "each project's requirements resolve through the group",
        INSTALL,
        ALL,
        "requirements files resolved by pip, distributions in its report, every URL under the "
        "group",
    ),
    Check(
        "CLIENT-4",
        "CI pipelines (GitHub Actions, GitLab CI) use the group, not pypiserver",
        CI,
        ALL,
        "CI files scanned and their install settings, all naming the group",
    ),
    Check(
        "INSTALL-1",
        "a public package installs through the group, fetched from the group URL",
        INSTALL,
        ALL,
        "installed version, the URL pip's report names, dependencies all from the group",
    ),
    Check(
        "INSTALL-2",
        "an internal package installs through the group",
        INSTALL,
        ALL,
        "internal projects resolved to the old index's newest versions from the group URL",
    ),
    Check(
        "INSTALL-3",
        "what the proxy fetched is now cached in the proxy repository",
        INSTALL,
        ALL,
        "file fetched through the group, then found in the proxy with equal sha256 and a "
        "timestamp newer than the fetch (server clock)",
    ),
    Check(
        "PUBLISH-1",
        "a freshly built package uploads to hosted with twine, installs via group",
        PUBLISH,
        BEFORE_AND_AFTER,
        "canary version stored (components API, sha256), hosted and group pages fresh, installed "
        "through the group",
        writes=True,
    ),
    Check(
        "PUBLISH-2",
        ".pypirc has the nexus section and `twine upload -r nexus` works",
        PUBLISH,
        BEFORE_AND_AFTER,
        "the .pypirc [nexus] URL and the upload it stored (components API, sha256)",
        writes=True,
    ),
    Check(
        "PUBLISH-3",
        "the deployment policy behaves as configured on re-upload",
        PUBLISH,
        BEFORE_AND_AFTER,
        "the outcome of a second upload of the same file, against the expected policy",
        writes=True,
    ),
    Check(
        "DOCKER-1",
        "no Dockerfile references the old index",
        DOCKERFILES,
        ALL,
        "Dockerfiles scanned and their index references, none naming the old index",
    ),
    Check(
        "DOCKER-2",
        "Dockerfiles that install Python packages use the group",
        DOCKERFILES,
        ALL,
        "installing Dockerfiles, each naming the group",
    ),
    Check(
        "DOCKER-3",
        "each such Dockerfile builds, with pip resolving through Nexus",
        DOCKERFILES,
        ALL,
        "Dockerfiles built, pip resolving through Nexus",
    ),
    Check(
        "ROLLBACK-1",
        "the backup restores into a pypiserver that serves every package",
        ARCHIVE,
        BEFORE_AND_AFTER,
        "files of the old index (and the manifest) served byte for byte by a pypiserver on the "
        "restored backup",
    ),
    Check(
        "DECOM-1",
        "decommissioning is refused until every other check passes",
        DECOMMISSION,
        BEFORE_AND_AFTER,
        "checks of this phase that ran and passed, and those not applicable",
    ),
    Check(
        "DECOM-2",
        "pypiserver no longer answers",
        DECOMMISSION,
        ("postcutover", "health"),
        "connection refused (or 404/410) at the old address, and what its name resolves to",
    ),
    Check(
        "DECOM-3",
        "the archived package folder holds every file",
        ARCHIVE,
        ("postcutover",),
        "files of the backup (manifest and bytes) and of any remaining old folder found in the "
        "archived folder with equal sha256",
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
        "anonymous GET /v1/status answered 200",
    ),
    Check(
        "TS-2",
        "troubleshooting: the repositories list names the expected repositories",
        VERIFY,
        ALL,
        "the three repositories listed as pypi with their type, and how many are listed",
    ),
    Check(
        "TS-3",
        "troubleshooting: pip config of the environment under test names the group",
        PIP,
        ALL,
        "the `pip config list` line naming the group, with only the named file loaded",
    ),
    Check(
        "TS-4",
        "troubleshooting: a direct --index-url install from the group works",
        INSTALL,
        ALL,
        "package installed with --index-url and the URL from pip's report",
    ),
    Check(
        "TS-5",
        "troubleshooting: the deployer credentials are accepted",
        VERIFY,
        ALL,
        "GET /v1/status/check (needs a login) answered 200 for the configured user",
    ),
    Check(
        "TS-6",
        "troubleshooting: the hosted repository accepts uploads",
        PUBLISH,
        ALL,
        "hosted online, with its deployment policy",
    ),
    Check(
        "TS-7",
        "troubleshooting: a verbose twine upload reports the server's answer",
        PUBLISH,
        BEFORE_AND_AFTER,
        "the status line twine --verbose printed, and the upload stored (components API)",
        writes=True,
    ),
    Check(
        "TS-8",
        "troubleshooting: a package fetched through the proxy is in its cache",
        VERIFY,
        ALL,
        "file fetched through the proxy, found in its cache with equal sha256 and a timestamp "
        "newer than the fetch",
    ),
    Check(
        "TS-9",
        "troubleshooting: pip install --no-cache-dir fetches from upstream via Nexus",
        INSTALL,
        ALL,
        "package installed without cache, only the pip.conf naming the index, and its URL",
    ),
    Check(
        "TS-10",
        "troubleshooting: the Nexus log has lines for the package",
        VERIFY,
        ALL,
        "request log lines for the group written during this check",
    ),
    Check(
        "SEC-1",
        "no internal project can be shadowed by a public one through the group",
        VERIFY,
        ALL,
        "internal projects (old index and hosted) whose group pages list only hosted's files,"
        " each refused by the proxy's routing rule (403)",
    ),
    Check(
        "SEC-2",
        "anonymous users cannot upload or delete",
        VERIFY,
        BEFORE_AND_AFTER,
        "anonymous upload and delete refused with Nexus's status codes, the canary still listed",
        writes=True,
    ),
    Check(
        "SEC-3",
        "no credentials in committed files",
        VERIFY,
        ALL,
        "project files scanned, no credentials",
    ),
    Check(
        "SEC-4",
        "no credentials over plain http, no trusted-host for an https index",
        VERIFY,
        ALL,
        "index references checked for transport; a plain-http Nexus is a warning",
    ),
    # Guard rails beyond the guide (tests/test_13_guard_rails.py).
    Check(
        "SEC-5",
        "client files (.pypirc, CI) do not log in as the Nexus admin",
        VERIFY,
        ALL,
        ".pypirc and CI files of the projects read, none naming an admin account",
    ),
    Check(
        "SEC-6",
        "the health check runs as a least-privilege account: what it reads, no admin",
        VERIFY,
        ("health",),
        "one read per privilege of the read-only role, and the account's 403 to an admin-only"
        " read (an admin passes with a warning)",
    ),
    Check(
        "DECOM-4",
        "no client still fetches from pypiserver (its request log)",
        DECOMMISSION,
        ("postcutover", "health"),
        "requests read from pypiserver's log since the cutover, none from a client",
    ),
    Check(
        "CAP-1",
        "the migration fits the Nexus Community Edition usage limits",
        PACKAGES,
        ("precutover",),
        "components and requests a day after the migration against the limits of the version"
        " in the Server header (75%: warning)",
    ),
    Check(
        "CAP-2",
        "Nexus stays below its usage limits and does not refuse new components",
        VERIFY,
        ("postcutover", "health"),
        "components and requests a day as Nexus reports them (or counted) against its limits,"
        " and a proxy fetch not refused",
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
