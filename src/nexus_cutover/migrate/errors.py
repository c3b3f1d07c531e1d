"""Errors of the migration steps: each carries one readable line, like every CutoverError."""

from __future__ import annotations

from nexus_cutover.errors import ArchiveError, CutoverError


class MigrationError(CutoverError):
    """A migration step cannot go on; nothing was changed after the point it names."""


class BackupError(MigrationError, ArchiveError):
    """A backup archive cannot be written, read or verified."""


class ProvisionError(MigrationError):
    """The repositories cannot be brought to the expected state without a destructive step."""


class JournalError(MigrationError):
    """The change journal is unreadable, or a recorded file changed since it was written."""


class RefusedError(MigrationError):
    """A guarded step (decommission) was refused; the message says what would allow it."""
