"""pyproject.toml (uv, poetry, pdm sources; direct references) and uv.toml, read by tomllib.

tomllib keeps no positions, so each value's line is found by searching the text for the
quoted value, preferring a line where its key is assigned.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from typing import Any, NamedTuple

from packaging.requirements import InvalidRequirement, Requirement

from nexus_cutover.scan.model import Findings, Hit, HitForm, Problem, Purpose
from nexus_cutover.scan.text import comment_start, split_lines

_AT_LINE = re.compile(r"at line (\d+)")


class _Value(NamedTuple):
    key: str
    value: str
    setting: str
    purpose: Purpose
    form: HitForm


# key inside a uv settings table -> (purpose, form)
_UV_KEYS: dict[str, tuple[Purpose, HitForm]] = {
    "index-url": ("install", "url"),
    "extra-index-url": ("install", "url"),
    "find-links": ("install", "url"),
    "allow-insecure-host": ("trust", "host"),
    "publish-url": ("upload", "url"),
}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _table(data: Any, *path: str) -> dict[str, Any]:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _array_of_tables(data: Any, *path: str) -> list[dict[str, Any]]:
    *parents, last = path
    items = _table(data, *parents).get(last)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _uv_values(uv: dict[str, Any], label: str, index_table: str) -> Iterator[_Value]:
    """uv settings; `label` is the table they sit in ("tool.uv", or "" at the top of uv.toml)."""
    for table, name in ((uv, label), (_table(uv, "pip"), f"{label}.pip" if label else "pip")):
        shown = f"[{name}] " if name else ""
        for key, (purpose, form) in _UV_KEYS.items():
            for item in _strings(table.get(key)):
                yield _Value(key, item, f"{shown}{key}", purpose, form)
    for index in _array_of_tables(uv, "index"):
        for key, purpose in (("url", "install"), ("publish-url", "upload")):
            for item in _strings(index.get(key)):
                yield _Value(key, item, f"[[{index_table}]] {key}", purpose, "url")


def _direct_references(project: dict[str, Any], groups: dict[str, Any]) -> Iterator[_Value]:
    lists = [("[project] dependencies", project.get("dependencies"))]
    lists += [
        (f"[project.optional-dependencies] {k}", v)
        for k, v in _table(project, "optional-dependencies").items()
    ]
    lists += [(f"[dependency-groups] {k}", v) for k, v in groups.items()]
    for setting, values in lists:
        for spec in _strings(values):
            try:
                url = Requirement(spec).url
            except InvalidRequirement:
                continue
            if url and url.startswith(("http://", "https://")):
                yield _Value("", url, f"{setting} direct reference", "install", "url")


def _pyproject_values(data: dict[str, Any]) -> Iterator[_Value]:
    yield from _uv_values(_table(data, "tool", "uv"), "tool.uv", "tool.uv.index")
    for tool in ("poetry", "pdm"):
        for source in _array_of_tables(data, "tool", tool, "source"):
            for item in _strings(source.get("url")):
                yield _Value("url", item, f"[[tool.{tool}.source]] url", "install", "url")
    yield from _direct_references(_table(data, "project"), _table(data, "dependency-groups"))


class _Lines:
    """Finds the line of each quoted value, one occurrence per value and line."""

    def __init__(self, text: str) -> None:
        self.code = [line[: comment_start(line, anywhere=True)] for line in split_lines(text)]
        self.used: set[tuple[int, str]] = set()

    def line_of(self, key: str, value: str) -> int:
        quoted = (f'"{value}"', f"'{value}'")
        candidates = [
            n
            for n, code in enumerate(self.code, start=1)
            if any(q in code for q in quoted) and (n, value) not in self.used
        ]
        assigned = re.compile(rf"(^|[\s{{,]){re.escape(key)}\s*=") if key else None
        keyed = [n for n in candidates if assigned and assigned.search(self.code[n - 1])]
        line = (keyed or candidates or [1])[0]
        self.used.add((line, value))
        return line


def _load(text: str, label: str) -> tuple[dict[str, Any] | None, Problem | None]:
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        match = _AT_LINE.search(str(exc))
        line = int(match[1]) if match else None
        return None, Problem(line, f"{label}: not valid TOML: {exc}")


def _findings(text: str, label: str, values: Iterator[_Value]) -> Findings:
    found = Findings()
    lines = _Lines(text)
    for v in values:
        if v.form == "host" or "://" in v.value or "$" in v.value:
            line = lines.line_of(v.key, v.value)
            found.hits.append(Hit(line, v.value, f"{label} {v.setting}", v.purpose, v.form))
    return found


def parse_pyproject(text: str) -> Findings:
    data, problem = _load(text, "pyproject.toml")
    if data is None:
        return Findings(problems=[problem] if problem else [])
    return _findings(text, "pyproject", _pyproject_values(data))


def parse_uv_toml(text: str) -> Findings:
    data, problem = _load(text, "uv.toml")
    if data is None:
        return Findings(problems=[problem] if problem else [])
    return _findings(text, "uv.toml", _uv_values(data, "", "index"))
