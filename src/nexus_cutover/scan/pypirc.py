""".pypirc: the `repository` of each server twine reads, and any stored password."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class PypircServer:
    """One server section of a .pypirc that twine uploads to."""

    name: str
    repository: str
    username: str | None
    has_password: bool  # a non-empty `password` written in the file
    credential_lines: tuple[int, ...]  # lines of `username` and `password` (1-based)


def pypirc_servers(text: str) -> tuple[PypircServer, ...]:
    """The index servers twine reads from `text`, each with what it stores for logging in;
    () when the file does not parse (the scanner reports that as a problem)."""
    parser, _problem = read_ini(text, ".pypirc")
    if parser is None:
        return ()
    servers = _DEFAULT_SERVERS
    if parser.has_option("distutils", "index-servers"):
        servers = tuple(parser.get("distutils", "index-servers").split())
    found = []
    for server in servers:
        if not parser.has_option(server, "repository"):
            continue
        username = parser.get(server, "username", fallback=None)
        password = parser.get(server, "password", fallback="")
        lines = [n for key in ("username", "password") for n, _ in value_lines(text, server, key)]
        found.append(
            PypircServer(
                server,
                parser.get(server, "repository").strip(),
                username.strip() if username is not None else None,
                bool(password.strip()),
                tuple(sorted(lines)),
            )
        )
    return tuple(found)
