"""/repository/<name>/...: the PyPI routes Nexus serves for hosted, proxy and group repositories.

Order as in 3.77 `ViewServlet`: a path without a second `/` is 400; an unknown repository 404
"Repository not found"; an offline one 503 "Repository offline"; then the routes of the 3.30
PyPI recipes (`PyPiRecipeSupport`): `/simple/` (root index, with the slash only),
`/simple/<name>` with or without the slash, `/packages/...`, POST `/` (hosted upload); then 3.77
`BrowseUnsupportedHandler` for any other GET ending in `/` or `/index.html`; anything else 404.
A matched route checks security (401/403) before its handler.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import BinaryIO

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ..auth import Subject, authenticate
from ..config import MAX_FORM_PART
from ..errors import NexusError
from ..runtime import Runtime
from ..store.content import Asset
from ..store.repos import HOSTED, Repository
from .hosted import Upload

ROOT, PROJECT, PACKAGE, UPLOAD, BROWSE = "root", "project", "package", "upload", "browse"
PROJECT_PATH = re.compile(r"simple/([0-9A-Za-z._-]+)/?")
PACKAGE_PATH = re.compile(r"packages/[^/].+/[^/]+/[^/]+")
NO_SECOND_SLASH = "Repository path must have another '/' after initial '/'"
VIEW_LOG_SOURCE = "org.sonatype.nexus.repository.httpbridge.internal.ViewServlet"
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


def match(method: str, path: str, repo_type: str) -> Target | None:
    """The route a request path (after `/repository/<name>/`) takes, None for a plain 404."""
    if method in ("GET", "HEAD"):
        if path == "simple/":
            return Target(ROOT)
        project = PROJECT_PATH.fullmatch(path)
        if project:
            return Target(PROJECT, project.group(1))
        if PACKAGE_PATH.fullmatch(path):
            return Target(PACKAGE, "/" + path)
    if method == "POST" and path == "" and repo_type == HOSTED:
        return Target(UPLOAD)
    # Nexus sees the path with its leading "/" (the repository root is "/").
    if method == "GET" and f"/{path}".lower().endswith(("/", "/index.html", "/index.htm")):
        return Target(BROWSE)
    return None


def _admit(runtime: Runtime, request: Request) -> tuple[Repository, Subject, Target]:
    repo = runtime.repos.get(request.path_params["name"])
    if repo is None:
        raise NexusError(404, "Repository not found")
    if not repo.online:
        raise NexusError(503, "Repository offline")
    target = match(request.method, request.path_params.get("path", ""), repo.type)
    if target is None:
        raise NexusError(404)
    subject = authenticate(request, runtime.auth)
    subject.demand_view(repo, "add" if target.kind == UPLOAD else "read")
    return repo, subject, target


async def repository_view(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    repo, subject, target = await run_in_threadpool(_admit, runtime, request)
    if target.kind == BROWSE:
        return Response(
            browse_unsupported_page(repo, runtime.config.nexus_version), 200, media_type="text/html"
        )
    if target.kind == UPLOAD:
        form = await request.form(max_part_size=MAX_FORM_PART)
        try:
            await run_in_threadpool(_upload, runtime, repo, subject, form, request)
        finally:
            await form.close()
        return Response(status_code=200)
    reader = runtime.pypi.reader(repo)
    if target.kind == PACKAGE:
        asset = await run_in_threadpool(reader.package, repo, target.value)
        if asset is None:
            raise NexusError(404)
        await run_in_threadpool(runtime.content.mark_downloaded, asset)
        return _file(runtime, asset)
    if target.kind == ROOT:
        page = await run_in_threadpool(reader.root_page, repo)
    else:
        found = await run_in_threadpool(reader.project_page, repo, target.value)
        if found is None:
            raise NexusError(404)
        page = found
    return Response(page, media_type="text/html")


def _file(runtime: Runtime, asset: Asset) -> Response:
    return FileResponse(runtime.blobs.path(asset.blob_ref), media_type=asset.content_type)


def _upload(
    runtime: Runtime, repo: Repository, subject: Subject, form: FormData, request: Request
) -> None:
    """twine's legacy upload: `:action=file_upload`, file part `content`, fields name/version."""
    if form.get(":action") != "file_upload":
        raise NexusError(400, "Unsupported ':action' field")
    content = form.get("content")
    if not isinstance(content, UploadFile) or not content.filename:
        raise NexusError(400, "Missing 'content' file part")
    runtime.pypi.hosted.upload(
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


async def bad_repository_path(request: Request) -> Response:
    """3.77 `RepositoryPath.parse` fails before any repository is looked up; `ViewServlet`
    answers 400 with the message and logs a WARN line."""
    runtime: Runtime = request.app.state.runtime
    suffix = request.url.path.removeprefix("/repository")
    message = "Repository path must not be null or empty" if not suffix else NO_SECOND_SLASH
    runtime.app_log.warning(VIEW_LOG_SOURCE, f"Bad request. Reason: {message}")
    raise NexusError(400, message)


def browse_unsupported_page(repo: Repository, version: str) -> str:
    """The page of 3.77 `BrowseUnsupportedHandler` (its wording; the markup is ours)."""
    name = html.escape(repo.name)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        "  <title>Repository - Sonatype Nexus Repository</title>\n"
        '  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>\n'
        "</head>\n<body>\n"
        f'<div class="nexus-header">Sonatype Nexus Repository OSS {html.escape(version)}</div>\n'
        f'<div class="nexus-body">\n  <h1>Repository</h1>\n  <h2>{name}</h2>\n'
        f"  <p>This {repo.format} {repo.type} repository is not directly browseable at this"
        " URL.</p>\n"
        f'  <p>Please use the <a href="/#browse/browse:{name}">browse</a> or'
        f' <a href="/service/rest/repository/browse/{name}/">HTML index</a> views to inspect'
        " the contents of this repository.</p>\n</div>\n</body>\n</html>\n"
    )


METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"]
routes = [
    Route("/repository/{name:str}/{path:path}", repository_view, methods=METHODS),
    Route("/repository/{name:str}", bad_repository_path, methods=METHODS),
    Route("/repository/", bad_repository_path, methods=METHODS),
    Route("/repository", bad_repository_path, methods=METHODS),
]
