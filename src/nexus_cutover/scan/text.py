"""Line handling shared by the parsers: physical lines, comments, finding a value's line."""

from __future__ import annotations

import re
from collections.abc import Sequence

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_COMMENT_START = re.compile(r"(?:^|\s)(?:#|//)")


def split_lines(text: str) -> list[str]:
    """Physical lines, numbered the way YAML, TOML and editors number them."""
    return _LINE_BREAK.split(text)


def comment_start(line: str, *, anywhere: bool = False) -> int | None:
    """Offset of a `#` comment outside quotes. Shell and YAML start a comment only at the
    start of a word; TOML (`anywhere=True`) anywhere outside a string."""
    quote: str | None = None
    escaped = False
    for i, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#" and (anywhere or i == 0 or line[i - 1].isspace()):
            return i
    return None


def strip_comment(line: str, *, anywhere: bool = False) -> str:
    start = comment_start(line, anywhere=anywhere)
    return line if start is None else line[:start]


def in_comment(line: str, pos: int) -> bool:
    """Rough test, used only to choose between candidate lines: is `pos` after a comment mark?"""
    stripped = line.lstrip()
    if stripped.startswith(("#", ";", "//")):
        return True
    return _COMMENT_START.search(line[:pos]) is not None


def _standalone(line: str, pos: int, length: int) -> bool:
    """The value is not part of a longer word (a host inside a URL, a URL's prefix)."""
    before = line[pos - 1] if pos > 0 else " "
    after = line[pos + length] if pos + length < len(line) else " "
    return not (before.isalnum() or before in "/@.-_") and not (
        after.isalnum() or after in "/.-_:@"
    )


def find_value(line: str, text: str, start: int = 0) -> int:
    """Offset of `text` in `line` as a whole value outside a comment, or -1."""
    pos = line.find(text, start)
    while pos != -1 and (in_comment(line, pos) or not _standalone(line, pos, len(text))):
        pos = line.find(text, pos + 1)
    return pos


def settle_line(lines: Sequence[str], line: int, text: str, window: int = 200) -> int:
    """The 1-based line at or after `line` whose code (not comment) contains `text`.

    Parsers that only know where a multi-line value starts (an ENV with continuations, a
    folded YAML scalar) give that start; this moves to the physical line.
    """
    if not text:
        return line
    start = max(line, 1)
    for number in range(start, min(start + window, len(lines) + 1)):
        if find_value(lines[number - 1], text) != -1:
            return number
    return line
