"""PUBLISH-1..3, PRE-4, TS-6, TS-7: twine uploads to hosted behave as configured.

Uploads use a canary project under a reserved name, with a new version each run; the tests
remove it again and prove the removal. Twine's exit status alone proves nothing: an upload
counts only when the components API then lists the file under its project and version with
the same sha256, and hosted's and the group's index pages list exactly the current files.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests
from packaging.utils import canonicalize_name

from nexus_cutover.checks import Problems, Proof, count, listing
from nexus_cutover.checks.install import installs_through_group
from nexus_cutover.clients.nexus import Component, NexusClient
from nexus_cutover.clients.sandbox import Run, Sandbox
from nexus_cutover.clients.simple import project_links
from nexus_cutover.config import Expected
from nexus_cutover.dists import parse_filename, sha256_of
from nexus_cutover.errors import NotFoundError, ServerError
from nexus_cutover.target import Credentials, Target

# What Nexus says when the write policy refuses an upload (H2/PostgreSQL and OrientDB wording).
REFUSED = (
    "cannot be updated",
    "cannot be deleted",
    "does not allow updating",
    "is read-only",
    "read only",
)
_STATUS_LINE = re.compile(r"\b([1-5]\d\d) [A-Z][A-Za-z ]*")


def upload(
    sandbox: Sandbox,
    files: list[Path],
    hosted_url: str,
    credentials: Credentials | None,
    verbose: bool = False,
) -> Run:
    args = [
        "upload",
        "--repository-url",
        hosted_url,
        *(["--verbose"] if verbose else []),
        *map(str, files),
    ]
    return sandbox.twine(args, credentials)


def upload_problems(run: Run, hosted_url: str) -> Problems:
    if run.ok:
        return []
    refused = next((phrase for phrase in REFUSED if phrase in run.output), None)
    if refused:
        return [
            f"twine upload to {hosted_url} was refused by the deployment policy"
            f" ('{refused}'); set pypi-hosted's deployment policy to 'Allow redeploy'"
        ]
    return [f"twine upload to {hosted_url} failed: {run.tail(3)}"]


# -- what hosted holds of a project ------------------------------------------------------------


def project_components(client: NexusClient, hosted: str, project: str) -> list[Component]:
    wanted = canonicalize_name(project)
    return [c for c in client.components(hosted) if canonicalize_name(c.name) == wanted]


def landed(client: NexusClient, hosted: str, files: Sequence[Path]) -> Proof:
    """Each uploaded file is listed by the components API under its project and version,
    with the sha256 of the local file: the upload really stored it."""
    if not files:
        return Proof.failed("nothing was uploaded")
    project, _version = parse_filename(files[0].name)
    try:
        components = project_components(client, hosted, project)
    except ServerError as error:
        return Proof.failed(str(error))
    stored = {
        asset.filename: (component, asset) for component in components for asset in component.assets
    }
    problems = []
    for path in files:
        _project, version = parse_filename(path.name)
        found = stored.get(path.name)
        if found is None:
            problems.append(
                f"twine reported success, but GET /v1/components?repository={hosted} does not"
                f" list {path.name}: the upload stored nothing"
            )
        elif found[0].version != version:
            problems.append(f"{path.name} was stored under version {found[0].version}")
        elif found[1].sha256 != sha256_of(path):
            problems.append(f"{path.name} is stored in '{hosted}' with other bytes (sha256)")
    names = listing([p.name for p in files], 2)
    return Proof.of(problems, f"components API lists {names} in '{hosted}' with equal sha256")


def _page_files(session: requests.Session, simple: str, project: str, timeout: float) -> set[str]:
    try:
        return {link.filename for link in project_links(session, simple, project, timeout)}
    except NotFoundError:
        return set()


def pages_fresh(
    client: NexusClient,
    session: requests.Session,
    pages: dict[str, str],
    hosted: str,
    project: str,
    timeout: float = 30.0,
) -> Proof:
    """Each index page (`pages`: label -> simple URL) lists exactly the project's current
    files, as the components API of hosted lists them now."""
    try:
        current = {
            asset.filename
            for component in project_components(client, hosted, project)
            for asset in component.assets
        }
        listed = {
            label: _page_files(session, simple, project, timeout) for label, simple in pages.items()
        }
    except ServerError as error:
        return Proof.failed(str(error))
    problems = []
    for label, files in listed.items():
        stale = sorted(files - current)
        absent = sorted(current - files)
        if stale or absent:
            parts = []
            if absent:
                parts.append(f"lacks {listing(absent, 3)}")
            if stale:
                parts.append(f"still lists {listing(stale, 3)}")
            problems.append(
                f"{label}'s index page for '{project}' is stale: it {' and '.join(parts)}"
                " (the components API is the truth); pip would not see the change"
            )
    labels = " and ".join(pages)
    return Proof.of(
        problems, f"{labels} pages list exactly the {count(len(current), 'current file')}"
    )


def index_pages(target: Target) -> dict[str, str]:
    return {
        "hosted": target.nexus.simple(target.expected.hosted.name),
        "group": target.nexus.simple(target.expected.group.name),
    }


def publish_then_install(
    sandbox: Sandbox,
    files: list[Path],
    target: Target,
    client: NexusClient,
    session: requests.Session,
) -> Proof:
    """twine upload to hosted, the files stored and the indexes fresh, then pip install that
    exact version through the group."""
    hosted = target.nexus.repository(target.expected.hosted.name)
    run = upload(sandbox, files, hosted, target.nexus.credentials)
    problems = upload_problems(run, hosted)
    if problems:
        return Proof.failed(*problems)
    project, version = parse_filename(files[0].name)
    stored = landed(client, target.expected.hosted.name, files)
    fresh = pages_fresh(
        client,
        session,
        index_pages(target),
        target.expected.hosted.name,
        project,
        target.nexus.timeout,
    )
    if not stored.ok or not fresh.ok:
        return stored.then(fresh)
    group = target.nexus.repository(target.expected.group.name)
    installed = installs_through_group(sandbox, f"{project}=={version}", group).proof
    return (
        Proof.passed(f"{project} {version} uploaded by twine")
        .then(stored)
        .then(fresh)
        .then(installed)
    )


def canary_removed(
    client: NexusClient,
    session: requests.Session,
    pages: dict[str, str],
    hosted: str,
    project: str,
    timeout: float = 30.0,
) -> Problems:
    """After a canary's deletion: the components API and the index pages no longer list it."""
    try:
        left = project_components(client, hosted, project)
    except ServerError as error:
        return [f"cannot confirm that the canary '{project}' is gone: {error}"]
    if left:
        ids = ", ".join(f"{c.version} (id {c.id})" for c in left)
        return [
            f"the canary '{project}' is still in '{hosted}' after its deletion: {ids};"
            " delete it by hand (Browse > pypi-hosted)"
        ]
    fresh = pages_fresh(client, session, pages, hosted, project, timeout)
    return fresh.problems


