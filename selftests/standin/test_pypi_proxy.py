"""Proxy PyPI with https://pypi.org and a local pypiserver as remotes: caching, blocking."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import requests

from .conftest import StandInFactory, create_repo, group_body, proxy_body
from .support import Dists, PyPIServer, StandIn, pip, pip_report, sha256_of

PyPIServerFactory = Callable[[Sequence[Path]], PyPIServer]


@pytest.fixture(scope="module")
def instance(standin_factory: StandInFactory) -> StandIn:
    return standin_factory()


def _fetch_lines(instance: StandIn, repo: str) -> list[str]:
    return [line for line in instance.nexus_log.read_text().splitlines() if f"{repo}: GET " in line]


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
    fetched = _fetch_lines(standin, "pypi-proxy")
    assert any("GET https://pypi.org/simple/six/ -> 200" in line for line in fetched)
    assert any("GET https://files.pythonhosted.org/packages/" in line for line in fetched)


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
    assert any(
        f"GET {server.url}packages/{wheel.name} -> 200" in line
        for line in _fetch_lines(instance, "local-proxy")
    )


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
    assert (
        len(
            [
                line
                for line in _fetch_lines(instance, "negative-proxy")
                if "/simple/late-pkg/" in line
            ]
        )
        == 1
    )
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
    from .support import stop_process

    server = pypiserver_factory(dists.internal)
    create_repo(instance, "proxy", proxy_body("fragile-proxy", server.url, max_age=0))
    index = instance.index_url("fragile-proxy")
    wheel_url = instance.repo_url("fragile-proxy") + (
        f"packages/internal-pkg/1.0.0/{dists.internal_wheel.name}"
    )
    assert requests.get(index + "/internal-pkg/", timeout=5).status_code == 200
    assert requests.get(wheel_url, timeout=5).status_code == 200
    stop_process(server.process)

    stale = requests.get(index + "/internal-pkg/", timeout=5)
    assert stale.status_code == 200
    assert dists.internal_wheel.name in stale.text
    assert requests.get(wheel_url, timeout=5).content == dists.internal_wheel.read_bytes()
    blocked = requests.get(index + "/never-cached/", timeout=5)
    assert blocked.status_code == 404
    assert blocked.reason.startswith("Remote Auto Blocked until ")
    attempts = len(_fetch_lines(instance, "fragile-proxy"))
    requests.get(index + "/other-project/", timeout=5)
    assert len(_fetch_lines(instance, "fragile-proxy")) == attempts  # blocked: not contacted


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
    assert _fetch_lines(instance, "blocked-proxy") == []


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
