"""Breakers for INSTALL-1..3."""

from selftests.breakers.lab import Lab, only_failure, reconfigure

DEAD_REMOTE = "http://127.0.0.1:9/"  # loopback, nothing listens: the upstream is down


def test_dead_upstream_fails_install_1(lab: Lab) -> None:
    reconfigure(lab, "proxy", "pypi-proxy", **{"proxy.remoteUrl": DEAD_REMOTE})
    only_failure(lab.run("INSTALL-1,INSTALL-2"), "INSTALL-1", "pip could not install six")


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
    only_failure(lab.run("INSTALL-1,INSTALL-3"), "INSTALL-3", "pypi-proxy", "no cached file")