# -- PUBLISH-2 ---------------------------------------------------------------------------------


def pypirc_problems(pypirc: Path | None, hosted_url: str) -> Problems:
    if pypirc is None:
        return [
            "no .pypirc is configured (clients.pypirc); create one with a [nexus] section"
            " as in the guide's Step 6"
        ]
    parser = configparser.RawConfigParser()
    try:
        parser.read(pypirc, encoding="utf-8")
    except configparser.Error as error:
        return [f"{pypirc}: not a valid .pypirc: {error.message.splitlines()[0]}"]
    servers = parser.get("distutils", "index-servers", fallback="").split()
    if "nexus" not in servers:
        return [
            f"{pypirc}: [distutils] index-servers does not list 'nexus'; twine -r nexus"
            " would fail with 'Missing nexus section'"
        ]
    if not parser.has_section("nexus"):
        return [f"{pypirc}: no [nexus] section"]
    repository = parser.get("nexus", "repository", fallback="")
    if repository.rstrip("/") != hosted_url.rstrip("/"):
        return [f"{pypirc}: [nexus] repository is {repository or 'missing'}, expected {hosted_url}"]
    if not repository.endswith("/"):
        # Nexus answers a POST to /repository/<name> with 400 "Repository path must have
        # another '/' after initial '/'" (nexus-public release-3.77.1-01, RepositoryPath).
        return [
            f"{pypirc}: [nexus] repository must end with a slash ({hosted_url}): without it"
            " Nexus refuses every upload with 400"
        ]
    return []


def upload_with_pypirc(
    sandbox: Sandbox, files: list[Path], pypirc: Path, credentials: Credentials | None
) -> Run:
    return sandbox.twine(["upload", "-r", "nexus", *map(str, files)], credentials, pypirc=pypirc)


