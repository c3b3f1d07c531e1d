"""Components, assets and search through the typed client: paging, checksums, ids, deletes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from .conftest import StandInFactory, create_repo, hosted_body
from .support import Dists, StandIn, sha256_of


@pytest.fixture(scope="module")
def instance(standin_factory: StandInFactory, dists: Dists) -> StandIn:
    """105 components in `bulk`, uploaded through the typed client from 8 threads."""
    from nexus_api_client.api.components_api import ComponentsApi

    instance = standin_factory()
    create_repo(instance, "hosted", hosted_body("bulk", "ALLOW_ONCE"))
    api = ComponentsApi(instance.api())

    def upload(path: Any) -> int:
        answer = api.create_components_with_http_info(
            "bulk", pypi_asset=(path.name, path.read_bytes())
        )
        return int(answer.status_code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(upload, dists.bulk)) == {204}
    return instance


def _all_pages(fetch: Any) -> tuple[list[Any], list[Any]]:
    items: list[Any] = []
    tokens: list[Any] = []
    token = None
    while True:
        page = fetch(token)
        items.extend(page.items)
        tokens.append(page.continuation_token)
        token = page.continuation_token
        if token is None:
            return items, tokens


def test_components_are_paged_by_100(instance: StandIn) -> None:
    from nexus_api_client.api.components_api import ComponentsApi

    api = ComponentsApi(instance.api())
    items, tokens = _all_pages(lambda token: api.list_components("bulk", token))
    assert len(items) == 105
    assert len(tokens) == 2
    assert tokens[-1] is None
    assert {item.version for item in items} == {f"1.0.{n}" for n in range(105)}
    assert {item.name for item in items} == {"bulk-pkg"}
    assert all(item.format == "pypi" and len(item.assets) == 1 for item in items)


def test_assets_are_paged_by_100(instance: StandIn) -> None:
    from nexus_api_client.api.assets_api import AssetsApi

    api = AssetsApi(instance.api())
    items, tokens = _all_pages(lambda token: api.list_assets("bulk", token))
    packages = [item for item in items if item.path.startswith("/packages/")]
    assert len(packages) == 105
    assert len(tokens) == 2
    assert all(set(item.checksum) == {"sha1", "sha256", "md5"} for item in packages)


def test_search_assets_by_sha256(instance: StandIn, dists: Dists) -> None:
    from nexus_api_client.api.search_api import SearchApi

    api = SearchApi(instance.api())
    wheel = dists.bulk[7]
    found = api.list_search_assets(repository="bulk", sha256=sha256_of(wheel))
    assert [item.path for item in found.items] == [f"/packages/bulk-pkg/1.0.7/{wheel.name}"]
    assert found.items[0].checksum["sha256"] == sha256_of(wheel)
    assert requests.get(found.items[0].download_url, timeout=5).content == wheel.read_bytes()
    assert api.list_search_assets(sha256="0" * 64).items == []


def test_search_pages_by_50_and_filters(instance: StandIn) -> None:
    from nexus_api_client.api.search_api import SearchApi

    api = SearchApi(instance.api())
    items, tokens = _all_pages(
        lambda token: api.list_search(repository="bulk", name="bulk_pkg", continuation_token=token)
    )
    assert len(items) == 105
    assert len(tokens) == 3
    assert [item.version for item in api.list_search(version="1.0.42", format="pypi").items] == [
        "1.0.42"
    ]
    assert api.list_search(format="maven2").items == []


def test_download_redirects_to_the_single_match(instance: StandIn, dists: Dists) -> None:
    wheel = dists.bulk[3]
    answer = requests.get(
        instance.rest("v1/search/assets/download"),
        timeout=5,
        params={"repository": "bulk", "sha256": sha256_of(wheel)},
        allow_redirects=False,
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(
        f"/repository/bulk/packages/bulk-pkg/1.0.3/{wheel.name}"
    )
    many = requests.get(
        instance.rest("v1/search/assets/download"),
        timeout=5,
        params={"repository": "bulk"},
        allow_redirects=False,
    )
    assert many.status_code == 400


def test_get_and_delete_by_id(instance: StandIn, dists: Dists) -> None:
    from nexus_api_client.api.components_api import ComponentsApi
    from nexus_api_client.exceptions import ApiException

    api = ComponentsApi(instance.api())
    target = next(item for item in api.list_components("bulk").items if item.version == "1.0.0")
    assert api.get_components(target.id).version == "1.0.0"
    anonymous = requests.delete(instance.rest(f"v1/components/{target.id}"), timeout=5)
    assert anonymous.status_code == 401
    assert api.delete_components_with_http_info(target.id).status_code == 204
    with pytest.raises(ApiException) as gone:
        api.get_components(target.id)
    assert gone.value.status == 404
    wheel_url = instance.repo_url("bulk") + f"packages/bulk-pkg/1.0.0/{dists.bulk[0].name}"
    assert requests.get(wheel_url, timeout=5).status_code == 404
    page = requests.get(instance.index_url("bulk") + "/bulk-pkg/", timeout=5).text
    assert dists.bulk[0].name not in page
    assert dists.bulk[1].name in page


def test_unknown_ids_and_repositories(instance: StandIn) -> None:
    assert requests.get(instance.rest("v1/components/@@@"), timeout=5).status_code == 404
    assert (
        requests.get(instance.rest("v1/components?repository=none"), timeout=5).status_code == 404
    )
    assert requests.get(instance.rest("v1/assets"), timeout=5).status_code == 422
