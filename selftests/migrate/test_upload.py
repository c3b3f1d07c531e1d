"""Uploading against the real stand-in: parity, skips, conflicts, corrupt files, resuming."""

from __future__ import annotations

import importlib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from nexus_cutover import migrate
from nexus_cutover.backends.local import LocalServices
from nexus_cutover.cli import main as cli_main
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.dists import inventory_folder, sha256_of
from nexus_cutover.errors import AuthError
from nexus_cutover.migrate.errors import MigrationError
from nexus_cutover.migrate.upload import hosted_files
from nexus_cutover.target import Credentials, Target
from selftests.migrate.distfiles import truncate, write_egg, write_sdist, write_wheel

upload_module = importlib.import_module("nexus_cutover.migrate.upload")


@pytest.fixture(scope="module", autouse=True)
def provisioned(target: Target) -> None:
    migrate.provision(NexusClient(target.nexus), target.expected, dry_run=False)


def in_hosted(target: Target) -> dict[str, str | None]:
    assets = hosted_files(NexusClient(target.nexus), target.expected.hosted.name)
    return {name: asset.sha256 for name, asset in assets.items()}


def test_an_interrupted_upload_resumes_and_reaches_parity(
    target: Target, services: LocalServices, tmp_path: Path
) -> None:
    """A run that stopped after four files (here: given only four) resumes with the rest."""
    partial = tmp_path / "partial"
    partial.mkdir()
    for path in sorted(services.packages_dir.iterdir())[:4]:
        shutil.copy2(path, partial / path.name)
    first = migrate.upload(target, partial, workers=1, progress=False)
    assert (first.uploaded, first.failed) == (4, 0)

    result = migrate.upload(target, services.packages_dir, workers=4, progress=False)
    total = len(list(services.packages_dir.iterdir()))
    assert (result.uploaded, result.skipped, result.failed) == (total - 4, 4, 0)
    assert result.ok
    local = {d.filename: d.sha256 for d in inventory_folder(services.packages_dir).files}
    assert in_hosted(target) == local  # every file, same sha256, by the assets API


def test_a_second_run_skips_everything(target: Target, services: LocalServices) -> None:
    result = migrate.upload(target, services.packages_dir, progress=False)
    total = len(list(services.packages_dir.iterdir()))
    assert (result.uploaded, result.skipped, result.failed) == (0, total, 0)
    assert result.ok


def test_the_pypiserver_source_downloads_only_what_is_new(
    target: Target, services: LocalServices
) -> None:
    before = len(list(services.packages_dir.iterdir()))
    new = write_wheel(services.packages_dir, "served-only", "1.0")
    result = migrate.upload(target, target.pypiserver.url, progress=False)
    assert (result.uploaded, result.skipped, result.failed) == (1, before, 0)
    assert in_hosted(target)[new.name] == sha256_of(new)


def test_different_bytes_under_an_existing_name_are_reported_by_name(
    target: Target, services: LocalServices, tmp_path: Path
) -> None:
    original = next(services.packages_dir.glob("acme_utils-1.0.0-*.whl"))
    impostor = write_wheel(tmp_path, "acme_utils", "1.0.0", payload=b"# other bytes\n")
    assert impostor.name == original.name
    result = migrate.upload(target, tmp_path, progress=False)
    assert result.failed == 1
    assert result.problems[0].startswith(f"{original.name}: hosted already holds a different")
    assert in_hosted(target)[original.name] == sha256_of(original)  # not replaced


def test_corrupt_files_are_reported_and_the_rest_still_uploads(
    target: Target, tmp_path: Path
) -> None:
    cut = truncate(write_wheel(tmp_path, "cut-short", "1.0"))
    fake = tmp_path / "not_a_zip-1.0-py3-none-any.whl"
    fake.write_text("hello\n", encoding="utf-8")
    good = [write_wheel(tmp_path, f"fine-{n}", "1.0") for n in range(3)]
    result = migrate.upload(target, tmp_path, workers=2, progress=False)
    assert (result.uploaded, result.failed) == (3, 2)
    assert {p.split(":")[0] for p in result.problems} == {cut.name, fake.name}
    assert all(g.name in in_hosted(target) for g in good)
    assert set(result.parity_missing) == {cut.name, fake.name}
    assert not result.ok


def test_old_formats_and_old_metadata_are_carried(target: Target, tmp_path: Path) -> None:
    files = [
        write_egg(tmp_path, "oldegg", "0.3"),
        write_sdist(tmp_path, "oldbz", "0.4", compression="bz2"),
        write_wheel(tmp_path, "meta-two-oh", "0.5", metadata_version="2.0"),
    ]
    result = migrate.upload(target, tmp_path, progress=False)
    assert result.problems == ()
    assert result.uploaded == 3
    hosted = in_hosted(target)
    assert all(hosted[f.name] == sha256_of(f) for f in files)


def test_a_dry_run_uploads_nothing(target: Target, tmp_path: Path) -> None:
    write_wheel(tmp_path, "not-yet", "1.0")
    result = migrate.upload(target, tmp_path, progress=False, dry_run=True)
    assert result.count("would upload") == 1
    assert "not_yet-1.0-py3-none-any.whl" not in in_hosted(target)


def test_bad_input_is_one_readable_error(target: Target, tmp_path: Path) -> None:
    missing = target.expected.model_copy(
        update={"hosted": target.expected.hosted.model_copy(update={"name": "no-such-hosted"})}
    )
    with pytest.raises(MigrationError, match=r"'no-such-hosted' does not exist.*migrate provision"):
        migrate.upload(replace(target, expected=missing), tmp_path, progress=False)
    wrong = replace(
        target, nexus=replace(target.nexus, credentials=Credentials("admin", "wrong-pw"))
    )
    with pytest.raises(AuthError, match="401"):
        migrate.upload(wrong, tmp_path, progress=False)
    with pytest.raises(MigrationError, match="packages folder not found"):
        migrate.upload(target, tmp_path / "nowhere", progress=False)


def test_the_cli_step_prints_a_summary_without_the_password(
    target: Target,
    services: LocalServices,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_wheel(tmp_path, "cli-upload", "1.0")
    state = services.root.parent
    code = cli_main(
        ["--state-dir", str(state), "migrate", "upload", "--from", str(tmp_path), "--no-progress"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "summary: uploaded 1, skipped 0 (already there), failed 0; parity verified" in out
    assert all(secret not in out for secret in target.secrets())
