"""ComponentXO / AssetXO and their pages, built with the 3.97 models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models import AssetXO, ComponentXO, PageAssetXO, PageComponentXO
from ..store.blobs import BlobStore
from ..store.content import Asset, Component, ContentStore
from .support import dump, item_id, next_token

FORMAT = "pypi"
# Fields Nexus writes as null rather than leaving out.
NULLABLE = frozenset(
    {"continuationToken", "group", "lastDownloaded", "uploader", "uploaderIp", "contentType"}
)


def asset_xo(asset: Asset, base_url: str) -> AssetXO:
    return AssetXO.model_validate(
        {
            "downloadUrl": f"{base_url}/repository/{asset.repository}{asset.path}",
            "path": asset.path,
            "id": item_id(asset.repository, asset.ext_id),
            "repository": asset.repository,
            "format": FORMAT,
            "checksum": asset.checksums,
            "contentType": asset.content_type,
            "lastModified": asset.blob_updated,
            "lastDownloaded": asset.last_downloaded,
            "uploader": asset.uploader,
            "uploaderIp": asset.uploader_ip,
            "fileSize": asset.size,
            "blobCreated": asset.blob_created,
            "blobUpdated": asset.blob_updated,
            "blobStoreName": BlobStore.name,
        }
    )


def component_xo(component: Component, assets: Sequence[Asset], base_url: str) -> ComponentXO:
    return ComponentXO.model_validate(
        {
            "id": item_id(component.repository, component.ext_id),
            "repository": component.repository,
            "format": FORMAT,
            "group": None,
            "name": component.name,
            "version": component.version,
            "assets": [asset_xo(asset, base_url) for asset in assets],
        }
    )


def asset_json(asset: Asset, base_url: str) -> dict[str, Any]:
    return dump(asset_xo(asset, base_url), NULLABLE)


def component_json(component: Component, content: ContentStore, base_url: str) -> dict[str, Any]:
    assets = content.assets_of([component.id])[component.id]
    return dump(component_xo(component, assets, base_url), NULLABLE)


def component_page(
    components: Sequence[Component], content: ContentStore, base_url: str, page_size: int
) -> dict[str, Any]:
    assets = content.assets_of(c.id for c in components)
    token = next_token(len(components), page_size, components[-1].id if components else 0)
    page = PageComponentXO.model_validate(
        {
            "items": [component_xo(c, assets[c.id], base_url) for c in components],
            "continuationToken": token,
        }
    )
    return dump(page, NULLABLE)


def asset_page(assets: Sequence[Asset], base_url: str, page_size: int) -> dict[str, Any]:
    token = next_token(len(assets), page_size, assets[-1].id if assets else 0)
    page = PageAssetXO.model_validate(
        {
            "items": [asset_xo(asset, base_url) for asset in assets],
            "continuationToken": token,
        }
    )
    return dump(page, NULLABLE)
