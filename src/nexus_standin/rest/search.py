"""/v1/search, /v1/search/assets and /v1/search/assets/download (50 a page)."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import NexusError
from ..store.content import SearchQuery
from .content_xo import FORMAT, asset_page, asset_xo, component_page
from .support import Call, decode_token, json_response, rest

PAGE_SIZE = 50
CHECKSUMS = ("md5", "sha1", "sha256", "sha512")


def _query(call: Call) -> SearchQuery:
    wanted = call.query("repository")
    readable = [
        repo.name
        for repo in call.runtime.repos.all()
        if call.subject.permits_view(repo, "browse") and (wanted is None or repo.name == wanted)
    ]
    fmt = call.query("format")
    if fmt is not None and fmt != FORMAT:
        readable = []
    checksums = {name: value for name in CHECKSUMS if (value := call.query(name))}
    return SearchQuery(
        repositories=readable,
        name=call.query("name"),
        version=call.query("version"),
        keyword=call.query("q"),
        checksums=checksums,
    )


def search_components(call: Call) -> Response:
    content = call.runtime.content
    components = content.search_components(
        _query(call), decode_token(call.query("continuationToken")), PAGE_SIZE
    )
    return json_response(component_page(components, content, call.base_url, PAGE_SIZE))


def search_assets(call: Call) -> Response:
    assets = call.runtime.content.search_assets(
        _query(call), decode_token(call.query("continuationToken")), PAGE_SIZE
    )
    return json_response(asset_page(assets, call.base_url, PAGE_SIZE))


def download_asset(call: Call) -> Response:
    assets = call.runtime.content.search_assets(_query(call), 0, 2)
    if not assets:
        raise NexusError(404)
    if len(assets) > 1:
        raise NexusError(
            400,
            "Search returned multiple assets, please refine search criteria to"
            " find a single asset or use the sort query parameter to retrieve"
            " the first result.",
        )
    url = asset_xo(assets[0], call.base_url).download_url
    return RedirectResponse(str(url), status_code=302)


routes = [
    Route("/v1/search", rest(search_components), methods=["GET"]),
    Route("/v1/search/assets", rest(search_assets), methods=["GET"]),
    Route("/v1/search/assets/download", rest(download_asset), methods=["GET"]),
]
