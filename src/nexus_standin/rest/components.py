"""/v1/components and /v1/assets: paging, get and delete by id, and the REST upload."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from starlette.datastructures import UploadFile
from starlette.responses import Response
from starlette.routing import Route

from ..errors import Forbidden, NexusError
from ..pypi.files import read_metadata
from ..pypi.hosted import Upload
from ..store.repos import HOSTED, Repository
from .content_xo import asset_json, asset_page, component_json, component_page
from .support import Call, decode_token, json_response, no_content, parse_item_id, rest

PAGE_SIZE = 100
UPLOAD_FIELD = "pypi.asset"


def _browsable(call: Call) -> Repository:
    name = call.query("repository")
    if not name:
        raise NexusError(422, "repositoryId is required.")
    repo = call.runtime.repos.get(name)
    if repo is None:
        raise NexusError(404, f"Unable to locate repository with id {name}")
    _demand_visible(call, repo)
    return repo


def _demand_visible(call: Call, repo: Repository) -> None:
    """3.77 `RepositoryManagerRESTAdapterImpl.getRepository`: view read or browse, else a plain
    403 (anonymous callers included)."""
    if not call.subject.permits_view(repo, "read", "browse"):
        raise Forbidden()


def _repository_of(call: Call, item: str, action: str | None = None) -> tuple[Repository, str]:
    """The repository of an item id; the caller must see it, and may need `action` on it."""
    repo_name, ext_id = parse_item_id(item)
    repo = call.runtime.repos.get(repo_name)
    if repo is None:
        raise NexusError(404)
    _demand_visible(call, repo)
    if action is not None:
        call.subject.demand_view(repo, action)
    return repo, ext_id


def list_components(call: Call) -> Response:
    repo = _browsable(call)
    content = call.runtime.content
    components = content.page_components(
        repo.name, decode_token(call.query("continuationToken")), PAGE_SIZE
    )
    return json_response(component_page(components, content, call.base_url, PAGE_SIZE))


def get_component(call: Call) -> Response:
    repo, ext_id = _repository_of(call, call.param("id"))
    component = call.runtime.content.component_by_ext_id(repo.name, ext_id)
    if component is None:
        raise NexusError(404)
    return json_response(component_json(component, call.runtime.content, call.base_url))


def delete_component(call: Call) -> Response:
    repo, ext_id = _repository_of(call, call.param("id"), "delete")
    component = call.runtime.content.component_by_ext_id(repo.name, ext_id)
    if component is None:
        raise NexusError(404)
    call.runtime.pypi.delete_component(repo, component)
    return no_content()


def list_assets(call: Call) -> Response:
    repo = _browsable(call)
    assets = call.runtime.content.page_assets(
        repo.name, decode_token(call.query("continuationToken")), PAGE_SIZE
    )
    return json_response(asset_page(assets, call.base_url, PAGE_SIZE))


def get_asset(call: Call) -> Response:
    repo, ext_id = _repository_of(call, call.param("id"))
    asset = call.runtime.content.asset_by_ext_id(repo.name, ext_id)
    if asset is None:
        raise NexusError(404)
    return json_response(asset_json(asset, call.base_url))


def delete_asset(call: Call) -> Response:
    repo, ext_id = _repository_of(call, call.param("id"), "delete")
    asset = call.runtime.content.asset_by_ext_id(repo.name, ext_id)
    if asset is None:
        raise NexusError(404)
    call.runtime.pypi.delete_asset(repo, asset)
    return no_content()


def upload_component(call: Call) -> Response:
    """POST /v1/components?repository=R, multipart field `pypi.asset`; metadata from the file."""
    if not call.request.headers.get("content-type", "").startswith("multipart/"):
        raise NexusError(400, "Expected multipart Content-Type")
    name = call.query("repository") or ""
    repo = call.runtime.repos.get(name)
    if repo is None:
        raise NexusError(404, f"Unable to locate repository with id {name}")
    _demand_visible(call, repo)
    call.subject.demand_view(repo, "add")
    if repo.type != HOSTED:
        raise NexusError(
            400,
            f"Uploading components to a '{repo.type}' type repository is"
            " unsupported, must be 'hosted'",
        )
    part = call.form.get(UPLOAD_FIELD) if call.form is not None else None
    if not isinstance(part, UploadFile) or not part.filename:
        raise NexusError(400, f"The field {UPLOAD_FIELD} is required")
    tmp_dir = call.runtime.config.data_dir / "tmp"
    tmp_dir.mkdir(exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=tmp_dir, suffix=".upload") as spooled:
        shutil.copyfileobj(part.file, spooled)
        spooled.flush()
        with open(spooled.name, "rb") as source:
            upload = _upload(call, Path(spooled.name), part.filename, source)
            call.runtime.pypi.hosted.upload(repo, upload)
    return no_content()


def _upload(call: Call, path: Path, filename: str, source: BinaryIO) -> Upload:
    metadata = read_metadata(path, filename)
    if metadata is None:
        raise NexusError(400, "Unable to extract PyPI metadata from provided archive.")
    if not metadata.name or not metadata.version:
        missing = "name" if not metadata.name else "version"
        raise NexusError(400, f"Metadata is missing the {missing} attribute")
    attributes = {"requires_python": metadata.requires_python} if metadata.requires_python else {}
    return Upload(
        filename=filename,
        source=source,
        name=metadata.name,
        version=metadata.version,
        uploader=call.subject.user_id,
        uploader_ip=call.client_ip,
        attributes=attributes,
    )


routes = [
    Route("/v1/components", rest(list_components), methods=["GET"]),
    Route("/v1/components", rest(upload_component, form=True), methods=["POST"]),
    Route("/v1/components/{id:str}", rest(get_component), methods=["GET"]),
    Route("/v1/components/{id:str}", rest(delete_component), methods=["DELETE"]),
    Route("/v1/assets", rest(list_assets), methods=["GET"]),
    Route("/v1/assets/{id:str}", rest(get_asset), methods=["GET"]),
    Route("/v1/assets/{id:str}", rest(delete_asset), methods=["DELETE"]),
]
