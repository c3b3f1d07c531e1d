"""/v1/usage-history: what a 3.9x Nexus reports of its components and requests per day."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import requests

from .conftest import StandInFactory, create_repo, hosted_body
from .support import Dists, twine_upload


def test_daily_components_and_requests_of_the_last_seven_days(
    standin_factory: StandInFactory, dists: Dists, home: Path
) -> None:
    instance = standin_factory()
    create_repo(instance, "hosted", hosted_body("pypi-hosted"))
    upload = twine_upload(home, instance.repo_url("pypi-hosted"), *instance.admin, *dists.internal)
    assert upload.returncode == 0, upload.stdout + upload.stderr
    for _ in range(3):
        assert requests.get(instance.index_url("pypi-hosted") + "/", timeout=10).ok
    url = instance.rest("v1/usage-history")
    today = datetime.now(UTC).date().isoformat()
    components = requests.get(
        url, params={"metric": "components", "period": "daily"}, auth=instance.admin, timeout=10
    ).json()
    assert (components["metric"], components["period"]) == ("components", "daily")
    assert len(components["data"]) == 7
    assert components["data"][-1] == {"date": today, "value": 1}
    daily = requests.get(
        url, params={"metric": "requests", "period": "daily"}, auth=instance.admin, timeout=10
    ).json()
    assert daily["data"][-1]["date"] == today
    assert daily["data"][-1]["value"] >= 3 + 1  # three index reads and the upload, at least
    monthly = requests.get(
        url, params={"metric": "requests", "period": "monthly"}, auth=instance.admin, timeout=10
    ).json()
    assert len(monthly["data"]) == 12
    assert monthly["data"][-1]["value"] >= daily["data"][-1]["value"]


def test_bad_parameters_privileges_and_older_versions(standin_factory: StandInFactory) -> None:
    instance = standin_factory()
    url = instance.rest("v1/usage-history")
    bad = requests.get(
        url, params={"metric": "bytes", "period": "daily"}, auth=instance.admin, timeout=10
    )
    assert bad.status_code == 400
    anonymous = requests.get(url, params={"metric": "requests", "period": "daily"}, timeout=10)
    assert anonymous.status_code == 401
    older = standin_factory("--nexus-version", "3.77.1-01")
    absent = requests.get(
        older.rest("v1/usage-history"),
        params={"metric": "requests", "period": "daily"},
        auth=older.admin,
        timeout=10,
    )
    assert absent.status_code == 404
