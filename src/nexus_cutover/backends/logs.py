"""The one log tail: the last lines of a server's log, on one line for an error message."""

from __future__ import annotations

from pathlib import Path

TAIL_LINES = 15


def tail(text: str, lines: int = TAIL_LINES) -> str:
    shown = [line.strip() for line in text.splitlines()[-lines:] if line.strip()]
    return " | ".join(shown) or "(empty log)"


def file_tail(path: Path, lines: int = TAIL_LINES) -> str:
    try:
        return tail(path.read_text(encoding="utf-8", errors="replace"), lines)
    except OSError:
        return f"(no log at {path})"
