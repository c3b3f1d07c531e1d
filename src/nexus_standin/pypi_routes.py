"""/repository/<name>/...: the PyPI routes Nexus serves for hosted, proxy and group repositories.

Order as in Nexus: unknown repository or route -> 404; offline -> 503; then security (401/403);
then the format handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from .auth import Subject
from .content import Asset
from .errors import NexusError
from .pypi_hosted import Upload
from .repos import HOSTED, Repository
from .rest_support import MAX_FORM_PART, authenticate
from .services import Services

ROOT, PROJECT, PACKAGE, UPLOAD = "root", "project", "package", "upload"
# Form fields that describe the upload itself rather than the distribution.
NON_METADATA_FIELDS = {
    ":action",
    "protocol_version",
    "content",
    "gpg_signature",
    "md5_digest",
    "sha256_digest",
    "blake2_256_digest",
    "attestations",
}


@dataclass(frozen=True)
class Target:
    kind: str
    value: str = ""  # project name or asset path


def match(method: str, path: str) -> Target | None:
    segments = path.split("/")
    if method in ("GET", "HEAD"):
        if path in ("simple", "simple/"):
            return Target(ROOT)
        if (
            segments[0] == "simple"
            and segments[1:2] != [""]
            and (len(segments) == 2 or (len(segments) == 3 and segments[2] == ""))
        ):
            return Target(PROJECT, segments[1])
        if segments[0] == "packages" and len(segments) >= 4 and all(segments[1:]):
            return Target(PACKAGE, "/" + path)
    if method == "POST" and path == "":
        return Target(UPLOAD)
    return None


def _admit(
    services: Services, request: Request, target: Target | None
) -> tuple[Repository, Subject]:
    repo = services.repos.get(request.path_params["name"])
    if repo is None or target is None or (target.kind == UPLOAD and repo.type != HOSTED):
        raise NexusError(404)
    if not repo.online:
        raise NexusError(503, f"Repository {repo.name} is offline")
    subject = authenticate(request, services)
    subject.demand_repository(repo, "add" if target.kind == UPLOAD else "read")
    return repo, subject


async def repository_view(request: Request) -> Response:
    services: Services = request.app.state.services
    target = match(request.method, request.path_params.get("path", ""))
    repo, subject = await run_in_threadpool(_admit, services, request, target)
    assert target is not None
    if target.kind == UPLOAD:
        form = await request.form(max_part_size=MAX_FORM_PART)
        try:
            await run_in_threadpool(_upload, services, repo, subject, form, request)
        finally:
            await form.close()
        return Response(status_code=200)
    reader = services.pypi.reader(repo)
    if target.kind == PACKAGE:
        asset = await run_in_threadpool(reader.package, repo, target.value)
        if asset is None:
            raise NexusError(404)
        await run_in_threadpool(services.content.mark_downloaded, asset)
        return _file(services, asset)
    if target.kind == ROOT:
        page = await run_in_threadpool(reader.root_page, repo)
    else:
        found = await run_in_threadpool(reader.project_page, repo, target.value)
        if found is None:
            raise NexusError(404)
        page = found
    return Response(page, media_type="text/html")


def _file(services: Services, asset: Asset) -> Response:
    return FileResponse(services.blobs.path(asset.blob_ref), media_type=asset.content_type)


def _upload(
    services: Services, repo: Repository, subject: Subject, form: FormData, request: Request
) -> None:
    """twine's legacy upload: `:action=file_upload`, file part `content`, fields name/version."""
    if form.get(":action") != "file_upload":
        raise NexusError(400, "Unsupported ':action' field")
    content = form.get("content")
    if not isinstance(content, UploadFile) or not content.filename:
        raise NexusError(400, "Missing 'content' file part")
    services.pypi.hosted.upload(
        repo,
        Upload(
            filename=content.filename,
            source=content.file,
            name=str(form.get("name") or ""),
            version=str(form.get("version") or ""),
            uploader=subject.user_id,
            uploader_ip=request.client.host if request.client else "-",
            attributes=_attributes(form),
            md5_digest=_text(form.get("md5_digest")),
            signature=_signature(form),
        ),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _attributes(form: FormData) -> dict[str, str]:
    """Other form fields become asset attributes; repeated fields are joined with newlines."""
    attributes: dict[str, str] = {}
    for key in form:
        if key in NON_METADATA_FIELDS:
            continue
        values = [value for value in form.getlist(key) if isinstance(value, str) and value]
        if values:
            attributes[key] = "\n".join(values)
    return attributes


def _signature(form: FormData) -> tuple[str, BinaryIO] | None:
    part = form.get("gpg_signature")
    if isinstance(part, UploadFile) and part.filename:
        return part.filename, part.file
    return None


METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"]
routes = [
    Route("/repository/{name:str}/{path:path}", repository_view, methods=METHODS),
    Route("/repository/{name:str}", repository_view, methods=METHODS),
]
