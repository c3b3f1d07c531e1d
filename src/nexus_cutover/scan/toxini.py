"""tox.ini: `set_env`/`setenv` index variables, `install_command` and `commands` with pip
options, `deps` option lines, and tox 3's `[tox] indexserver`."""

from __future__ import annotations

import re

from nexus_cutover.scan.envvars import env_findings
from nexus_cutover.scan.ini import locate, read_ini, section_items, value_lines, value_segments
from nexus_cutover.scan.model import Findings, Hit
from nexus_cutover.scan.requirements import parse_requirements
from nexus_cutover.scan.shell import BodyParser, shell_findings

# {env:NAME:default}: tox fills in the default when NAME is unset
_ENV_DEFAULT = re.compile(r"\{env:[^:}]+:(?P<default>[^}]*)\}")
_COMMAND_KEYS = ("install_command", "commands", "commands_pre", "commands_post")


def _with_defaults(value: str) -> str:
    return _ENV_DEFAULT.sub(lambda m: m["default"], value)


def _set_env(text: str, section: str, key: str) -> Findings:
    found = Findings()
    where = f"tox.ini [{section}] {key}"
    for number, line in value_segments(text, section, key):
        name, equals, value = line.strip().partition("=")
        if equals and not name.startswith(("#", ";")):
            found.add(env_findings(name.strip(), _with_defaults(value.strip()), number, where))
    return found


def _deps(text: str, section: str, key: str) -> Findings:
    segments = value_segments(text, section, key)
    parsed = parse_requirements("\n".join(line for _, line in segments))
    line_of = {i + 1: number for i, (number, _) in enumerate(segments)}
    # tox's own substitutions ({[base]deps}) are not pip syntax: no problems from here
    parsed.problems.clear()
    return parsed.shifted(line_of, f"tox.ini [{section}] {key}")


def _index_server(text: str, section: str, key: str, value: str) -> list[Hit]:
    urls = [line.partition("=")[2].strip() for line in value.splitlines() if "=" in line]
    lines = value_lines(text, section, key)
    setting = f"tox.ini [{section}] {key}"
    return [Hit(line, url, setting, "install") for line, url in locate(urls, lines) if url]


def parse_tox_ini(text: str, embedded: BodyParser) -> Findings:
    found = Findings()
    parser, problem = read_ini(text, "tox.ini")
    if parser is None:
        if problem:
            found.problems.append(problem)
        return found
    for section, key, value in section_items(parser):
        name = key.lower()
        if name in ("set_env", "setenv"):
            found.add(_set_env(text, section, key))
        elif name in _COMMAND_KEYS:
            segments = [(n, _with_defaults(line)) for n, line in value_segments(text, section, key)]
            found.add(shell_findings(segments, f"tox.ini [{section}] {key}", embedded))
        elif name == "deps":
            found.add(_deps(text, section, key))
        elif section == "tox" and name == "indexserver":
            found.hits.extend(_index_server(text, section, key, value))
    return found
