"""Retried uploads against the real stand-in behind a front that spoils uploads (lossy.py).

An upload is not idempotent: a retry must never leave a failure for a file that arrived, nor a
second copy. The front answers transient statuses without relaying, or relays the upload and
drops the answer; hosted, read through the assets API, is the judge.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from nexus_cutover import migrate
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import HttpSettings
from nexus_cutover.migrate.upload import hosted_files
from nexus_cutover.target import Target
from selftests.migrate.distfiles import write_wheel
from selftests.transport.lossy import Spoil, Spoiler, lossy_front

QUICK = HttpSettings(workers=2, retries=3, backoff=0.01, backoff_max=0.05)


@pytest.fixture(scope="module", autouse=True)
def provisioned(target: Target) -> None:
    migrate.provision(NexusClient(target.nexus), target.expected, dry_run=False)


@pytest.fixture
def spoiled(target: Target) -> Iterator[tuple[Target, Spoiler]]:
    """The target with its repository URL (where uploads go) behind the lossy front."""
    with lossy_front(target.nexus.repository_url) as (url, spoiler):
        nexus = replace(target.nexus, repository_url=url, http=QUICK)
        yield replace(target, nexus=nexus), spoiler


def one_wheel(folder: Path, project: str) -> Path:
    folder.mkdir()
    return write_wheel(folder, project, "1.0")


def copies_in_hosted(target: Target, filename: str) -> int:
    client = NexusClient(target.nexus)
    return sum(a.filename == filename for a in client.assets(target.expected.hosted.name))


def test_an_upload_whose_answer_was_lost_ends_as_already_there(
    spoiled: tuple[Target, Spoiler], tmp_path: Path
) -> None:
    target, spoiler = spoiled
    wheel = one_wheel(tmp_path / "lost", "lost-answer")
    spoiler.posts.append("lose-answer")
    result = migrate.upload(target, wheel.parent, workers=1, progress=False)
    (outcome,) = result.outcomes
    assert (outcome.status, result.ok) == ("skipped", True)
    assert "an earlier attempt arrived" in outcome.message
    assert (spoiler.posts_seen, spoiler.posts_relayed) == (1, 1)  # asked hosted, not re-sent
    assert copies_in_hosted(target, wheel.name) == 1


@pytest.mark.parametrize("status", ["503", "502", "429"])
def test_a_transient_refusal_is_sent_again(
    spoiled: tuple[Target, Spoiler], tmp_path: Path, status: Spoil
) -> None:
    target, spoiler = spoiled
    wheel = one_wheel(tmp_path / "busy", f"busy-{status}")
    spoiler.posts.extend([status, status])  # never relayed: the file did not arrive
    result = migrate.upload(target, wheel.parent, workers=1, progress=False)
    assert (result.uploaded, result.failed, result.ok) == (1, 0, True)
    assert (spoiler.posts_seen, spoiler.posts_relayed) == (3, 1)
    assert copies_in_hosted(target, wheel.name) == 1


def test_retries_end_in_one_clear_failure(spoiled: tuple[Target, Spoiler], tmp_path: Path) -> None:
    target, spoiler = spoiled
    wheel = one_wheel(tmp_path / "down", "always-down")
    spoiler.posts.extend(["503"] * 10)
    result = migrate.upload(target, wheel.parent, workers=1, progress=False)
    (outcome,) = result.outcomes
    assert outcome.status == "failed"
    assert outcome.message == (
        f"upload answered 503 Service Unavailable; not there after {QUICK.retries + 1} tries"
    )
    assert spoiler.posts_seen == QUICK.retries + 1
    assert wheel.name not in hosted_files(NexusClient(target.nexus), target.expected.hosted.name)


def test_a_lost_answer_under_a_no_redeploy_policy_is_not_a_conflict(
    target: Target, tmp_path: Path
) -> None:
    """With "Disable redeploy" a second POST would be refused (400); the search settles it."""
    once = target.expected.model_copy(
        update={"hosted": target.expected.hosted.model_copy(update={"write_policy": "ALLOW_ONCE"})}
    )
    client = NexusClient(target.nexus)
    migrate.provision(client, once, dry_run=False)
    try:
        with lossy_front(target.nexus.repository_url) as (url, spoiler):
            nexus = replace(target.nexus, repository_url=url, http=QUICK)
            wheel = one_wheel(tmp_path / "once", "lost-once")
            spoiler.posts.append("lose-answer")
            result = migrate.upload(replace(target, nexus=nexus), wheel.parent, progress=False)
    finally:
        migrate.provision(client, target.expected, dry_run=False)
    assert (result.skipped, result.failed) == (1, 0)
    assert copies_in_hosted(target, wheel.name) == 1
