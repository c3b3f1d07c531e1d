"""The record of every file `configure` changed, so `rollback` can put the bytes back exactly.

Each change is one JSON line: path, line, sha256 of the old text, the old URL masked, the new
text, and the file's sha256 before and after. The old text itself is never written to the
journal (it may carry a password); the file's exact previous bytes are kept instead in
`originals/<sha256>`, readable by the owner only, beside the journal in the state dir.

Order of a recorded change: original stored, journal line appended, file written. A crash
therefore leaves at worst a journal line for a write that did not happen, which undo
recognises (the file still has its "before" hash).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from nexus_cutover.migrate.errors import JournalError
from nexus_cutover.migrate.state import StatePaths, sha256_bytes, write_bytes_atomic


@dataclass(frozen=True)
class Change:
    run: str
    path: str  # absolute
    line: int
    old_text_sha256: str
    old_url: str | None  # masked: what a reader of the journal may see
    new_text: str
    file_sha256_before: str
    file_sha256_after: str


@dataclass(frozen=True)
class FileUndo:
    path: Path
    restore_sha256: str  # the bytes the file gets back (before the first recorded change)
    changes: tuple[Change, ...]
    current: str | None  # the file's sha256 now; None when it is gone
    allowed: frozenset[str]  # every state the recorded changes produced or started from

    @property
    def changed_since(self) -> bool:
        return self.current not in self.allowed

    @property
    def needed(self) -> bool:
        return self.current != self.restore_sha256


@dataclass(frozen=True)
class UndoResult:
    restored: tuple[Path, ...]
    unchanged: tuple[Path, ...]  # already as before
    refused: tuple[Path, ...]  # changed since configure; left alone (--skip-changed)


class Journal:
    def __init__(self, paths: StatePaths) -> None:
        self.paths = paths

    # -- writing ----------------------------------------------------------------------------

    def keep_original(self, data: bytes) -> str:
        digest = sha256_bytes(data)
        target = self.paths.originals / digest
        if not target.exists():
            self.paths.originals.mkdir(parents=True, exist_ok=True)
            self.paths.journal_dir.chmod(0o700)
            self.paths.originals.chmod(0o700)
            write_bytes_atomic(target, data, mode=0o600)
        return digest

    def append(self, changes: Iterable[Change]) -> None:
        lines = "".join(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in changes)
        self.paths.journal_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.paths.journal, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with open(descriptor, "a", encoding="utf-8") as stream:
            stream.write(lines)
            stream.flush()
            os.fsync(stream.fileno())

    def purge_originals(self) -> int:
        """Delete the kept copies of user files (they may hold passwords); the journal lines,
        which hold none, stay as the record. Returns how many copies were deleted."""
        copies = sorted(self.paths.originals.glob("*")) if self.paths.originals.is_dir() else []
        for copy in copies:
            copy.unlink()
        if self.paths.originals.is_dir():
            self.paths.originals.rmdir()
        return len(copies)

    # -- reading ----------------------------------------------------------------------------

    def changes(self) -> list[Change]:
        return _read_lines(self.paths.journal)

    def original(self, digest: str) -> bytes:
        try:
            data = (self.paths.originals / digest).read_bytes()
        except OSError as error:
            raise JournalError(
                f"{self.paths.originals / digest}: the kept original is"
                f" unreadable: {error.strerror or error}"
            ) from None
        if sha256_bytes(data) != digest:
            raise JournalError(f"{self.paths.originals / digest}: the kept original is damaged")
        return data

    # -- undoing ----------------------------------------------------------------------------

    def plan_undo(self) -> list[FileUndo]:
        by_path: dict[str, list[Change]] = {}
        for change in self.changes():
            by_path.setdefault(change.path, []).append(change)
        return [_file_undo(Path(path), changes) for path, changes in sorted(by_path.items())]

    def undo(self, plan: Sequence[FileUndo], *, skip_changed: bool) -> UndoResult:
        """Restore every planned file, or none when one changed since (unless skipping)."""
        refused = tuple(item.path for item in plan if item.changed_since)
        if not skip_changed:
            refuse_changed(plan)
        todo = [item for item in plan if not item.changed_since]
        originals = {item.path: self.original(item.restore_sha256) for item in todo if item.needed}
        for path, data in originals.items():
            write_bytes_atomic(path, data)
        self._forget([c for item in todo for c in item.changes])
        return UndoResult(
            restored=tuple(originals),
            unchanged=tuple(item.path for item in todo if not item.needed),
            refused=refused,
        )

    def _forget(self, undone: Sequence[Change]) -> None:
        if not undone:
            return
        with self.paths.undone.open("a", encoding="utf-8") as stream:
            stream.writelines(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in undone)
        gone = set(undone)
        left = [c for c in self.changes() if c not in gone]
        text = "".join(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in left)
        write_bytes_atomic(self.paths.journal, text.encode("utf-8"))
        needed = {c.file_sha256_before for c in left}
        for change in undone:
            if change.file_sha256_before not in needed:
                (self.paths.originals / change.file_sha256_before).unlink(missing_ok=True)


def refuse_changed(plan: Sequence[FileUndo]) -> None:
    """Raise, naming them, when files changed after `configure` wrote them."""
    changed = [str(item.path) for item in plan if item.changed_since]
    if changed:
        raise JournalError(
            f"{len(changed)} file(s) changed after `configure` wrote them, so undoing would"
            f" lose those edits: {', '.join(changed)}; undo them by hand or run again with"
            " --skip-changed"
        )


def _file_undo(path: Path, changes: list[Change]) -> FileUndo:
    runs = sorted({c.run for c in changes})
    first = [c for c in changes if c.run == runs[0]]
    allowed = frozenset(
        digest for c in changes for digest in (c.file_sha256_before, c.file_sha256_after)
    )
    try:
        current: str | None = sha256_bytes(path.read_bytes())
    except FileNotFoundError:
        current = None
    except OSError as error:
        raise JournalError(f"{path}: cannot read: {error.strerror or error}") from None
    return FileUndo(path, first[0].file_sha256_before, tuple(changes), current, allowed)


def _read_lines(path: Path) -> list[Change]:
    if not path.exists():
        return []
    changes = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise JournalError(f"{path}: cannot read the journal: {error.strerror or error}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            changes.append(Change(**json.loads(line)))
        except (ValueError, TypeError) as error:
            raise JournalError(f"{path}:{number}: not a journal entry: {error}") from None
    return changes
