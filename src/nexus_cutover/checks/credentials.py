"""SEC-3 (leftover pypiserver logins in .pypirc) and SEC-4 (how credentials and packages travel).

SEC-4's rule, decided here once: a finding fails the check when it exposes something for
real, and is a warning (recorded in the evidence of a pass) when it is the guide's own setup.

- fails: a password or token sent over plain http to a host other than this machine (in an
  index URL, or a .pypirc password for an http repository); a `trusted-host` for a host the
  project or Nexus reaches over https, or for a host no plain-http index of the project uses
  (pip then accepts any certificate from it);
- warns: Nexus itself, or a `trusted-host` for it, on plain http off this machine: the guide's
  Step 4/7 setup. Packages and the logins of twine and the REST API cross the network
  unencrypted; the remedy is TLS in front of Nexus (a reverse proxy), https URLs, and no
  trusted-host. Loopback (127.0.0.0/8, ::1, localhost) never leaves the machine: neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nexus_cutover.checks import Problems, Proof
from nexus_cutover.scan import (
    IndexReference,
    ScanContext,
    ScanResult,
    classify_url,
    pypirc_servers,
    scan_context,
    scan_file,
)
from nexus_cutover.scan.urls import Endpoint, endpoint
from nexus_cutover.target import Target

NEXUS = ("nexus-group", "nexus-other")
TLS_REMEDY = "put TLS in front of Nexus (a reverse proxy) and use https URLs, no trusted-host"
LOGIN_REMEDY = (
    "give twine the Nexus login as TWINE_USERNAME/TWINE_PASSWORD, in the keyring, or as a"
    " Nexus user token"
)


# -- SEC-3: pypiserver's login left in a .pypirc section that uploads to Nexus -------------


def pypirc_leftovers(
    projects: Sequence[ScanResult],
    target: Target,
    pypiserver_user: str | None = None,
    nexus_user: str | None = None,
) -> Problems:
    """Sections of the user's .pypirc and of project .pypirc files that upload to Nexus with
    pypiserver's user, or (user file) with a password in plain text. Project files' passwords
    are SEC-3's committed credentials already and are not listed twice. The users are the
    target's, else the configured ones (a user given without a password)."""
    context = scan_context(target)
    old, new = target.pypiserver.credentials, target.nexus.credentials
    pypiserver_user = old.user if old else pypiserver_user
    nexus_user = new.user if new else nexus_user
    files = [(path, True) for path in _project_pypircs(projects)]
    if target.clients.pypirc is not None and target.clients.pypirc.is_file():
        files.append((target.clients.pypirc, False))
    problems = []
    for path, committed in files:
        for name, what in _leftovers(path, context, pypiserver_user, nexus_user, committed):
            problems.append(
                f"Remove {what} from {path} [{name}], which uploads to Nexus, and {LOGIN_REMEDY}"
            )
    return problems


def no_old_logins(
    committed: Proof, projects: Sequence[ScanResult], target: Target, pypiserver_user: str | None
) -> Proof:
    """SEC-3 in full: the committed credentials' proof, and no pypiserver login left in a
    .pypirc section that uploads to Nexus."""
    leftovers = pypirc_leftovers(projects, target, pypiserver_user)
    if committed.problems or leftovers:
        return Proof.failed(*committed.problems, *leftovers)
    return Proof.passed(
        f"{committed.evidence}; no .pypirc section uploading to Nexus keeps pypiserver's login"
    )


def _project_pypircs(projects: Sequence[ScanResult]) -> list[Path]:
    found = {
        (result.root / ref.path).resolve()
        for result in projects
        for ref in result.references
        if ref.file_kind == "pypirc"
    }
    return sorted(found)


