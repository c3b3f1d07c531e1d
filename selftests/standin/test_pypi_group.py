"""Group PyPI: merged indexes (first member wins, sorted), downloads, unknown and offline repos."""

from __future__ import annotations

import pytest
import requests

from .conftest import StandInFactory, create_repo, group_body, hosted_body
from .support import Dists, StandIn, sha256_of, twine_upload


@pytest.fixture(scope="module")
def instance(
    standin_factory: StandInFactory, dists: Dists, tmp_path_factory: pytest.TempPathFactory
) -> StandIn:
    instance = standin_factory()
    home = tmp_path_factory.mktemp("group-home")
    for name, label in (("g-first", "first"), ("g-second", "second")):
        create_repo(instance, "hosted", hosted_body(name))
        result = twine_upload(home, instance.repo_url(name), *instance.admin, dists.variants[label])
        assert result.returncode == 0, result.stdout
    twine_upload(home, instance.repo_url("g-second"), *instance.admin, *dists.internal)
    create_repo(instance, "group", group_body("g-ordered", ["g-first", "g-second"]))
    create_repo(instance, "group", group_body("g-reversed", ["g-second", "g-first"]))
    return instance


def test_first_member_wins_for_a_duplicate_file(instance: StandIn, dists: Dists) -> None:
    wheel = dists.variants["first"].name
    for group, winner in (("g-ordered", "first"), ("g-reversed", "second")):
        page = requests.get(instance.index_url(group) + "/shadow-pkg/", timeout=5).text
        assert f"#sha256={sha256_of(dists.variants[winner])}" in page
        assert page.count(f">{wheel}</a>") == 1
        download = requests.get(
            instance.repo_url(group) + f"packages/shadow-pkg/1.0/{wheel}", timeout=5
        )
        assert download.content == dists.variants[winner].read_bytes()


def test_merged_pages_are_sorted_and_complete(instance: StandIn, dists: Dists) -> None:
    page = requests.get(instance.index_url("g-ordered") + "/internal-pkg/", timeout=5).text
    names = [path.name for path in dists.internal]
    positions = [page.index(f">{name}</a>") for name in sorted(names)]
    assert positions == sorted(positions)
    root = requests.get(instance.index_url("g-ordered") + "/", timeout=5).text
    assert root.index("internal-pkg/") < root.index("shadow-pkg/")


def test_project_no_member_knows_is_an_empty_page(instance: StandIn) -> None:
    answer = requests.get(instance.index_url("g-ordered") + "/nobody-has-this/", timeout=5)
    assert answer.status_code == 200
    assert "<a " not in answer.text
    missing = requests.get(
        instance.repo_url("g-ordered") + "packages/x/1.0/x-1.0.tar.gz", timeout=5
    )
    assert missing.status_code == 404


def test_offline_repository_answers_503_and_unknown_404(instance: StandIn) -> None:
    create_repo(instance, "hosted", hosted_body("g-offline", online=False))
    offline = requests.get(instance.index_url("g-offline") + "/", timeout=5)
    assert (offline.status_code, offline.reason) == (503, "Repository offline")
    unknown = requests.get(instance.index_url("no-such-repo") + "/", timeout=5)
    assert (unknown.status_code, unknown.reason) == (404, "Repository not found")


def test_offline_member_is_skipped(instance: StandIn, dists: Dists) -> None:
    create_repo(instance, "hosted", hosted_body("g-offline-member", online=False))
    create_repo(instance, "group", group_body("g-with-offline", ["g-offline-member", "g-second"]))
    page = requests.get(instance.index_url("g-with-offline") + "/shadow-pkg/", timeout=5).text
    assert f"#sha256={sha256_of(dists.variants['second'])}" in page


def _group_pages(instance: StandIn, group: str) -> set[str]:
    assets = requests.get(instance.rest(f"v1/assets?repository={group}"), timeout=5).json()
    return {asset["path"] for asset in assets["items"]}


def test_merged_page_is_cached_as_the_groups_asset_until_a_member_changes(
    standin_factory: StandInFactory, dists: Dists, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """3.30 PyPiGroupFacet.saveToCache keeps the merged page as the group's own asset; it is
    merged again once a member's answer changes (isStale / the asset-event invalidation)."""
    instance = standin_factory()
    home = tmp_path_factory.mktemp("group-cache-home")
    create_repo(instance, "hosted", hosted_body("c-first"))
    create_repo(instance, "hosted", hosted_body("c-second"))
    create_repo(instance, "group", group_body("c-group", ["c-first", "c-second"]))
    assert (
        twine_upload(
            home, instance.repo_url("c-first"), *instance.admin, *dists.internal
        ).returncode
        == 0
    )
    page_url = instance.index_url("c-group") + "/internal-pkg/"
    first = requests.get(page_url, timeout=5).text
    assert dists.variants["internal-2"].name not in first
    requests.get(instance.index_url("c-group") + "/", timeout=5)
    assert _group_pages(instance, "c-group") == {"/simple/", "/simple/internal-pkg/"}
    assert requests.get(page_url, timeout=5).text == first  # served from the cached asset

    newer = dists.variants["internal-2"]
    assert twine_upload(home, instance.repo_url("c-second"), *instance.admin, newer).returncode == 0
    second = requests.get(page_url, timeout=5).text
    assert f">{newer.name}</a>" in second
    assert all(f">{path.name}</a>" in second for path in dists.internal)

    invalidated = requests.post(
        instance.rest("v1/repositories/c-group/invalidate-cache"), auth=instance.admin, timeout=5
    )
    assert invalidated.status_code == 204
    assert _group_pages(instance, "c-group") == set()


def test_offline_member_is_still_asked_before_3_89(
    standin_factory: StandInFactory, dists: Dists, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Up to 3.88 a group dispatches to every member, offline or not (3.77
    GroupFacetImpl.members(), GroupHandler); 3.89.0 started skipping offline members
    (sonatype/nexus-public#991), which the default version does (test above)."""
    instance = standin_factory("--nexus-version", "3.77.1-01")
    home = tmp_path_factory.mktemp("offline-member-home")
    create_repo(instance, "hosted", hosted_body("o-member"))
    assert (
        twine_upload(
            home, instance.repo_url("o-member"), *instance.admin, dists.variants["first"]
        ).returncode
        == 0
    )
    offline = hosted_body("o-member", online=False)
    assert (
        requests.put(
            instance.rest("v1/repositories/pypi/hosted/o-member"),
            json=offline,
            auth=instance.admin,
            timeout=5,
        ).status_code
        == 204
    )
    create_repo(instance, "group", group_body("o-group", ["o-member"]))
    assert requests.get(instance.index_url("o-member") + "/", timeout=5).status_code == 503
    page = requests.get(instance.index_url("o-group") + "/shadow-pkg/", timeout=5).text
    assert f"#sha256={sha256_of(dists.variants['first'])}" in page
