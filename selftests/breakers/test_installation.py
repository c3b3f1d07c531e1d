"""Breakers for INSTALL-1..3: each breaks the property its check claims, nothing else."""

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
