"""Step 3: every distribution file into the hosted repository, concurrently, resumably.

What is already there is decided by asking the assets API first (twine's --skip-existing does
nothing against Nexus: twine >= 6.2 refuses it for any repository but PyPI, and older twine
misread Nexus's answer, pypa/twine#1044): the same sha256 is skipped, a different one is an
error naming the file, and an interrupted run simply resumes. Each file is POSTed as twine
posts it (twine reads its metadata; the legacy upload endpoint) by a pool of worker threads
sharing one keep-alive session (clients/http.py), so no process is started per file. A last
pass lists hosted again and checks every file is there with the same sha256.

An upload is not idempotent, so the transport never repeats one by itself. When an attempt
ends in a transient fault (connection reset, 429/502/503/504, an answer lost), hosted is asked
whether the file arrived anyway (search by sha256): if it did, the file is "already there";
if not, it is sent again after a backoff, at most `http.retries` times. A repeated POST can
therefore never create a second copy: either the first never arrived, or hosted refuses or
replaces the same bytes under the same name, and the search settles which.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import requests
from requests_toolbelt import MultipartEncoder  # type: ignore[import-untyped]
from rich.console import Console
from twine.package import PackageFile
from twine.repository import Repository
from urllib3.exceptions import MaxRetryError
from urllib3.filepost import encode_multipart_formdata

from nexus_cutover.clients.http import (
    TRANSIENT_STATUSES,
    HttpSession,
    backoff_retrying,
    failure_reason,
    nexus_session,
    unreachable,
)
from nexus_cutover.clients.nexus import Asset, NexusClient
from nexus_cutover.dists import sha256_of
from nexus_cutover.errors import (
    AuthError,
    CutoverError,
    ForbiddenError,
    NotFoundError,
    ServerError,
    UnreachableError,
)
from nexus_cutover.migrate.errors import MigrationError
from nexus_cutover.migrate.packagefile import package_file
from nexus_cutover.migrate.progress import progress_bar
from nexus_cutover.migrate.sources import Source, SourceFile, resolve_source, unique_by_name
from nexus_cutover.target import Target

Status = Literal["uploaded", "skipped", "failed", "would upload", "not attempted"]
# Files up to this size are encoded in memory (cheaper per file); larger ones are streamed
# from disk by requests-toolbelt, so a worker never holds a huge file in memory.
STREAM_ABOVE = 16 << 20
# What Nexus says when a file exists and the policy refuses to replace it (nexus-public
# release-3.77.1-01, ContentFacetSupport; OrientDB-era wording in pypa/twine#1044).
_REFUSED_MARKERS = ("cannot be updated", "does not allow updating", "read-only", "read only")


@dataclass(frozen=True)
class FileOutcome:
    filename: str
    status: Status
    message: str = ""
    sha256: str | None = None


@dataclass(frozen=True)
class UploadResult:
    """What one run did, and what its last listing of hosted proved.

    `parity_verified` is the only claim of parity: hosted was listed again after the uploads
    and every file of the source (all of `outcomes`) was found there with the same sha256.
    A run that stopped early, could not list hosted, or never learnt a file's sha256 leaves
    those files unverified, whatever it uploaded.
    """

    outcomes: tuple[FileOutcome, ...]
    parity_missing: tuple[str, ...] = ()  # source files not confirmed in hosted (same sha256)
    aborted: str | None = None  # why the run stopped early (a server-wide failure)
    dry_run: bool = False
    source: str = ""
    # Why hosted could not be listed after the uploads (None: it was listed).
    unlisted: str | None = None

    def count(self, status: Status) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def uploaded(self) -> int:
        return self.count("uploaded")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(f"{o.filename}: {o.message}" for o in self.outcomes if o.status == "failed")

    @property
    def parity_verified(self) -> bool:
        listed = not self.dry_run and self.unlisted is None
        return listed and bool(self.outcomes) and not self.parity_missing

    @property
    def ok(self) -> bool:
        return not self.failed and self.aborted is None and self.parity_verified


class _Transient(Exception):
    """An upload attempt ended without a usable answer; the file may or may not be there."""


@dataclass
class _Run:
    """What the worker threads share."""

    target: Target
    client: NexusClient
    source: Source
    hosted: dict[str, Asset]
    scratch: Path
    dry_run: bool
    session: HttpSession
    stop: threading.Event = field(default_factory=threading.Event)
    fatal: CutoverError | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return self.target.nexus.repository(self.target.expected.hosted.name)

    def give_up(self, error: CutoverError) -> None:
        with self.lock:
            if self.fatal is None:
                self.fatal = error
        self.stop.set()


def hosted_files(client: NexusClient, hosted: str) -> dict[str, Asset]:
    """Distribution files in hosted by name (the generated index pages are not files)."""
    return {a.filename: a for a in client.assets(hosted) if a.path.startswith("packages/")}


def check_hosted(client: NexusClient, target: Target) -> None:
    """Fail early, with one line, when hosted is missing or is not a PyPI hosted repository."""
    name = target.expected.hosted.name
    found = next((r for r in client.repositories() if r.get("name") == name), None)
    if found is None:
        raise MigrationError(
            f"the hosted repository '{name}' does not exist on"
            f" {target.nexus.url}; run `nexus-cutover migrate provision` first"
        )
    if (found.get("format"), found.get("type")) != ("pypi", "hosted"):
        raise MigrationError(
            f"'{name}' on {target.nexus.url} is a {found.get('format')}"
            f" {found.get('type')} repository, not pypi hosted"
        )


def upload(
    target: Target,
    source: Path | str | None = None,
    workers: int | None = None,
    progress: bool = True,
    *,
    dry_run: bool = False,
    console: Console | None = None,
) -> UploadResult:
    """Upload what `source` holds (a folder, a pypiserver URL, or the configured one),
    `workers` at a time (default: the target's `http.workers`)."""
    workers = target.nexus.http.workers if workers is None else workers
    if workers < 1:
        raise MigrationError(f"workers must be at least 1, not {workers}")
    client = NexusClient(target.nexus)
    check_hosted(client, target)
    origin = resolve_source(target, source)
    hosted = hosted_files(client, target.expected.hosted.name)
    with (
        tempfile.TemporaryDirectory(prefix="nexus-cutover-upload-") as scratch,
        nexus_session(target.nexus, pool_size=workers) as session,
    ):
        listed = origin.files()
        if not listed:
            raise MigrationError(
                f"{origin.description}: the source holds no distribution files; nothing to"
                " upload (check --from or pypiserver.packages_dir / pypiserver.url)"
            )
        files, clashes = unique_by_name(listed, origin, Path(scratch))
        run = _Run(target, client, origin, hosted, Path(scratch), dry_run, session)
        outcomes = [FileOutcome(name, "failed", message) for name, message in clashes]
        with progress_bar("uploading", len(files), enabled=progress, console=console) as advance:
            for outcome in _run_pool(run, files, workers):
                outcomes.append(outcome)
                advance(1)
    outcomes.sort(key=lambda o: o.filename)
    aborted = str(run.fatal) if run.fatal else None
    result = UploadResult(tuple(outcomes), (), aborted, dry_run, origin.description)
    if dry_run:
        return result
    return verify_parity(client, target, result)


def verify_parity(client: NexusClient, target: Target, result: UploadResult) -> UploadResult:
    """List hosted again and compare every source file; a failed listing verifies nothing."""
    names = tuple(sorted(o.filename for o in result.outcomes))
    try:
        hosted = hosted_files(client, target.expected.hosted.name)
    except CutoverError as error:
        return replace(result, parity_missing=names, unlisted=str(error))
    return replace(result, parity_missing=parity_missing(result.outcomes, hosted))


def _run_pool(run: _Run, files: Sequence[SourceFile], workers: int) -> Iterator[FileOutcome]:
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="upload")
    try:
        futures = [pool.submit(_transfer, run, file) for file in files]
        for future in as_completed(futures):
            yield future.result()
    finally:
        run.stop.set()  # on an interrupt: workers that have not started yet do nothing
        pool.shutdown(wait=True, cancel_futures=True)


