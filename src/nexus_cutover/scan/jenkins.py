"""Jenkinsfile (Groovy; no Python parser exists): `environment { X = '...' }`, `withEnv`
entries and `sh`/`bat` steps. A small scanner skips comments and finds string literals;
everything else is line matching."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nexus_cutover.scan.envvars import ASSIGNMENT, env_findings, is_relevant
from nexus_cutover.scan.model import Findings
from nexus_cutover.scan.shell import BodyParser, shell_findings

_QUOTES = ("'''", '"""', "'", '"')
_STEP = re.compile(r"\b(?:sh|bat|powershell|pwsh)\s*\(?\s*(?:script\s*:\s*)?$")
_ASSIGN = re.compile(
    r"(?:^|(?<=[{;]))[ \t]*(?P<name>[A-Za-z_]\w*)[ \t]*=[ \t]*"
    r"(?P<q>'''|\"\"\"|'|\")(?P<value>.*?)(?P=q)",
    re.MULTILINE,
)


@dataclass(frozen=True)
class _Literal:
    quote_start: int
    start: int
    end: int
    content: str


def _skip_string(text: str, i: int, quote: str) -> int:
    """Offset of the closing quote of the string whose content starts at `i`."""
    while i < len(text) and not text.startswith(quote, i):
        if text[i] == "\\":
            i += 2
            continue
        if len(quote) == 1 and text[i] == "\n":
            break
        i += 1
    return min(i, len(text))


def _blank(text: str, start: int, end: int, out: list[str]) -> None:
    for k in range(start, end):
        if text[k] != "\n":
            out[k] = " "


def scan_groovy(text: str) -> tuple[str, list[_Literal]]:
    """The text with comments blanked (offsets kept), and its string literals."""
    out = list(text)
    literals: list[_Literal] = []
    i = 0
    while i < len(text):
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = len(text) if end == -1 else end
            _blank(text, i, end, out)
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = len(text) if end == -1 else end + 2
            _blank(text, i, end, out)
            i = end
            continue
        quote = next((q for q in _QUOTES if text.startswith(q, i)), None)
        if quote is None:
            i += 1
            continue
        start = i + len(quote)
        end = _skip_string(text, start, quote)
        literals.append(_Literal(i, start, end, text[start:end]))
        i = end + len(quote)
    return "".join(out), literals


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def parse_jenkinsfile(text: str, embedded: BodyParser) -> Findings:
    found = Findings()
    code, literals = scan_groovy(text)
    inside = [(lit.quote_start, lit.end) for lit in literals]
    for match in _ASSIGN.finditer(code):
        name_at = match.start("name")
        if is_relevant(match["name"]) and not any(a <= name_at < b for a, b in inside):
            line = _line(text, match.start("value"))
            found.add(env_findings(match["name"], match["value"], line, "Jenkinsfile environment"))
    for lit in literals:
        first = _line(text, lit.start)
        if _STEP.search(code[max(0, lit.quote_start - 80) : lit.quote_start]):
            lines = [(first + k, part) for k, part in enumerate(lit.content.split("\n"))]
            found.add(shell_findings(lines, "Jenkinsfile sh", embedded))
            continue
        assignment = ASSIGNMENT.fullmatch(lit.content)
        if assignment and is_relevant(assignment["name"]):
            name, value = assignment["name"], assignment["value"]
            found.add(env_findings(name, value, first, "Jenkinsfile withEnv"))
    return found
