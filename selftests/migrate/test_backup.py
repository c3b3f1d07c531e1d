"""Backup: archive with manifest, read back; verification finds tampering; restore."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from nexus_cutover import migrate
from nexus_cutover.archive import MANIFEST_NAME, restore_backup, verify_backup
from nexus_cutover.dists import inventory_folder
from nexus_cutover.errors import ArchiveError
from selftests.migrate.distfiles import write_wheel


@pytest.fixture
def packages(tmp_path: Path, sample_dists: list[Path]) -> Path:
    folder = tmp_path / "packages"
    (folder / "sub").mkdir(parents=True)
    for path in sample_dists:
        shutil.copy2(path, folder / path.name)
    write_wheel(folder / "sub", "nested", "1.0")
    return folder


def test_backup_is_verified_and_idempotent(packages: Path, tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar.gz"
    first = migrate.backup(packages, archive)
    assert first.action == "created"
    assert len(first.entries) == len(list(packages.rglob("*.*")))
    assert verify_backup(archive, inventory_folder(packages)) == []
    with tarfile.open(archive) as opened:
        manifest = json.loads(_read(opened, opened.getmember(MANIFEST_NAME)))
    assert {f["path"] for f in manifest["files"]} >= {"sub/nested-1.0-py3-none-any.whl"}
    assert all(set(f) >= {"filename", "size", "sha256"} for f in manifest["files"])

    assert migrate.backup(packages, archive).action == "unchanged"


def test_a_changed_folder_is_shown_then_backed_up_beside_the_old_archive(
    packages: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar.gz"
    migrate.backup(packages, archive)
    added = write_wheel(packages, "late", "2.0")
    planned = migrate.backup(packages, archive, dry_run=True)
    assert (planned.action, planned.changes) == ("would replace", (f"+ {added.name}",))
    assert migrate.backup(packages, archive, dry_run=True).action == "would replace"
    done = migrate.backup(packages, archive)
    assert done.action == "replaced"
    assert done.previous == tmp_path / "backup.1.tar.gz"
    assert done.previous.is_file()
    assert verify_backup(archive, inventory_folder(packages)) == []


def test_tampering_and_missing_files_are_found(packages: Path, tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar.gz"
    migrate.backup(packages, archive)
    inventory = inventory_folder(packages)
    victim = "acme_utils-1.0.0.tar.gz"

    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(archive, tampered, lambda name, data: data + b"x" if name.endswith(victim) else data)
    problems = verify_backup(tampered, inventory)
    assert any(p.startswith(f"{victim}: different bytes in the archive") for p in problems)
    assert any(p.startswith(f"{victim}: different bytes in the backup") for p in problems)

    late = write_wheel(packages, "after-backup", "1.0")
    assert verify_backup(archive, inventory_folder(packages)) == [
        f"{late.name}: missing from the backup"
    ]

    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[:2000])
    [problem] = verify_backup(cut, inventory)
    assert "unreadable archive" in problem


def test_restore_brings_back_exact_bytes_and_never_overwrites(
    packages: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar.gz"
    migrate.backup(packages, archive)
    restored = tmp_path / "restored"
    result = restore_backup(archive, restored)
    assert len(result.restored) == len(list(packages.rglob("*.*")))
    for path in packages.rglob("*.*"):
        assert (restored / path.relative_to(packages)).read_bytes() == path.read_bytes()
    assert restore_backup(archive, restored).restored == ()

    victim = next(restored.glob("*.whl"))
    victim.write_bytes(b"changed")
    with pytest.raises(ArchiveError, match=f"differ from the backup.*{victim.name}"):
        restore_backup(archive, restored)


def test_an_empty_or_missing_folder_is_one_readable_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="packages folder not found"):
        migrate.backup(tmp_path / "none", tmp_path / "b.tar.gz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArchiveError, match="holds no files"):
        migrate.backup(tmp_path / "empty", tmp_path / "b.tar.gz")


def _read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    stream = archive.extractfile(member)
    assert stream is not None
    return stream.read()


def _rewrite(source: Path, destination: Path, change: Callable[[str, bytes], bytes]) -> None:
    with tarfile.open(source) as old, tarfile.open(destination, "w:gz") as new:
        for member in old:
            data = change(member.name, _read(old, member))
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