def _transfer(run: _Run, file: SourceFile) -> FileOutcome:
    if run.stop.is_set():
        return FileOutcome(file.filename, "not attempted", "the run stopped early", file.sha256)
    existing = run.hosted.get(file.filename)
    if file.sha256 and existing:
        return _compare(file.filename, file.sha256, existing)
    try:
        path = run.source.fetch(file, run.scratch)
        if existing:
            return _compare(file.filename, file.sha256 or sha256_of(path), existing)
        package = package_file(path)
        digest = file.sha256 or package.sha2_digest or sha256_of(path)  # twine hashed it
        if run.dry_run:
            return FileOutcome(file.filename, "would upload", "", digest)
        return _send(run, package, digest)
    except (UnreachableError, AuthError, ForbiddenError, NotFoundError) as error:
        run.give_up(error)
        return FileOutcome(file.filename, "failed", str(error), file.sha256)
    except CutoverError as error:
        return FileOutcome(
            file.filename, "failed", _without_name(str(error), file.filename), file.sha256
        )
    except OSError as error:
        return FileOutcome(
            file.filename, "failed", f"cannot read: {error.strerror or error}", file.sha256
        )
    except Exception as error:  # a parser of a third party choking on one odd file
        return FileOutcome(
            file.filename,
            "failed",
            f"unreadable distribution ({type(error).__name__}: {error})",
            file.sha256,
        )
    finally:
        (run.scratch / file.filename).unlink(missing_ok=True)  # a downloaded copy, if any


def _compare(filename: str, digest: str, existing: Asset) -> FileOutcome:
    if existing.sha256 == digest:
        return FileOutcome(filename, "skipped", "already in hosted with the same sha256", digest)
    if existing.sha256 is None:
        return FileOutcome(
            filename,
            "failed",
            "hosted holds a file of this name but reports no"
            " sha256 for it, so it cannot be compared; not replaced",
            digest,
        )
    return FileOutcome(
        filename,
        "failed",
        f"hosted already holds a different file of this name (sha256 {existing.sha256}"
        f" there, {digest} here); not replaced",
        digest,
    )


