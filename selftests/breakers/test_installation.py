"""Breakers for INSTALL-1..3: each breaks the property its check claims, nothing else."""

import re

import pytest
import requests
from packaging.version import Version

from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.clients.simple import parse_links
from nexus_cutover.dists import parse_filename
from selftests.breakers.lab import Lab, only_failure, reconfigure
from selftests.faults.lab import proxied
from selftests.faults.proxy import RewriteBody


def pip_sent_elsewhere(real_repository: str) -> RewriteBody:
    """The group's page of six links its files at another address (here: Nexus itself,
    unproxied): pip installs six, but not from the group URL it was given."""
    return RewriteBody(
        r"^/repository/pypi-group/simple/six/",
        rewrite=lambda body: body.replace(
            b'href="../../', f'href="{real_repository}/repository/pypi-group/'.encode()
        ),
    )


def test_six_installed_from_another_address_fails_install_1(lab: Lab) -> None:
    with proxied(lab) as faulty:
        faulty.rules.add(pip_sent_elsewhere(lab.target.nexus.repository_url))
        verdicts = faulty.lab.run("INSTALL-1,INSTALL-2", target=faulty.target)
    only_failure(verdicts, "INSTALL-1", "six", "not from the group", faulty.repository.url)


def test_group_without_hosted_fails_install_2(lab: Lab) -> None:
    reconfigure(lab, "group", "pypi-group", **{"group.memberNames": ["pypi-proxy"]})
    only_failure(lab.run("INSTALL-1,INSTALL-2"), "INSTALL-2", "acme")


def test_group_fetching_through_another_proxy_fails_install_3(lab: Lab) -> None:
    """The group reaches PyPI through some other proxy: pypi-proxy caches nothing."""
    body = {
        "name": "pypi-other",
        "online": True,
        "storage": {"blobStoreName": "default", "strictContentTypeValidation": True},
        "proxy": {"remoteUrl": "https://pypi.org", "contentMaxAge": 1440, "metadataMaxAge": 1440},
        "negativeCache": {"enabled": True, "timeToLive": 1440},
        "httpClient": {"blocked": False, "autoBlock": True},
    }
    assert lab.rest("POST", "/v1/repositories/pypi/proxy", json=body).status_code == 201
    reconfigure(lab, "group", "pypi-group", **{"group.memberNames": ["pypi-hosted", "pypi-other"]})
    only_failure(lab.run("INSTALL-1,INSTALL-3"), "INSTALL-3", "pypi-proxy", "no cached")


def test_cached_file_also_held_by_another_member_fails_install_3(
    lab: Lab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every file of six the group lists is cached already (no timestamp can date the fetch),
    and another member of the group holds the same file: nothing shows that the group served
    it from pypi-proxy."""
    proxy_page = f"{lab.target.nexus.simple('pypi-proxy')}six/"
    links = parse_links(requests.get(proxy_page, timeout=60).text, proxy_page)
    wheels = [link for link in links if link.filename.endswith(".whl")]
    wheel = max(wheels, key=lambda link: Version(parse_filename(link.filename)[1]))
    copy = tmp_path_factory.mktemp("shadow") / wheel.filename
    copy.write_bytes(requests.get(wheel.url, timeout=60).content)  # cached by pypi-proxy now
    body = {
        "name": "pypi-shadow",
        "online": True,
        "storage": {
            "blobStoreName": "default",
            "strictContentTypeValidation": True,
            "writePolicy": "allow",
        },
    }
    assert lab.rest("POST", "/v1/repositories/pypi/hosted", json=body).status_code == 201
    box = Sandbox(tmp_path_factory.mktemp("home"))
    shadow = lab.target.nexus.repository("pypi-shadow")
    run = box.twine(["upload", "--repository-url", shadow, str(copy)], lab.target.nexus.credentials)
    assert run.ok, run.output
    members = ["pypi-hosted", "pypi-proxy", "pypi-shadow"]
    reconfigure(lab, "group", "pypi-group", **{"group.memberNames": members})

    def only_that_wheel(page: bytes) -> bytes:
        anchors = re.findall(rb"<a [^>]*>[^<]*</a>", page)
        kept = [a for a in anchors if wheel.filename.encode() in a]
        return b"<html><body>" + b"<br/>".join(kept) + b"</body></html>"

    with proxied(lab) as faulty:
        faulty.rules.add(
            RewriteBody(r"^/repository/pypi-group/simple/six/", rewrite=only_that_wheel)
        )
        verdicts = faulty.lab.run("INSTALL-3,INSTALL-2", target=faulty.target)
    only_failure(verdicts, "INSTALL-3", "pypi-shadow", "also hold", wheel.filename)