def _leftovers(
    path: Path,
    context: ScanContext,
    pypiserver_user: str | None,
    nexus_user: str | None,
    committed: bool,
) -> list[tuple[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []  # unreadable: the scanner's problems (PRE-3, PUBLISH-2) report it
    found = []
    for server in pypirc_servers(text):
        if classify_url(server.repository, context) not in NEXUS:
            continue
        if server.has_password and not committed:
            found.append((server.name, "a password in plain text"))
        old_user = pypiserver_user and pypiserver_user != nexus_user
        if old_user and server.username == pypiserver_user:
            found.append((server.name, f"pypiserver's user '{pypiserver_user}'"))
    return found


# -- SEC-4: credentials over plain http, trusted-host switching certificate checks off ------


@dataclass(frozen=True)
class _Use:
    """Where a project reaches a host, by scheme."""

    http: set[str]
    https: set[str]


def transport_security(
    projects: Sequence[ScanResult], user_files: Iterable[Path], target: Target
) -> Proof:
    """SEC-4 over the projects, the user's pip configuration and .pypirc, and the target."""
    context = scan_context(target)
    results = list(projects) + [
        scan_file(path, path.parent, context) for path in user_files if path.is_file()
    ]
    nexus = endpoint(target.nexus.repository_url)
    problems: list[str] = []
    warnings = _nexus_warnings(target)
    references = 0
    for result in results:
        use = _hosts_by_scheme(result.references, nexus)
        for ref in result.references:
            references += 1
            problems += _credential_problems(result, ref)
            found, warning = _trust_findings(result, ref, use, nexus)
            problems += found
            warnings += warning
        problems += _pypirc_over_http(result)
    if problems:
        return Proof.failed(*problems)
    checked = f"{references} index references in {len(results)} scanned trees and files"
    note = "; ".join(dict.fromkeys(warnings))
    return Proof.passed(
        f"{checked}: no credentials over plain http, no trusted-host for an https index"
        + (f"; warning: {note}" if note else "")
    )


def _where(result: ScanResult, ref: IndexReference) -> str:
    return f"{result.root.name}/{ref.path}:{ref.line}"


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _hosts_by_scheme(references: Iterable[IndexReference], nexus: Endpoint | None) -> _Use:
    use = _Use(set(), set())
    for ref in references:
        point = endpoint(ref.text) if ref.purpose != "trust" else None
        if point is not None and point.scheme in ("http", "https"):
            (use.http if point.scheme == "http" else use.https).add(point.host)
    if nexus is not None and nexus.scheme in ("http", "https"):
        (use.http if nexus.scheme == "http" else use.https).add(nexus.host)
    return use


def _credential_problems(result: ScanResult, ref: IndexReference) -> Problems:
    point = endpoint(ref.text)
    if not ref.credentials or point is None or point.scheme != "http":
        return []
    if is_loopback(point.host):
        return []
    return [
        f"Take the password out of {_where(result, ref)} ({ref.setting}) and {TLS_REMEDY}:"
        f" it is sent over plain http to {point.host}"
    ]


def _trust_findings(
    result: ScanResult, ref: IndexReference, use: _Use, nexus: Endpoint | None
) -> tuple[Problems, list[str]]:
    if ref.purpose != "trust":
        return [], []
    point = endpoint(ref.text)
    if point is None:
        return [], []  # a variable: its value is not in the file
    host, where = point.host, f"{_where(result, ref)} ({ref.setting})"
    if host in use.https:
        return [
            f"Remove trusted-host {host} from {where} (give pip the CA with `cert` or PIP_CERT"
            " instead): it switches off certificate verification for an https index"
        ], []
    if host not in use.http:
        return [
            f"Remove trusted-host {host} from {where}: no index of this project is plain http"
            " there, so the entry only makes pip accept any certificate from that host"
        ], []
    if is_loopback(host):
        return [], []
    is_nexus = nexus is not None and nexus.host == host
    what = "Nexus" if is_nexus else host
    return [], [f"{TLS_REMEDY}: trusted-host {host} ({where}) is there as {what} is plain http"]


def _pypirc_over_http(result: ScanResult) -> Problems:
    problems = []
    files = {ref.path for ref in result.references if ref.file_kind == "pypirc"}
    for relative in sorted(files):
        path = result.root / relative
        try:
            servers = pypirc_servers(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            continue
        for server in servers:
            point = endpoint(server.repository)
            if not server.has_password or point is None or point.scheme != "http":
                continue
            if not is_loopback(point.host):
                problems.append(
                    f"Remove the password from {result.root.name}/{relative} [{server.name}] and"
                    f" {TLS_REMEDY}: twine sends it over plain http to {point.host}"
                )
    return problems


def _nexus_warnings(target: Target) -> list[str]:
    warnings = []
    for url in dict.fromkeys((target.nexus.url, target.nexus.repository_url)):
        point = endpoint(url)
        if point is not None and point.scheme == "http" and not is_loopback(point.host):
            warnings.append(
                f"{TLS_REMEDY}: Nexus is plain http at {url}, so logins and packages cross the"
                " network unencrypted"
            )
    return warnings