def _send(run: _Run, package: PackageFile, digest: str) -> FileOutcome:
    """POST the file; after a transient fault, ask hosted before sending it again."""
    name = package.basefilename
    http = run.target.nexus.http
    try:
        for attempt in backoff_retrying(http, _Transient):
            with attempt:
                if attempt.retry_state.attempt_number > 1 and _arrived(run, name, digest):
                    return _already_there(name, digest)
                return _post(run, package, digest)
    except _Transient as fault:
        if _arrived(run, name, digest):
            return _already_there(name, digest)
        tries = http.retries + 1
        return FileOutcome(name, "failed", f"{fault}; not there after {tries} tries", digest)
    raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover


def _post(run: _Run, package: PackageFile, digest: str) -> FileOutcome:
    """One upload as twine sends it: the metadata fields and the file, multipart."""
    name = package.basefilename
    fields = Repository._convert_metadata_to_list_of_tuples(package.metadata_dictionary())
    fields += [(":action", "file_upload"), ("protocol_version", "1")]
    try:
        with open(package.filename, "rb") as stream:
            if Path(package.filename).stat().st_size <= STREAM_ABOVE:
                body, content_type = encode_multipart_formdata(
                    [*fields, ("content", (name, stream.read(), "application/octet-stream"))]
                )
                data: bytes | MultipartEncoder = body
            else:
                data = MultipartEncoder(
                    [*fields, ("content", (name, stream, "application/octet-stream"))]
                )
                content_type = data.content_type
            response = run.session.post(
                run.url, data=data, allow_redirects=False, headers={"Content-Type": content_type}
            )
    except requests.exceptions.ReadTimeout:
        if _arrived(run, name, digest):
            return _already_there(name, digest)
        return FileOutcome(name, "failed", f"upload to {run.url} timed out", digest)
    except requests.RequestException as error:
        if _never_sent(error):
            raise unreachable(f"upload of {name}", run.url, error) from None
        raise _Transient(f"upload to {run.url}: {failure_reason(error)}") from None
    return _answer(run, response, name, digest)


def _answer(run: _Run, response: requests.Response, name: str, digest: str) -> FileOutcome:
    status, text = response.status_code, f"{response.reason} {response.text}"
    if 200 <= status < 300:
        return FileOutcome(name, "uploaded", "", digest)
    if status in (401, 403, 404):
        raise _http_error(status, run.url)
    if status in TRANSIENT_STATUSES:
        raise _Transient(f"upload answered {status} {response.reason}")
    if status == 400 and any(marker in text.lower() for marker in _REFUSED_MARKERS):
        if _arrived(run, name, digest):  # an earlier attempt of this run got through
            return _already_there(name, digest)
        return FileOutcome(
            name,
            "failed",
            f"hosted refused it (400 {response.reason}): the file"
            " exists there or the deployment policy forbids writes",
            digest,
        )
    detail = " ".join(response.text.split())[:200]
    return FileOutcome(
        name, "failed", f"upload answered {status} {response.reason}: {detail}", digest
    )


def _never_sent(error: requests.RequestException) -> bool:
    """The connection could not be made (urllib3 has already retried that): the server is
    away, which is a run-wide failure, not this file's."""
    cause = error.args[0] if error.args else None
    return isinstance(error, requests.exceptions.ConnectionError) and isinstance(
        cause, MaxRetryError
    )


def _arrived(run: _Run, name: str, digest: str) -> bool:
    """Hosted holds `name` with these bytes (asked by sha256, so a same-named other file
    does not count)."""
    hosted = run.target.expected.hosted.name
    try:
        found = run.client.search_assets(repository=hosted, sha256=digest)
        return any(asset.filename == name for asset in found)
    except ServerError:
        return False


def _already_there(name: str, digest: str) -> FileOutcome:
    return FileOutcome(
        name,
        "skipped",
        "already in hosted with the same sha256 (an earlier attempt arrived; its answer was lost)",
        digest,
    )


def _http_error(status: int, url: str) -> ServerError:
    if status == 401:
        return AuthError(
            f"upload to {url} answered 401: the Nexus user or password is wrong",
            url=url,
            status=status,
        )
    if status == 403:
        return ForbiddenError(
            f"upload to {url} answered 403: the Nexus user may not upload to this repository",
            url=url,
            status=status,
        )
    return NotFoundError(
        f"upload to {url} answered 404: no such hosted repository", url=url, status=status
    )


def _without_name(message: str, filename: str) -> str:
    return message.removeprefix(f"{filename}: ")


def parity_missing(outcomes: Sequence[FileOutcome], hosted: dict[str, Asset]) -> tuple[str, ...]:
    """Names of source files that hosted lacks, or holds with other bytes."""
    missing = []
    for outcome in outcomes:
        asset = hosted.get(outcome.filename)
        if asset is None or outcome.sha256 is None or asset.sha256 != outcome.sha256:
            missing.append(outcome.filename)
    return tuple(sorted(missing))
