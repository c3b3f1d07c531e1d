"""Hosted PyPI: twine uploads under each write policy, the index, pip installs, REST upload."""

from __future__ import annotations

import hashlib
import html
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from .conftest import StandInFactory, create_repo, group_body, hosted_body
from .support import Dists, StandIn, pip, pip_report, sha256_of, twine_upload


@pytest.fixture(scope="module")
def instance(standin_factory: StandInFactory) -> StandIn:
    instance = standin_factory()
    for policy in ("ALLOW", "ALLOW_ONCE", "DENY"):
        create_repo(instance, "hosted", hosted_body(f"h-{policy.lower()}", policy))
    create_repo(instance, "group", group_body("h-group", ["h-allow"]))
    return instance


def test_twine_upload_then_pip_install(
    instance: StandIn, dists: Dists, home: Path, venv_python: Path
) -> None:
    result = twine_upload(home, instance.repo_url("h-allow"), *instance.admin, *dists.internal)
    assert result.returncode == 0, result.stdout + result.stderr
    origins = pip_report(venv_python, home, instance.index_url("h-allow"), "internal-pkg")
    assert origins == {
        "internal-pkg": instance.repo_url("h-allow")
        + "packages/internal-pkg/1.0.0/internal_pkg-1.0.0-py3-none-any.whl"
    }
    installed = pip(
        venv_python,
        home,
        "install",
        "--index-url",
        instance.index_url("h-allow"),
        "internal-pkg==1.0.0",
    )
    assert installed.returncode == 0, installed.stderr


def test_index_page_is_nexus_shaped(instance: StandIn, dists: Dists, home: Path) -> None:
    twine_upload(home, instance.repo_url("h-allow"), *instance.admin, *dists.internal)
    page = requests.get(instance.index_url("h-allow") + "/internal-pkg/", timeout=5).text
    assert '<meta name="api-version" value="2"/>' in page
    wheel = dists.internal_wheel
    link = (
        f'<a href="../../packages/internal-pkg/1.0.0/{wheel.name}#sha256={sha256_of(wheel)}"'
        f' rel="internal" data-requires-python="&gt;=3.8">{wheel.name}</a>'
    )
    assert link in page
    root = requests.get(instance.index_url("h-allow") + "/", timeout=5).text
    assert '<a href="internal-pkg/">internal-pkg</a>' in root
    assert (
        requests.get(instance.index_url("h-allow") + "/unknown-project/", timeout=5).status_code
        == 404
    )
    assets = requests.get(instance.rest("v1/assets?repository=h-allow"), timeout=5).json()
    pages = {item["path"] for item in assets["items"] if item["path"].startswith("/simple/")}
    assert pages == {"/simple/", "/simple/internal-pkg/"}  # cached pages are assets too


def test_package_download_and_head(instance: StandIn, dists: Dists, home: Path) -> None:
    twine_upload(home, instance.repo_url("h-allow"), *instance.admin, *dists.internal)
    url = instance.repo_url("h-allow") + f"packages/internal-pkg/1.0.0/{dists.internal_wheel.name}"
    assert requests.get(url, timeout=5).content == dists.internal_wheel.read_bytes()
    head = requests.head(url, timeout=5)
    assert head.status_code == 200
    assert int(head.headers["Content-Length"]) == dists.internal_wheel.stat().st_size
    assert requests.head(url + ".missing", timeout=5).status_code == 404


def _reupload(instance: StandIn, repo: str, home: Path, wheel: Path) -> tuple[int, int, str]:
    first = twine_upload(home, instance.repo_url(repo), *instance.admin, wheel)
    second = twine_upload(home, instance.repo_url(repo), *instance.admin, wheel)
    return first.returncode, second.returncode, second.stdout + second.stderr


def test_allow_replaces_an_existing_file(instance: StandIn, dists: Dists, home: Path) -> None:
    first, second, _ = _reupload(instance, "h-allow", home, dists.variants["first"])
    assert (first, second) == (0, 0)


