"""Waiting for a server to come up: wait strategies as objects, one polling loop.

As in testcontainers-python, what "ready" means is a small object (`HttpReady`), and as in
pytest-docker, one `wait_until_responsive` polls it, watching whether the server died.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import requests

from nexus_cutover.errors import ServiceStartError


class WaitStrategy(Protocol):
    def ready(self) -> bool: ...
    def describe(self) -> str: ...


@dataclass(frozen=True)
class HttpReady:
    """Ready when GET `url` answers one of `statuses`."""

    url: str
    statuses: tuple[int, ...] = (200,)
    timeout: float = 2.0

    def ready(self) -> bool:
        try:
            return requests.get(self.url, timeout=self.timeout).status_code in self.statuses
        except requests.RequestException:
            return False

    def describe(self) -> str:
        return f"GET {self.url} answering {'/'.join(map(str, self.statuses))}"


def wait_until_responsive(
    strategy: WaitStrategy,
    *,
    what: str,
    timeout: float,
    pause: float = 0.2,
    died: Callable[[], str | None] = lambda: None,
    log_tail: Callable[[], str] = lambda: "",
) -> None:
    """Poll `strategy` until ready; raise with the log tail when `died()` says why, or on time."""
    deadline = time.monotonic() + timeout
    while True:
        reason = died()
        if reason:
            raise ServiceStartError(f"{what} {reason} while starting{_tail(log_tail())}")
        if strategy.ready():
            return
        if time.monotonic() > deadline:
            raise ServiceStartError(
                f"{what} was not ready ({strategy.describe()}) within {timeout:.0f}s"
                f"{_tail(log_tail())}"
            )
        time.sleep(pause)


def _tail(text: str) -> str:
    return f"; last lines of its log: {text}" if text else ""
