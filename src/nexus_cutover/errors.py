"""Exceptions that carry one readable line: what went wrong and where.

The CLI and the pytest plugin print `str(error)` and exit non-zero; they never show a
traceback for these.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What every command returns; CI reads these."""

    OK = 0  # every selected check passed / the step did what it says
    FAILED = 1  # a check failed, a step could not finish, or the run proved too little
    BAD_INPUT = 2  # configuration, arguments, unreachable server, TLS, credentials
    INTERNAL = 3  # a defect of this tool (please report it)
    INTERRUPTED = 130


class CutoverError(Exception):
    """Base class: the message is one line that says what and where."""


class ConfigError(CutoverError):
    """The configuration file, an environment variable or an option is wrong."""


class ServerError(CutoverError):
    """A server did not answer as needed."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class UnreachableError(ServerError):
    """Connection refused, DNS failure, TLS failure or timeout."""


class AuthError(ServerError):
    """401: the credentials are missing or wrong."""


class ForbiddenError(ServerError):
    """403: the user is known but lacks the privilege."""


class NotFoundError(ServerError):
    """404: the repository, component or endpoint does not exist."""


class ArchiveError(CutoverError):
    """A backup archive cannot be read, verified or restored."""


class DistributionError(CutoverError):
    """A distribution file is corrupt, or its name does not parse."""


class ServiceStartError(CutoverError):
    """A local or container service did not come up; the message ends with its log tail."""
