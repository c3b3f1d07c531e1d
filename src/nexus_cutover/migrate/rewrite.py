"""Pure pieces of `configure`: the new value for an old index reference, and line edits that
replace exactly the scanned text and nothing else (formatting and comments stay).
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from nexus_cutover.dists import parse_filename
from nexus_cutover.errors import DistributionError
from nexus_cutover.migrate.errors import MigrationError
from nexus_cutover.scan.text import in_comment

# Same physical lines as the scanner numbers them (scan.text.split_lines).
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_INDEX_PATH = re.compile(r"/(simple|packages)(?=/|$)")
_BOM = "\ufeff"
_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]")
_INDEX_SERVERS = re.compile(r"^\s*index-servers\s*[=:]")


@dataclass(frozen=True)
class Edit:
    line: int  # 1-based
    old: str  # exact text on that line (may hold a password: never printed or stored)
    new: str


@dataclass(frozen=True)
class Destination:
    """Where references go: the Nexus repository base as this file reaches it."""

    base: str  # e.g. http://127.0.0.1:8083 or, inside Docker builds, http://maestro-nexus:8083
    group: str
    hosted: str

    def repository(self, name: str) -> str:
        return f"{self.base.rstrip('/')}/repository/{name}"


def _wrapped(old: str, core: str) -> str:
    """`core` in the quotes and spaces that surrounded the old value."""
    inner = _core(old)
    start = old.index(inner) if inner else 0
    return f"{old[:start]}{core}{old[start + len(inner) :]}"


def new_url(old: str, purpose: str, to: Destination) -> str:
    """The Nexus URL replacing `old`, never with userinfo."""
    return _wrapped(old, _new_url(_core(old), purpose, to))


def is_listing(old: str) -> bool:
    """pypiserver's flat `/packages/` file listing (a find-links page): Nexus has none."""
    match = _INDEX_PATH.search(urlsplit(_core(old)).path)
    if match is None or match.group(1) != "packages":
        return False
    return _package_file(_core(old)) is None


def _core(old: str) -> str:
    return old.strip().strip("\"'")


def _new_url(old: str, purpose: str, to: Destination) -> str:
    parts = urlsplit(old)
    if purpose == "upload":
        return f"{to.repository(to.hosted)}/"
    match = _INDEX_PATH.search(parts.path)
    rest = parts.path[match.start() :] if match else ""
    if rest in ("", "/"):
        return f"{to.repository(to.group)}/simple" + ("/" if old.endswith("/") else "")
    if rest.startswith("/simple"):
        return f"{to.repository(to.group)}{rest}"
    return _package_url(rest, parts.fragment, to)


def _package_url(rest: str, fragment: str, to: Destination) -> str:
    # pypiserver serves /packages/<file>; Nexus keeps /packages/<project>/<version>/<file>.
    found = _package_file(rest)
    if found is None:
        # A listing page (find-links): the group index is the nearest thing; pip reads it as
        # a page without files and finds the packages through the index URL instead.
        return f"{to.repository(to.group)}/simple/"
    filename, project, version = found
    suffix = f"#{fragment}" if fragment else ""
    return f"{to.repository(to.group)}/packages/{project}/{version}/{filename}{suffix}"


def _package_file(url_or_path: str) -> tuple[str, str, str] | None:
    filename = urlsplit(url_or_path).path.rstrip("/").rsplit("/", 1)[-1]
    try:
        project, version = parse_filename(filename)
    except DistributionError:
        return None
    return filename, project, version


def new_host(old: str, to: Destination) -> str | None:
    """A trusted-host entry for the Nexus host; None when Nexus is https (nothing to trust)."""
    nexus = urlsplit(to.base)
    if nexus.scheme != "http" or not nexus.hostname:
        return None
    with_port = ":" in _core(old).rsplit("]", 1)[-1]
    host = f"{nexus.hostname}:{nexus.port}" if with_port and nexus.port else nexus.hostname
    return _wrapped(old, host)


# -- applying edits -------------------------------------------------------------------------


def split_physical(text: str) -> list[str]:
    """Lines with their own line break kept, so joining gives back the exact text."""
    pieces = _LINE_BREAK.split(text)
    return [
        pieces[i] + (pieces[i + 1] if i + 1 < len(pieces) else "") for i in range(0, len(pieces), 2)
    ]


