"""Unit tests of the configure journal: recording, exact undo, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexus_cutover.migrate.errors import JournalError
from nexus_cutover.migrate.journal import Change, Journal
from nexus_cutover.migrate.state import StatePaths, sha256_bytes

SECRET = "Hunter2-not-in-journal"


def record(journal: Journal, path: Path, new: bytes, run: str = "r1") -> None:
    """What configure does: keep the original, journal, then write."""
    before = path.read_bytes()
    journal.keep_original(before)
    journal.append(
        [
            Change(
                run,
                str(path),
                1,
                sha256_bytes(b"old"),
                "http://u:****@old/",
                "http://new/",
                sha256_bytes(before),
                sha256_bytes(new),
            )
        ]
    )
    path.write_bytes(new)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(StatePaths(tmp_path / "state"))


def test_undo_restores_exact_bytes_and_forgets_the_change(journal: Journal, tmp_path: Path) -> None:
    config = tmp_path / "pip.conf"
    original = f"index-url = http://u:{SECRET}@old/\r\n".encode()
    config.write_bytes(original)
    config.chmod(0o640)
    record(journal, config, b"index-url = http://new/\r\n")
    assert SECRET not in journal.paths.journal.read_text(encoding="utf-8")

    result = journal.undo(journal.plan_undo(), skip_changed=False)
    assert result.restored == (config,)
    assert config.read_bytes() == original
    assert config.stat().st_mode & 0o777 == 0o640
    assert journal.changes() == []
    assert not any(journal.paths.originals.iterdir())  # the kept copy goes with the record
    assert journal.undo(journal.plan_undo(), skip_changed=False).restored == ()


def test_two_runs_undo_to_the_first_state(journal: Journal, tmp_path: Path) -> None:
    config = tmp_path / "pip.conf"
    config.write_bytes(b"v1\n")
    record(journal, config, b"v2\n", run="r1")
    record(journal, config, b"v3\n", run="r2")
    journal.undo(journal.plan_undo(), skip_changed=False)
    assert config.read_bytes() == b"v1\n"


def test_a_write_that_never_happened_is_recognised(journal: Journal, tmp_path: Path) -> None:
    config = tmp_path / "pip.conf"
    config.write_bytes(b"v1\n")
    record(journal, config, b"v2\n")
    config.write_bytes(b"v1\n")  # as if configure died between journal and write
    result = journal.undo(journal.plan_undo(), skip_changed=False)
    assert result.unchanged == (config,)
    assert journal.changes() == []


def test_a_file_edited_since_is_refused_by_name_and_nothing_changes(
    journal: Journal, tmp_path: Path
) -> None:
    edited, untouched = tmp_path / "edited.conf", tmp_path / "untouched.conf"
    for path in (edited, untouched):
        path.write_bytes(b"old\n")
        record(journal, path, b"new\n")
    edited.write_bytes(b"new\nhand edit\n")
    with pytest.raises(JournalError, match=r"edited\.conf"):
        journal.undo(journal.plan_undo(), skip_changed=False)
    assert untouched.read_bytes() == b"new\n"
    assert len(journal.changes()) == 2

    result = journal.undo(journal.plan_undo(), skip_changed=True)
    assert result.refused == (edited,)
    assert untouched.read_bytes() == b"old\n"
    assert edited.read_bytes() == b"new\nhand edit\n"
    assert [c.path for c in journal.changes()] == [str(edited)]


def test_a_deleted_file_counts_as_changed(journal: Journal, tmp_path: Path) -> None:
    config = tmp_path / "pip.conf"
    config.write_bytes(b"old\n")
    record(journal, config, b"new\n")
    config.unlink()
    assert journal.plan_undo()[0].changed_since


def test_a_damaged_journal_is_one_readable_error(journal: Journal) -> None:
    journal.paths.journal_dir.mkdir(parents=True)
    journal.paths.journal.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(JournalError, match=r"configure.jsonl:1: not a journal entry"):
        journal.changes()
