"""A rich progress bar for long work, or nothing when it is switched off."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

Advance = Callable[[int], None]


def _ignore(_steps: int) -> None:
    return None


@contextlib.contextmanager
def progress_bar(
    description: str, total: int, *, enabled: bool, console: Console | None = None
) -> Iterator[Advance]:
    """Yield `advance(n)`; thread-safe, since rich's Progress guards its tasks with a lock."""
    if not enabled or total <= 0:
        yield _ignore
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)

        def advance(steps: int = 1) -> None:
            bar.advance(task, steps)

        yield advance