def pypirc_upload_works(
    sandbox: Sandbox,
    files: list[Path],
    pypirc: Path | None,
    target: Target,
    client: NexusClient,
) -> Proof:
    hosted = target.nexus.repository(target.expected.hosted.name)
    problems = pypirc_problems(pypirc, hosted)
    if problems or pypirc is None:
        return Proof.failed(*problems)
    run = upload_with_pypirc(sandbox, files, pypirc, target.nexus.credentials)
    problems = upload_problems(run, hosted)
    if problems:
        return Proof.failed(*problems)
    return Proof.passed(
        f"{pypirc.name} [nexus] repository = {hosted}; `twine upload -r nexus` succeeded"
    ).then(landed(client, target.expected.hosted.name, files))


# -- PUBLISH-3 ---------------------------------------------------------------------------------


def refused_by_policy(run: Run) -> bool:
    return not run.ok and any(phrase in run.output for phrase in REFUSED)


def _refusal(run: Run) -> str:
    return next((phrase for phrase in REFUSED if phrase in run.output), "refused")


def redeploy_behaves(first: Run, second: Run, expected: Expected, hosted_url: str) -> Proof:
    """The second upload of the same file must follow the configured write policy.

    A refusal counts only when Nexus said why (the write policy), not for any failure.
    """
    policy = expected.hosted.write_policy
    if policy == "DENY":
        if refused_by_policy(first):
            return Proof.passed(f"an upload was refused by policy ('{_refusal(first)}'), as DENY")
        return Proof.failed(
            f"hosted is expected read-only (DENY) but an upload to {hosted_url} was"
            f" {'accepted' if first.ok else 'not refused by policy: ' + first.tail(2)}"
        )
    if not first.ok:
        return Proof.failed(*upload_problems(first, hosted_url))
    if policy == "ALLOW" and not second.ok:
        return Proof.failed(
            "re-uploading the same file was refused, but the deployment policy should be"
            f" 'Allow redeploy': {second.tail(2)}"
        )
    if policy == "ALLOW_ONCE" and not refused_by_policy(second):
        outcome = "accepted" if second.ok else f"failed for another reason: {second.tail(2)}"
        return Proof.failed(
            f"re-uploading the same file was {outcome}, but the deployment policy should"
            " refuse it ('Disable redeploy', ALLOW_ONCE)"
        )
    answer = "accepted" if second.ok else f"refused by policy ('{_refusal(second)}')"
    return Proof.passed(
        f"first upload accepted; the second upload of the same file was {answer}, as {policy}"
    )


# -- TS-6, TS-7 --------------------------------------------------------------------------------


def hosted_accepts_uploads(client: NexusClient, hosted: str) -> Proof:
    try:
        config: dict[str, Any] = client.pypi_repository("hosted", hosted)
    except ServerError as error:
        return Proof.failed(str(error))
    policy = str((config.get("storage") or {}).get("writePolicy", "")).upper()
    problems = []
    if not config.get("online", False):
        problems.append(f"'{hosted}' is offline; set it online")
    if policy == "DENY":
        problems.append(
            f"'{hosted}' deployment policy is Read-only (DENY): uploads are refused;"
            " set it to 'Allow redeploy' (Settings > Repository > pypi-hosted)"
        )
    if not policy:
        problems.append(f"'{hosted}' reports no deployment policy (storage.writePolicy)")
    return Proof.of(problems, f"'{hosted}' is online with deployment policy {policy}")


def verbose_diagnostics(run: Run, hosted_url: str) -> Proof:
    """A verbose upload must succeed and show the server's answer; on failure that answer
    is the message."""
    lines = [
        line.strip()
        for line in run.output.splitlines()
        if "Response from" in line
        or "HTTPError" in line
        or "<title>" in line
        or any(phrase in line for phrase in REFUSED)
    ]
    if not run.ok:
        detail = " | ".join(lines[:4]) or run.tail(4)
        return Proof.failed(f"twine upload --verbose to {hosted_url} failed: {detail}")
    statuses = [m.group(0).strip() for m in map(_STATUS_LINE.search, run.output.splitlines()) if m]
    answered = [s for s in statuses if s.startswith("2")]
    if not answered:
        return Proof.failed(
            f"twine upload --verbose to {hosted_url} succeeded but printed no server answer:"
            f" {run.tail(3)}"
        )
    return Proof.passed(f"twine --verbose printed the server's answer: {answered[-1]}")
