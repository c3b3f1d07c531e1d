"""Writing a file so that no reader, and no interrupted run, ever sees half of it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(destination: Path, mode: int | None = None) -> Iterator[Path]:
    """A temporary path beside `destination`, renamed onto it when the block succeeds."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
    )
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        if mode is not None:
            temporary.chmod(mode)
        temporary.replace(destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
