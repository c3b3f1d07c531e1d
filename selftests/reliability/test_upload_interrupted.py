"""`migrate upload` killed, or its server gone, mid-way: nothing lost, nothing duplicated,
and no summary that claims parity it did not verify. Real processes, real SIGKILLs."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from nexus_cutover import migrate
from nexus_cutover.backends.local import LocalServices
from nexus_cutover.cli.migrate_steps import upload_parity
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Settings
from nexus_cutover.dists import inventory_folder
from nexus_cutover.target import Target
from selftests.reliability.cli import environment

KILLS = 10
HOSTED = "pypi-hosted"


def target_of(services: LocalServices) -> Target:
    return services.target(Settings())


def hosted_names(target: Target) -> list[str]:
    """Every distribution file in hosted, once per asset (duplicates would show twice)."""
    return [
        a.filename
        for a in NexusClient(target.nexus).assets(HOSTED)
        if a.path.startswith("packages/")
    ]


def start_upload(services: LocalServices, tmp: Path, *extra: str) -> subprocess.Popen[str]:
    tmp.mkdir(exist_ok=True)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nexus_cutover",
            "--state-dir",
            str(services.root.parent),
            "migrate",
            "upload",
            "--no-progress",
            *extra,
        ],
        cwd=tmp,
        env=environment(tmp, {"TMPDIR": str(tmp)}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_uploads(target: Target, process: subprocess.Popen[str], at_least: int) -> int:
    """Poll hosted until it holds `at_least` files (or the upload ended); how many it holds."""
    count = len(hosted_names(target))
    while count < at_least and process.poll() is None:
        time.sleep(0.05)
        count = len(hosted_names(target))
    return count


def test_killed_ten_times_then_resumed_nothing_is_lost_or_duplicated(
    provisioned: LocalServices, tmp_path: Path
) -> None:
    target = target_of(provisioned)
    source = {d.filename: d.sha256 for d in inventory_folder(provisioned.packages_dir).files}
    step = max(1, len(source) // (KILLS + 2))
    killed_mid_way = 0
    for trial in range(KILLS):
        process = start_upload(provisioned, tmp_path / f"run-{trial}", "--workers", "2")
        wait_for_uploads(target, process, (trial + 1) * step)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed_mid_way += 1
        process.communicate(timeout=60)
        names = hosted_names(target)
        assert len(names) == len(set(names)), Counter(names).most_common(3)
        assert set(names) <= set(source)
        # SIGKILL leaves the scratch folder behind, but never a half-written file in it.
        assert [p for p in (tmp_path / f"run-{trial}").rglob("*") if p.is_file()] == []
    assert killed_mid_way == KILLS
    final = start_upload(provisioned, tmp_path / "resume")
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, out + err
    assert f"parity verified: all {len(source)} files of the source" in out
    hosted = {a.filename: a.sha256 for a in NexusClient(target.nexus).assets(HOSTED)}
    assert {name: hosted.get(name) for name in source} == source
    names = hosted_names(target)
    assert sorted(names) == sorted(source)  # each file exactly once


def test_a_nexus_that_dies_mid_upload_is_never_reported_as_parity(
    provisioned: LocalServices, tmp_path: Path
) -> None:
    target = target_of(provisioned)
    process = start_upload(provisioned, tmp_path / "run", "--workers", "2")
    wait_for_uploads(target, process, 10)
    assert process.poll() is None, "the upload finished before the server could be stopped"
    provisioned.nexus.stop()
    out, err = process.communicate(timeout=300)
    assert process.returncode != 0, out + err
    assert "parity verified" not in out
    assert "parity NOT verified" in out
    assert "Traceback" not in out + err


def test_an_upload_without_credentials_claims_no_parity(provisioned: LocalServices) -> None:
    target = target_of(provisioned)
    anonymous = replace(target, nexus=replace(target.nexus, credentials=None))
    result = migrate.upload(anonymous, provisioned.packages_dir, progress=False)
    assert result.aborted is not None
    assert "401" in result.aborted
    assert not result.parity_verified
    assert not result.ok
    assert upload_parity(result).startswith("parity NOT verified")
    assert hosted_names(target) == []
