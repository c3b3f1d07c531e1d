"""SEC-5 and SEC-6: the Nexus admin account stays out of client files and health checks.

SEC-5 reads every `.pypirc` and CI file (GitHub Actions, GitLab CI, Jenkinsfile) of the scanned
projects for a user name an uploader or installer would log in with (a `.pypirc` `username`,
`TWINE_USERNAME`-style variables, `-u`/`--username` options, `user:` keys, `user@` in URLs)
and fails on any admin account (`expected.admin_users`): an uploader needs a deployer role,
never the administrator. Commented-out lines are skipped.

SEC-6 (health phase) proves the account holds what the health check reads, one request per
privilege of the read-only role (guardrails/roles.py), and fails naming what it lacks; then it
asks Nexus for its user list, which needs `nexus:users:read` (3.77 `UserApiResource`): the
read-only role gets 403, an answer means the check runs with administrator rights, which passes
with a warning (the health check itself still proves what it should).
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import requests

from nexus_cutover.checks import Proof
from nexus_cutover.checks.warnings import passed
from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.clients.nexus_ldap import NexusLdap
from nexus_cutover.config import Expected
from nexus_cutover.errors import ForbiddenError, NotFoundError, ServerError
from nexus_cutover.guardrails.roles import METRICS
from nexus_cutover.scan import SKIP_DIRS, detect_kind
from nexus_cutover.target import NexusEndpoint

CLIENT_KINDS = ("pypirc", "github-actions", "gitlab-ci", "jenkinsfile")
_USER_SETTING = re.compile(
    r"""(?ix)
    (?:\b[A-Z0-9_]*USER(?:NAME)?\b|\buser(?:name)?\b|(?<![\w-])(?:-u|--username|--user)\b)
    ["']?\s*[:= ]\s*["']?(?P<user>[A-Za-z0-9._@-]+)
    """
)
_URL_USER = re.compile(r"://(?P<user>[A-Za-z0-9._-]+)(?::[^@\s/]*)?@")
_COMMENT = ("#", "//", "/*", "*")


def client_files(roots: Iterable[Path]) -> list[tuple[Path, Path, str]]:
    """(root, file, kind) for every `.pypirc` and CI file below the project roots."""
    found: list[tuple[Path, Path, str]] = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if not path.is_file() or any(part in SKIP_DIRS for part in relative.parts):
                continue
            kind = detect_kind(relative)
            if kind in CLIENT_KINDS:
                found.append((root, path, kind))
    return found


def admin_uses(path: Path, kind: str, admins: set[str]) -> list[tuple[int, str]]:
    """(line, setting) wherever the file logs in as an admin account."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if kind == "pypirc":
        return _pypirc_uses(text, admins)
    uses = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(_COMMENT):
            continue
        for pattern in (_USER_SETTING, _URL_USER):
            for found in pattern.finditer(line):
                if found["user"].lower() in admins:
                    uses.append((number, found.group(0).strip()))
    return uses


def _pypirc_uses(text: str, admins: set[str]) -> list[tuple[int, str]]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    uses = []
    for section in parser.sections():
        user = parser.get(section, "username", fallback="").strip()
        if user.lower() in admins:
            uses.append((_line_of(text, section), f"[{section}] username = {user}"))
    return uses


def _line_of(text: str, section: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == f"[{section}]":
            return number
    return 0


def client_files_avoid_admin(roots: Sequence[Path], admin_users: Iterable[str]) -> Proof:
    """SEC-5: no `.pypirc` or CI file of the projects logs in as an admin account."""
    admins = {user.lower() for user in admin_users}
    files = client_files(roots)
    found = [
        f"{root.name}/{path.relative_to(root)}:{line} ({setting})"
        for root, path, kind in files
        for line, setting in admin_uses(path, kind, admins)
    ]
    if found:
        return Proof.failed(
            f"{len(found)} client settings log in to Nexus as an admin account"
            f" ({', '.join(sorted(admins))}): {'; '.join(found[:8])}; give uploaders a user"
            " with a deployer role (view add/edit/read on the hosted repository) and keep"
            " its password in a CI secret or keyring"
        )
    return Proof.passed(
        f"{len(files)} .pypirc and CI files of {len(roots)} projects read; none logs in as"
        f" {', '.join(sorted(admins))}"
    )


def lacking_privileges(
    admin: NexusAdmin, session: requests.Session, endpoint: NexusEndpoint, expected: Expected
) -> list[str]:
    """The privileges of the read-only role this account shows it lacks, one read each."""
    lacking = []
    try:
        admin.check_credentials()
    except ForbiddenError:
        lacking.append(METRICS)
    if expected.ldap:
        try:
            admin.ldap_servers()
        except ForbiddenError:
            lacking.append("nx-ldap-read")
        try:
            admin.roles()
        except ForbiddenError:
            lacking.append("nx-roles-read")
        try:
            NexusLdap(admin).active_realms()
        except ForbiddenError:
            lacking.append("nx-settings-read")
        try:
            admin.users()
        except ForbiddenError:
            lacking.append("nx-users-read")
    visible = {r.get("name") for r in admin.repositories()}
    for kind, name in zip(("proxy", "hosted", "group"), expected.repository_names, strict=True):
        try:
            admin.pypi_repository(kind, name)
        except NotFoundError:
            lacking.append(f"nx-repository-admin-pypi-{name}-read")
        if name not in visible:
            lacking.append(f"nx-repository-view-pypi-{name}-browse")
        page = f"{endpoint.simple(name)}{expected.public_package}/"
        if session.get(page, timeout=endpoint.timeout).status_code in (401, 403):
            lacking.append(f"nx-repository-view-pypi-{name}-read")
    return lacking


def least_privilege_account(
    admin: NexusAdmin,
    session: requests.Session,
    endpoint: NexusEndpoint,
    expected: Expected,
) -> Proof:
    """SEC-6: the account reads what the health check needs, and is no administrator."""
    credentials = endpoint.credentials
    if credentials is None:
        return Proof.passed("runs anonymously: no administrator rights")
    role = expected.health_role or "a read-only role"
    lacking = lacking_privileges(admin, session, endpoint, expected)
    if lacking:
        return Proof.failed(
            f"user '{credentials.user}' lacks {', '.join(lacking)}, which the health check"
            f" reads with: give it role '{role}' (`nexus-cutover migrate provision` keeps"
            " that role complete)"
        )
    advice = (
        f"run the health check as a user holding only role '{role}' (`nexus-cutover migrate"
        " provision` creates it; the README shows the user)"
    )
    reads = "status checks, the three repositories' settings, listings and index pages"
    try:
        # Privileges are read only by administrators (nexus:privileges:read): never by the
        # read-only role, which holds users:read where LDAP is expected.
        privileges = admin.privilege_names()
    except ForbiddenError:
        named = credentials.user.lower() in {u.lower() for u in expected.admin_users}
        return passed(
            f"user '{credentials.user}' reads {reads}, and may not list Nexus's privileges"
            " (403): no administrator",
            [f"the account is named '{credentials.user}' like an admin: {advice}"] if named else [],
        )
    except ServerError as error:
        return Proof.failed(f"cannot tell the account's rights: {error}")
    return passed(
        f"user '{credentials.user}' reads {reads}, and lists Nexus's {len(privileges)} privileges",
        [f"the health check runs as '{credentials.user}', an administrator: {advice}"],
    )
