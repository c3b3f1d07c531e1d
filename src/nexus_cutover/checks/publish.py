"""PUBLISH-1..3, TS-6, TS-7: twine uploads to hosted behave as configured.

Uploads use a canary project under a reserved name; the tests remove it again.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

from nexus_cutover.checks import Problems
from nexus_cutover.checks.install import installs_through_group
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Run, Sandbox
from nexus_cutover.config import Expected
from nexus_cutover.dists import parse_filename
from nexus_cutover.errors import ServerError
from nexus_cutover.target import Credentials, Target

# What Nexus says when the write policy refuses an upload (H2/PostgreSQL and OrientDB wording).
REFUSED = ("cannot be updated", "does not allow updating", "is read-only", "read only")


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


def publish_then_install(sandbox: Sandbox, files: list[Path], target: Target) -> Problems:
    """twine upload to hosted, then pip install that exact version through the group."""
    hosted = target.nexus.repository(target.expected.hosted.name)
    run = upload(sandbox, files, hosted, target.nexus.credentials)
    problems = upload_problems(run, hosted)
    if problems:
        return problems
    project, version = parse_filename(files[0].name)
    group = target.nexus.repository(target.expected.group.name)
    problems, _installed = installs_through_group(sandbox, f"{project}=={version}", group)
    return problems


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
    return []


def upload_with_pypirc(
    sandbox: Sandbox, files: list[Path], pypirc: Path, credentials: Credentials | None
) -> Run:
    return sandbox.twine(["upload", "-r", "nexus", *map(str, files)], credentials, pypirc=pypirc)


def refused_by_policy(run: Run) -> bool:
    return not run.ok and any(phrase in run.output for phrase in REFUSED)


def redeploy_behaves(first: Run, second: Run, expected: Expected, hosted_url: str) -> Problems:
    """The second upload of the same file must follow the configured write policy.

    A refusal counts only when Nexus said why (the write policy), not for any failure.
    """
    policy = expected.hosted.write_policy
    if policy == "DENY":
        if refused_by_policy(first):
            return []
        return [
            f"hosted is expected read-only (DENY) but an upload to {hosted_url} was"
            f" {'accepted' if first.ok else 'not refused by policy: ' + first.tail(2)}"
        ]
    if not first.ok:
        return upload_problems(first, hosted_url)
    if policy == "ALLOW" and not second.ok:
        return [
            "re-uploading the same file was refused, but the deployment policy should be"
            f" 'Allow redeploy': {second.tail(2)}"
        ]
    if policy == "ALLOW_ONCE" and not refused_by_policy(second):
        outcome = "accepted" if second.ok else f"failed for another reason: {second.tail(2)}"
        return [
            f"re-uploading the same file was {outcome}, but the deployment policy should"
            " refuse it ('Disable redeploy', ALLOW_ONCE)"
        ]
    return []


def hosted_accepts_uploads(client: NexusClient, hosted: str) -> Problems:
    try:
        config: dict[str, Any] = client.pypi_repository("hosted", hosted)
    except ServerError as error:
        return [str(error)]
    policy = str((config.get("storage") or {}).get("writePolicy", "")).upper()
    problems = []
    if not config.get("online", False):
        problems.append(f"'{hosted}' is offline; set it online")
    if policy == "DENY":
        problems.append(
            f"'{hosted}' deployment policy is Read-only (DENY): uploads are refused;"
            " set it to 'Allow redeploy' (Settings > Repository > pypi-hosted)"
        )
    return problems


def verbose_diagnostics(run: Run, hosted_url: str) -> Problems:
    """A verbose upload must succeed; when it does not, its diagnostic is the message."""
    if run.ok:
        return []
    lines = [
        line.strip()
        for line in run.output.splitlines()
        if "Response from" in line
        or "HTTPError" in line
        or "<title>" in line
        or any(phrase in line for phrase in REFUSED)
    ]
    detail = " | ".join(lines[:4]) or run.tail(4)
    return [f"twine upload --verbose to {hosted_url} failed: {detail}"]