def test_allow_once_refuses_a_second_upload(instance: StandIn, dists: Dists, home: Path) -> None:
    first, second, output = _reupload(instance, "h-allow_once", home, dists.variants["first"])
    assert (first, second) == (0, 1)
    name = dists.variants["first"].name
    assert f"h-allow_once/packages/shadow-pkg/1.0/{name} cannot be updated" in output
    # The message is both the reason phrase and the HTML error page's text.
    response = requests.post(
        instance.repo_url("h-allow_once"),
        auth=instance.admin,
        timeout=5,
        data={":action": "file_upload", "name": "shadow-pkg", "version": "1.0"},
        files={"content": (name, dists.variants["first"].read_bytes())},
    )
    assert response.status_code == 400
    assert response.reason == f"h-allow_once/packages/shadow-pkg/1.0/{name} cannot be updated"
    assert response.reason in response.text


def test_deny_refuses_every_upload(instance: StandIn, dists: Dists, home: Path) -> None:
    result = twine_upload(home, instance.repo_url("h-deny"), *instance.admin, dists.internal_wheel)
    assert result.returncode == 1
    expected = f"h-deny/packages/internal-pkg/1.0.0/{dists.internal_wheel.name} is read-only"
    assert expected in result.stdout + result.stderr


def test_deny_on_existing_files_cannot_update_or_delete(
    instance: StandIn, dists: Dists, home: Path
) -> None:
    """3.77 ContentFacetSupport: under DENY an existing file "cannot be updated" and a delete
    "cannot be deleted" (a new file "is read-only", above)."""
    create_repo(instance, "hosted", hosted_body("h-frozen-later"))
    wheel = dists.variants["late"]
    assert (
        twine_upload(home, instance.repo_url("h-frozen-later"), *instance.admin, wheel).returncode
        == 0
    )
    update = requests.put(
        instance.rest("v1/repositories/pypi/hosted/h-frozen-later"),
        auth=instance.admin,
        timeout=5,
        json=hosted_body("h-frozen-later", "DENY"),
    )
    assert update.status_code == 204
    path = f"h-frozen-later/packages/late-pkg/0.1/{wheel.name}"
    again = twine_upload(home, instance.repo_url("h-frozen-later"), *instance.admin, wheel)
    assert again.returncode == 1
    assert f"{path} cannot be updated" in again.stdout + again.stderr
    component = requests.get(
        instance.rest("v1/components?repository=h-frozen-later"), timeout=5
    ).json()["items"][0]
    deleted = requests.delete(
        instance.rest(f"v1/components/{component['id']}"), auth=instance.admin, timeout=5
    )
    assert (deleted.status_code, deleted.text) == (400, f"{path} cannot be deleted")


def test_upload_url_needs_the_trailing_slash(instance: StandIn, dists: Dists, home: Path) -> None:
    """3.77 RepositoryPath.parse / ViewServlet: `/repository/<name>` has no second `/` and is
    refused before the repository is even looked up; twine needs `/repository/<name>/`."""
    message = "Repository path must have another '/' after initial '/'"
    wheel = dists.variants["first"]
    bare = instance.repo_url("h-allow").rstrip("/")
    refused = twine_upload(home, bare, *instance.admin, wheel)
    assert refused.returncode == 1
    assert message in refused.stdout + refused.stderr
    for url in (bare, instance.repo_url("no-such-repo").rstrip("/")):
        answer = requests.post(url, auth=instance.admin, timeout=5, files={"content": ("a", b"")})
        assert (answer.status_code, answer.reason) == (400, message)
        assert html.escape(message) in answer.text  # the error page's text
    assert "WARN  [" in instance.nexus_log.read_text()
    assert f"ViewServlet - Bad request. Reason: {message}" in instance.nexus_log.read_text()
    assert twine_upload(home, bare + "/", *instance.admin, wheel).returncode == 0


