"""Proxy PyPI with https://pypi.org, a local pypiserver and fixed pages as remotes: caching,
blocking, component names, the outbound request log."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from email.parser import HeaderParser
from pathlib import Path

import pytest
import requests

from .conftest import StandInFactory, create_repo, group_body, proxy_body
from .support import (
    Dists,
    PyPIServer,
    StandIn,
    StaticSite,
    pip,
    pip_report,
    project_page,
    sha256_of,
)

PyPIServerFactory = Callable[[Sequence[Path]], PyPIServer]


@pytest.fixture(scope="module")
def instance(standin_factory: StandInFactory) -> StandIn:
    return standin_factory()


def _fetched(instance: StandIn, url: str) -> list[str]:
    """outbound-request.log lines of GETs of URLs starting with `url`."""
    return instance.outbound_lines(f'"GET {url}')


def test_public_package_installs_through_the_group(
    standin: StandIn, home: Path, venv_python: Path
) -> None:
    origins = pip_report(venv_python, home, standin.index_url("pypi-group"), "six")
    assert re.fullmatch(
        re.escape(standin.repo_url("pypi-group")) + r"packages/six/[^/]+/six-.*"
        r"\.whl",
        origins["six"],
    )
    installed = pip(
        venv_python, home, "install", "--index-url", standin.index_url("pypi-group"), "six"
    )
    assert installed.returncode == 0, installed.stderr
    assert any(" 200 " in line for line in _fetched(standin, "https://pypi.org/simple/six/"))
    assert _fetched(standin, "https://files.pythonhosted.org/packages/")


def test_what_the_proxy_fetched_is_a_component_with_the_index_hash(
    standin: StandIn, home: Path, venv_python: Path
) -> None:
    pip_report(venv_python, home, standin.index_url("pypi-group"), "six")
    page = requests.get(standin.index_url("pypi-proxy") + "/six/", timeout=10).text
    components = requests.get(
        standin.rest("v1/components?repository=pypi-proxy"), timeout=10
    ).json()["items"]
    six = next(item for item in components if item["name"] == "six")
    asset = six["assets"][0]
    assert asset["path"] == f"/packages/six/{six['version']}/{asset['path'].rsplit('/', 1)[1]}"
    filename = asset["path"].rsplit("/", 1)[1]
    link = re.search(
        rf'href="\.\./\.\./packages/six/{re.escape(six["version"])}/'
        rf'{re.escape(filename)}#sha256=([0-9a-f]+)"',
        page,
    )
    assert link is not None
    assert link.group(1) == asset["checksum"]["sha256"]


def test_local_pypiserver_as_remote(
    instance: StandIn,
    dists: Dists,
    home: Path,
    venv_python: Path,
    pypiserver_factory: PyPIServerFactory,
) -> None:
    server = pypiserver_factory(dists.internal)
    create_repo(instance, "proxy", proxy_body("local-proxy", server.url))
    create_repo(instance, "group", group_body("local-group", ["local-proxy"]))
    origins = pip_report(venv_python, home, instance.index_url("local-group"), "internal-pkg")
    wheel = dists.internal_wheel
    assert origins["internal-pkg"] == (
        instance.repo_url("local-group") + f"packages/internal-pkg/1.0.0/{wheel.name}"
    )
    page = requests.get(instance.index_url("local-proxy") + "/internal-pkg/", timeout=5).text
    assert f"#sha256={sha256_of(wheel)}" in page
    downloaded = requests.get(origins["internal-pkg"], timeout=5).content
    assert downloaded == wheel.read_bytes()
    # pypiserver's links are relative (/packages/<file>): the proxy followed them.
    assert any(" 200 " in line for line in _fetched(instance, f"{server.url}packages/{wheel.name}"))


def test_index_pages_are_cached_for_metadata_max_age(
    instance: StandIn, dists: Dists, pypiserver_factory: PyPIServerFactory
) -> None:
    server = pypiserver_factory(dists.internal)
    create_repo(instance, "proxy", proxy_body("cached-proxy", server.url))
    create_repo(instance, "proxy", proxy_body("uncached-proxy", server.url, max_age=0))
    for repo in ("cached-proxy", "uncached-proxy"):
        requests.get(instance.index_url(repo) + "/internal-pkg/", timeout=5)
    server.add(dists.variants["internal-2"])
    new_file = dists.variants["internal-2"].name
    cached = requests.get(instance.index_url("cached-proxy") + "/internal-pkg/", timeout=5).text
    fresh = requests.get(instance.index_url("uncached-proxy") + "/internal-pkg/", timeout=5).text
    assert new_file not in cached
    assert new_file in fresh


def test_negative_cache_until_invalidated(
    instance: StandIn, dists: Dists, pypiserver_factory: PyPIServerFactory
) -> None:
    server = pypiserver_factory(dists.internal)
    create_repo(instance, "proxy", proxy_body("negative-proxy", server.url))
    url = instance.index_url("negative-proxy") + "/late-pkg/"
    assert requests.get(url, timeout=5).status_code == 404
    server.add(dists.variants["late"])
    assert requests.get(url, timeout=5).status_code == 404  # remembered, remote not asked
    assert len(_fetched(instance, f"{server.url}simple/late-pkg/")) == 1
    invalidated = requests.post(
        instance.rest("v1/repositories/negative-proxy/invalidate-cache"),
        auth=instance.admin,
        timeout=5,
    )
    assert invalidated.status_code == 204
    assert requests.get(url, timeout=5).status_code == 200


def test_remote_outage_serves_cache_then_auto_blocks(
    instance: StandIn, dists: Dists, pypiserver_factory: PyPIServerFactory
) -> None:
    files = pypiserver_factory(dists.internal)
    wheel = dists.internal_wheel
    site = StaticSite({"/simple/internal-pkg/": project_page(f"{files.url}packages/{wheel.name}")})
    try:
        create_repo(instance, "proxy", proxy_body("fragile-proxy", site.url, max_age=0))
        index = instance.index_url("fragile-proxy")
        wheel_url = instance.repo_url("fragile-proxy") + f"packages/internal-pkg/1.0.0/{wheel.name}"
        assert requests.get(index + "/internal-pkg/", timeout=5).status_code == 200
        assert requests.get(wheel_url, timeout=5).status_code == 200
        site.failing = True  # the remote's main host now answers 503

        stale = requests.get(index + "/internal-pkg/", timeout=5)
        assert stale.status_code == 200
        assert wheel.name in stale.text
        assert requests.get(wheel_url, timeout=5).content == wheel.read_bytes()
        blocked = requests.get(index + "/never-cached/", timeout=5)
        assert blocked.status_code == 404
        # Joda's DateTime.toString() in UTC (3.77 BlockingHttpClient)
        assert re.fullmatch(
            r"Remote Auto Blocked until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", blocked.reason
        )
        attempts = len(site.requests)
        requests.get(index + "/other-project/", timeout=5)
        assert len(site.requests) == attempts  # blocked: not contacted
    finally:
        site.stop()


def test_auto_block_applies_to_the_main_host_only(
    instance: StandIn, dists: Dists, pypiserver_factory: PyPIServerFactory
) -> None:
    """Files on another host (as PyPI's files.pythonhosted.org) never block the repository
    (3.77 BlockingHttpClient filters only its main target)."""
    from .support import stop_process

    files = pypiserver_factory(dists.internal)
    wheel = dists.internal_wheel
    site = StaticSite({"/simple/internal-pkg/": project_page(f"{files.url}packages/{wheel.name}")})
    try:
        create_repo(instance, "proxy", proxy_body("two-hosts-proxy", site.url))
        index = instance.index_url("two-hosts-proxy")
        assert requests.get(index + "/internal-pkg/", timeout=5).status_code == 200
        stop_process(files.process)  # the files' host is down, the index host is fine
        wheel_url = instance.repo_url("two-hosts-proxy") + (
            f"packages/internal-pkg/1.0.0/{wheel.name}"
        )
        assert requests.get(wheel_url, timeout=10).status_code == 502
        after = requests.get(index + "/other-project/", timeout=5)
        assert (after.status_code, after.reason) == (404, "Not Found")
        assert "/simple/other-project/" in site.requests  # still contacted: not blocked
    finally:
        site.stop()


def test_index_page_without_the_projects_files_is_not_cached(instance: StandIn) -> None:
    """3.30 PyPiIndexUtils.validateIndexLinks: a page none of whose files belongs to the project
    is not stored; the client gets 404."""
    site = StaticSite(
        {
            "/simple/ghost/": project_page("/files/other_pkg-1.0-py3-none-any.whl"),
            "/simple/real-pkg/": project_page("/files/Real_Pkg-1.0-py3-none-any.whl"),
        }
    )
    try:
        create_repo(instance, "proxy", proxy_body("validating-proxy", site.url))
        index = instance.index_url("validating-proxy")
        assert requests.get(index + "/ghost/", timeout=5).status_code == 404
        assert requests.get(index + "/real-pkg/", timeout=5).status_code == 200
        assets = requests.get(
            instance.rest("v1/assets?repository=validating-proxy"), timeout=5
        ).json()["items"]
        assert [asset["path"] for asset in assets] == ["/simple/real-pkg/"]
    finally:
        site.stop()


def test_proxied_component_is_named_as_the_files_metadata(
    instance: StandIn, dists: Dists, pypiserver_factory: PyPIServerFactory
) -> None:
    """3.30 PyPiProxyFacet.putPackage: the component is the metadata's Name (not normalised)
    and Version; the asset path keeps the normalised name."""
    server = pypiserver_factory(dists.internal)
    create_repo(instance, "proxy", proxy_body("naming-proxy", server.url))
    wheel = dists.internal_wheel
    url = instance.repo_url("naming-proxy") + f"packages/internal-pkg/1.0.0/{wheel.name}"
    assert requests.get(url, timeout=5).status_code == 200
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        name = HeaderParser().parsestr(archive.read(metadata).decode())["Name"]
    assert name != "internal-pkg"  # the test dist's metadata spells it differently
    components = requests.get(
        instance.rest("v1/components?repository=naming-proxy"), timeout=5
    ).json()["items"]
    assert [(c["name"], c["version"]) for c in components] == [(name, "1.0.0")]
    assert components[0]["assets"][0]["path"] == f"/packages/internal-pkg/1.0.0/{wheel.name}"
    found = requests.get(
        instance.rest("v1/search?repository=naming-proxy&name=internal-pkg"), timeout=5
    ).json()["items"]
    assert [c["name"] for c in found] == [name]


def test_unreachable_remote_gives_502_without_cache(instance: StandIn) -> None:
    from .support import free_port

    dead = f"http://127.0.0.1:{free_port()}/"
    create_repo(instance, "proxy", proxy_body("dead-proxy", dead, auto_block=False))
    answer = requests.get(instance.index_url("dead-proxy") + "/anything/", timeout=10)
    assert answer.status_code == 502


def test_manually_blocked_proxy_never_contacts_the_remote(instance: StandIn) -> None:
    create_repo(instance, "proxy", proxy_body("blocked-proxy", "https://pypi.org/", blocked=True))
    answer = requests.get(instance.index_url("blocked-proxy") + "/six/", timeout=5)
    assert (answer.status_code, answer.reason) == (404, "Remote Manually Blocked")
    assert _fetched(instance, "https://pypi.org/simple/six/") == []


def test_proxy_refuses_uploads(instance: StandIn) -> None:
    create_repo(instance, "proxy", proxy_body("upload-proxy", "https://pypi.org/", blocked=True))
    answer = requests.post(
        instance.repo_url("upload-proxy"),
        auth=instance.admin,
        timeout=5,
        data={":action": "file_upload"},
        files={"content": ("a.whl", b"x")},
    )
    assert answer.status_code == 404