def apply_edits(text: str, edits: Sequence[Edit], where: str) -> str:
    """`text` with each edit's old text replaced on its line (outside comments).

    Longer texts claim their place first, so a trusted host `localhost` is not replaced
    inside `http://localhost:8888/simple` on the same line.
    """
    bom = _BOM if text.startswith(_BOM) else ""
    lines = split_physical(text.removeprefix(bom))
    by_line: dict[int, list[Edit]] = {}
    for edit in edits:
        by_line.setdefault(edit.line, []).append(edit)
    for number, line_edits in by_line.items():
        if not 1 <= number <= len(lines):
            raise MigrationError(f"{where}: line {number} no longer exists; scan again")
        lines[number - 1] = _edit_line(lines[number - 1], line_edits, f"{where}:{number}")
    return bom + "".join(lines)


def _edit_line(line: str, edits: Sequence[Edit], where: str) -> str:
    claimed: list[tuple[int, int, str]] = []
    unique = {(e.old, e.new) for e in edits}
    for old, new in sorted(unique, key=lambda pair: -len(pair[0])):
        spans = [
            (start, start + len(old))
            for start in _occurrences(line, old)
            if not in_comment(line, start)
        ]
        free = [(s, e) for s, e in spans if not any(s < ce and cs < e for cs, ce, _ in claimed)]
        if not free:
            raise MigrationError(f"{where}: the scanned text is no longer on this line; scan again")
        claimed += [(s, e, new) for s, e in free]
    result, last = [], 0
    for start, end, new in sorted(claimed):
        result += [line[last:start], new]
        last = end
    result.append(line[last:])
    return "".join(result)


def _occurrences(line: str, text: str) -> list[int]:
    found, start = [], line.find(text)
    while start != -1:
        found.append(start)
        start = line.find(text, start + len(text))
    return found


def remove_lines(text: str, numbers: frozenset[int]) -> str:
    """`text` without the physical lines `numbers` (1-based); a BOM stays."""
    if not numbers:
        return text
    bom = _BOM if text.startswith(_BOM) else ""
    lines = split_physical(text.removeprefix(bom))
    return bom + "".join(line for n, line in enumerate(lines, 1) if n not in numbers)


# -- .pypirc ----------------------------------------------------------------------------------


def add_pypirc_section(text: str, name: str, repository: str) -> str:
    """`text` with a `[name]` section for `repository` listed in `[distutils] index-servers`
    (the guide's Step 6 `twine upload -r nexus`); unchanged if the section exists or the file
    does not parse. No username or password is written: twine takes them from the
    environment or the keyring."""
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return text
    if parser.has_section(name):
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    listed = (
        _list_server(text, name, newline)
        if parser.has_section("distutils")
        else (
            f"[distutils]{newline}index-servers ={newline}    pypi{newline}    testpypi{newline}"
            f"    {name}{newline}{newline}{text}"  # twine's default list, kept, plus ours
        )
    )
    ending = "" if listed.endswith(("\n", "\r")) or not listed else newline
    return f"{listed}{ending}{newline}[{name}]{newline}repository = {repository}{newline}"


def _list_server(text: str, name: str, newline: str) -> str:
    lines = split_physical(text)
    section, key_line = None, None
    for number, line in enumerate(lines):
        header = _SECTION.match(line)
        if header:
            section = header["name"].strip()
        elif section == "distutils" and _INDEX_SERVERS.match(line):
            key_line = number
    if key_line is None:  # a [distutils] without index-servers: add the key to it
        at = next(
            i
            for i, line in enumerate(lines)
            if (m := _SECTION.match(line)) and m["name"].strip() == "distutils"
        )
        lines.insert(
            at + 1,
            f"index-servers ={newline}    pypi{newline}    testpypi{newline}    {name}{newline}",
        )
        return "".join(lines)
    last = key_line
    while last + 1 < len(lines) and lines[last + 1][:1] in (" ", "\t") and lines[last + 1].strip():
        last += 1
    if last > key_line:
        indent = lines[last][: len(lines[last]) - len(lines[last].lstrip())]
        lines.insert(last + 1, f"{indent}{name}{newline}")
    else:
        body = lines[key_line].rstrip("\r\n")
        lines[key_line] = f"{body} {name}{lines[key_line][len(body) :] or newline}"
    return "".join(lines)