def test_paths_nothing_serves(instance: StandIn) -> None:
    """A GET ending in `/` that no route takes is 3.77 BrowseUnsupportedHandler's 200 page;
    `/simple` without the slash is no route (3.30 matches `/simple/` only): 404."""
    for path in ("", "packages/", "somewhere/else/", "index.html"):
        page = requests.get(instance.repo_url("h-allow") + path, timeout=5)
        assert (page.status_code, page.headers["Content-Type"]) == (200, "text/html; charset=utf-8")
        assert "This pypi hosted repository is not directly browseable at this URL." in page.text
    assert requests.head(instance.repo_url("h-allow"), timeout=5).status_code == 404
    assert requests.get(instance.index_url("h-allow"), timeout=5).status_code == 404
    assert requests.get(instance.repo_url("h-allow") + "other", timeout=5).status_code == 404
    unknown = requests.get(instance.repo_url("no-such-repo") + "simple/", timeout=5)
    assert (unknown.status_code, unknown.reason) == (404, "Repository not found")


def test_md5_digest_is_checked(instance: StandIn, dists: Dists) -> None:
    wheel = dists.variants["second"]
    response = requests.post(
        instance.repo_url("h-allow"),
        auth=instance.admin,
        timeout=5,
        data={
            ":action": "file_upload",
            "name": "shadow-pkg",
            "version": "1.0",
            "md5_digest": hashlib.md5(b"other", usedforsecurity=False).hexdigest(),
        },
        files={"content": (wheel.name, wheel.read_bytes())},
    )
    assert response.status_code == 400
    assert re.match(
        r"Digests do not match, found: [0-9a-f]{32}, expected: [0-9a-f]{32}", response.reason
    )


def test_rest_upload_reads_metadata_from_the_archive(instance: StandIn, dists: Dists) -> None:
    sdist = next(path for path in dists.internal if path.name.endswith(".tar.gz"))
    url = instance.rest("v1/components?repository=h-allow_once")
    answer = requests.post(
        url, auth=instance.admin, timeout=5, files={"pypi.asset": (sdist.name, sdist.read_bytes())}
    )
    assert answer.status_code == 204, answer.text
    assert requests.head(
        instance.repo_url("h-allow_once") + f"packages/internal-pkg/1.0.0/{sdist.name}", timeout=5
    ).ok
    again = requests.post(
        url, auth=instance.admin, timeout=5, files={"pypi.asset": (sdist.name, sdist.read_bytes())}
    )
    assert again.status_code == 400
    assert again.text.endswith("cannot be updated")
    junk = requests.post(
        url,
        auth=instance.admin,
        timeout=5,
        files={"pypi.asset": ("junk-1.0.tar.gz", b"not an archive")},
    )
    assert junk.status_code == 400
    assert junk.text == "Unable to extract PyPI metadata from provided archive."
    not_multipart = requests.post(
        url,
        auth=instance.admin,
        data=b"x",
        timeout=5,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert (not_multipart.status_code, not_multipart.text) == (
        400,
        "Expected multipart Content-Type",
    )


def test_group_and_proxy_refuse_uploads(instance: StandIn, dists: Dists, home: Path) -> None:
    result = twine_upload(home, instance.repo_url("h-group"), *instance.admin, dists.internal_wheel)
    assert result.returncode == 1
    assert "404" in result.stdout + result.stderr


def test_concurrent_uploads_and_index_reads_agree(instance: StandIn, dists: Dists) -> None:
    create_repo(instance, "hosted", hosted_body("h-race"))
    wheels = dists.bulk[:40]
    index = instance.index_url("h-race") + "/bulk-pkg/"

    def upload(wheel: Path) -> int:
        version = wheel.name.split("-")[1]
        return requests.post(
            instance.repo_url("h-race"),
            auth=instance.admin,
            timeout=30,
            data={":action": "file_upload", "name": "bulk-pkg", "version": version},
            files={"content": (wheel.name, wheel.read_bytes())},
        ).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        uploads = [pool.submit(upload, wheel) for wheel in wheels]
        reads = [
            pool.submit(lambda: requests.get(index, timeout=30).status_code) for _ in range(80)
        ]
        assert {future.result() for future in uploads} == {200}
        assert {future.result() for future in reads} <= {200, 404}
    page = requests.get(index, timeout=5).text
    assert all(f">{wheel.name}</a>" in page for wheel in wheels)
