"""INI files as pip, twine, tox and setuptools read them (configparser, no interpolation),
plus the lines each value sits on, which configparser does not keep."""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterator

from nexus_cutover.scan.model import Problem
from nexus_cutover.scan.text import find_value, split_lines

_HEADER = re.compile(r"\[(?P<name>[^]]+)\]")
_KEY = re.compile(r"(?P<key>[^=:\s][^=:]*?)\s*[=:]")

Line = tuple[int, str]


def read_ini(text: str, label: str) -> tuple[configparser.RawConfigParser | None, Problem | None]:
    """Parse like pip and twine do; a problem names the line but never repeats its content
    (a malformed line may hold a password)."""
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.MissingSectionHeaderError as exc:
        return None, Problem(exc.lineno, f"{label}: line {exc.lineno} comes before any [section]")
    except configparser.DuplicateSectionError as exc:
        message = f"{label}: section [{exc.section}] appears twice (line {exc.lineno})"
        return None, Problem(exc.lineno, message)
    except configparser.DuplicateOptionError as exc:
        message = f"{label}: key {exc.option!r} appears twice in [{exc.section}]"
        message += f" (line {exc.lineno})"
        return None, Problem(exc.lineno, message)
    except configparser.ParsingError as exc:
        numbers = [number for number, _ in exc.errors]
        listed = ", ".join(str(n) for n in numbers)
        message = f"{label}: line {listed} is neither a [section] header nor `key = value`"
        return None, Problem(numbers[0] if numbers else None, message)
    except configparser.Error as exc:
        return None, Problem(None, f"{label}: not a valid INI file ({type(exc).__name__})")
    return parser, None


def section_items(parser: configparser.RawConfigParser) -> Iterator[tuple[str, str, str]]:
    """(section, key, raw value) for every key, [DEFAULT] included once."""
    defaults = parser.defaults()
    for key, value in defaults.items():
        yield "DEFAULT", key, value
    for section in parser.sections():
        for key, value in parser.items(section, raw=True):
            if key not in defaults:
                yield section, key, value


def value_lines(text: str, section: str, key: str) -> list[Line]:
    """Physical lines holding `key` of `section` and its continuation lines."""
    found: list[Line] = []
    current: str | None = None
    collecting = False
    for number, line in enumerate(split_lines(text), start=1):
        stripped = line.strip()
        indented = line[:1].isspace()
        if collecting and (indented or not stripped):
            if stripped and not stripped.startswith(("#", ";")):
                found.append((number, line))
            continue
        collecting = False
        header = _HEADER.match(line)
        if header and not indented:
            current = header["name"].strip()
            continue
        match = _KEY.match(line)
        if current == section and match and match["key"].strip().lower() == key.lower():
            found.append((number, line))
            collecting = True
    return found


def locate(items: list[str], lines: list[Line]) -> list[tuple[int, str]]:
    """Line of each item, taking the items in order along the value's lines."""
    located: list[tuple[int, str]] = []
    index, pos = 0, 0
    fallback = lines[0][0] if lines else 1
    for item in items:
        for i in range(index, len(lines)):
            number, line = lines[i]
            at = find_value(line, item, pos if i == index else 0)
            if at != -1:
                index, pos = i, at + len(item)
                located.append((number, item))
                break
        else:
            located.append((fallback, item))
    return located


def value_segments(text: str, section: str, key: str) -> list[Line]:
    """Like `value_lines`, with `key =` blanked on the first line so only the value is left."""
    lines = value_lines(text, section, key)
    if not lines:
        return []
    number, first = lines[0]
    match = _KEY.match(first)
    cut = match.end() if match else 0
    return [(number, " " * cut + first[cut:]), *lines[1:]]
