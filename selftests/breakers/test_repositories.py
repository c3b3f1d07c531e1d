"""Breakers for PRE-1 and REPO-1..4: each broken repository setting fails exactly its check."""

import sqlite3

import requests

from selftests.breakers.lab import Lab, only_failure, reconfigure

REPO_CHECKS = "REPO-1,REPO-2,REPO-3,REPO-4,TS-2"


def test_proxy_without_auto_block_fails_repo_1(lab: Lab) -> None:
    reconfigure(
        lab, "proxy", "pypi-proxy", **{"httpClient.autoBlock": False, "proxy.metadataMaxAge": 60}
    )
    only_failure(
        lab.run(REPO_CHECKS), "REPO-1", "auto-blocking", "maximum metadata age", "migrate provision"
    )


def test_hosted_disable_redeploy_fails_repo_2(lab: Lab) -> None:
    reconfigure(lab, "hosted", "pypi-hosted", **{"storage.writePolicy": "allow_once"})
    only_failure(lab.run(REPO_CHECKS), "REPO-2", "deployment policy", "'ALLOW_ONCE'")


def test_group_missing_hosted_fails_repo_3(lab: Lab) -> None:
    reconfigure(lab, "group", "pypi-group", **{"group.memberNames": ["pypi-proxy"]})
    only_failure(lab.run(REPO_CHECKS), "REPO-3", "lacks member(s) pypi-hosted")


def test_offline_hosted_fails_repo_4(lab: Lab) -> None:
    reconfigure(lab, "hosted", "pypi-hosted", online=False)
    # Offline is also a configuration drift of hosted (REPO-2 checks "online").
    only_failure(lab.run(REPO_CHECKS), "REPO-4", "pypi-hosted", "503", also=("REPO-2",))


def test_stale_cached_root_index_fails_repo_4(lab: Lab) -> None:
    """Hosted's cached root index (an asset of its own, as Nexus keeps it) is an old, empty
    page: clients see no project although every package is there."""
    hosted_root = lab.target.nexus.simple("pypi-hosted")
    assert requests.get(hosted_root, auth=lab.auth, timeout=30).status_code == 200  # cached now
    data = lab.services.nexus_data
    with sqlite3.connect(data / "db" / "standin.sqlite3", timeout=30) as connection:
        row = connection.execute(
            "SELECT blob_ref FROM asset WHERE repository = 'pypi-hosted' AND path = '/simple/'"
        ).fetchone()
    assert row is not None, "hosted's root index is not cached as an asset"
    ref = str(row[0])
    blob = data / "blobs" / "default" / "content" / ref[:2] / f"{ref}.bytes"
    blob.write_bytes(b"<html><head><title>Simple Index</title></head><body></body></html>\n")
    only_failure(lab.run(REPO_CHECKS), "REPO-4", "pypi-hosted", "none of the 12 migrated")
