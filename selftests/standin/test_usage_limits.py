"""The opt-in Community Edition usage limits: over them, nothing new is cached or published."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from .conftest import StandInFactory, create_repo, hosted_body, proxy_body
from .support import Dists, StandIn, StaticSite, project_page, twine_upload

# 3.77 ThrottlerInterceptor.PAYMENT_REQUIRED_MESSAGE + the node id (NodeIdEncoding: a SHA-1 in
# groups of eight hex digits).
PAYMENT_REQUIRED = re.compile(
    r"PAYMENT REQUIRED: At current usage levels, Sonatype Nexus Repository Community Edition"
    r" requires a paid license to publish or cache new components\. Contact your repository"
    r" administrator to resolve\. INSTANCE ID: (?P<node>[0-9a-f]{8}(?:-[0-9a-f]{8}){4})"
)


def _node_id(instance: StandIn) -> str:
    found = re.search(r"LocalNodeAccess - ID: (\S+)", instance.nexus_log.read_text())
    assert found is not None
    return found.group(1)


def test_limits_are_off_by_default(standin: StandIn) -> None:
    assert "PAYMENT REQUIRED" not in standin.request_log.read_text()
    assert re.fullmatch(r"[0-9a-f]{8}(?:-[0-9a-f]{8}){4}", _node_id(standin))


def test_over_the_component_limit_nothing_new_is_published_or_cached(
    standin_factory: StandInFactory, dists: Dists, home: Path
) -> None:
    instance = standin_factory("--usage-limit-components", "1")
    create_repo(instance, "hosted", hosted_body("limited"))
    assert (
        twine_upload(
            home, instance.repo_url("limited"), *instance.admin, *dists.internal
        ).returncode
        == 0
    )
    refused = twine_upload(
        home, instance.repo_url("limited"), *instance.admin, dists.variants["late"]
    )
    assert refused.returncode == 1
    assert "403" in refused.stdout + refused.stderr
    site = StaticSite({"/simple/late-pkg/": project_page("/files/late_pkg-0.1-py3-none-any.whl")})
    try:
        create_repo(instance, "proxy", proxy_body("limited-proxy", site.url))
        answer = requests.get(instance.index_url("limited-proxy") + "/late-pkg/", timeout=5)
        assert answer.status_code == 403
        matched = PAYMENT_REQUIRED.fullmatch(answer.reason)
        assert matched is not None
        assert matched["node"] == _node_id(instance)
        assert site.requests == []  # the remote is not asked at all
    finally:
        site.stop()
    # What is already there is still served.
    page = requests.get(instance.index_url("limited") + "/internal-pkg/", timeout=5)
    assert page.status_code == 200


def test_over_the_daily_request_limit_the_proxy_caches_nothing(
    standin_factory: StandInFactory,
) -> None:
    instance = standin_factory("--usage-limit-requests-per-day", "3")
    site = StaticSite({"/simple/late-pkg/": project_page("/files/late_pkg-0.1-py3-none-any.whl")})
    try:
        create_repo(instance, "proxy", proxy_body("busy-proxy", site.url, max_age=0))
        url = instance.index_url("busy-proxy") + "/late-pkg/"
        assert requests.get(url, timeout=5).status_code == 200  # request 1
        assert requests.get(url, timeout=5).status_code == 200  # request 2: fetched again
        stale = requests.get(url, timeout=5)  # request 3 reaches the limit: stale copy served
        assert stale.status_code == 200
        fetched = len(site.requests)
        assert fetched == 2
        answer = requests.get(instance.index_url("busy-proxy") + "/other/", timeout=5)
        assert answer.status_code == 403
        assert PAYMENT_REQUIRED.fullmatch(answer.reason)
        assert len(site.requests) == fetched
    finally:
        site.stop()
