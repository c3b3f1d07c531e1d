""".pypirc: the `repository` of each server twine reads, and any stored password."""

from __future__ import annotations

from nexus_cutover.scan.ini import locate, read_ini, section_items, value_lines
from nexus_cutover.scan.model import Findings, Hit, Secret

# twine's list when [distutils] is missing
_DEFAULT_SERVERS = ("pypi", "testpypi")


def parse_pypirc(text: str) -> Findings:
    found = Findings()
    parser, problem = read_ini(text, ".pypirc")
    if parser is None:
        if problem:
            found.problems.append(problem)
        return found
    servers = _DEFAULT_SERVERS
    if parser.has_option("distutils", "index-servers"):
        servers = tuple(parser.get("distutils", "index-servers").split())
    for server in servers:
        if not parser.has_option(server, "repository"):
            continue
        url = parser.get(server, "repository").strip()
        for line, item in locate([url], value_lines(text, server, "repository")):
            found.hits.append(Hit(line, item, f".pypirc [{server}] repository", "upload"))
    for section, key, value in section_items(parser):
        if key == "password" and value.strip():
            line = next(iter(value_lines(text, section, key)), (1, ""))[0]
            found.secrets.append(Secret(line, f".pypirc [{section}] password"))
    return found
