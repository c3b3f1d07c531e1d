"""Who still fetches from pypiserver: its request log, read back as clients and projects.

pypiserver logs each request before it answers (pypiserver 2.4 `_app.py`, `log_request`:
`--log-req-frmt` applied with %-formatting to the WSGI environ, at INFO, so `-v` is needed;
`--log-file` writes it with `--log-frmt`). Two line formats are read:

1. pypiserver's own log file, started as
   `pypi-server run -v --log-file FILE --log-frmt "%(created)f|%(name)s|%(levelname)s|%(message)s"
   --log-req-frmt "request|%(REMOTE_ADDR)s|%(REQUEST_METHOD)s|%(PATH_INFO)s|%(HTTP_USER_AGENT)s"`
   (`REQUEST_LOG_FORMAT`, `LOG_LINE_FORMAT`); the default `--log-frmt` (`%(asctime)s|...`, local
   time) is read too. A request without a User-Agent has no `HTTP_USER_AGENT` key: formatting
   fails, the line is lost and Python's logging prints the whole environ (Authorization header
   included) to stderr. Under pypiserver's default server (wsgiref) the process environment is
   copied into every request's environ (stdlib `wsgiref.handlers.BaseHandler.os_environ`), so
   starting pypiserver with `HTTP_USER_AGENT=-` in its environment gives such requests a "-"
   instead: that is how the local backend runs it. Other servers (gunicorn, waitress) build the
   environ per request; there, use format 2.
2. an access log in the combined format (`%h %l %u %t "%r" %>s %b "%{Referer}i"
   "%{User-Agent}i"`): gunicorn's default `access_log_format` (the official pypiserver image
   runs gunicorn: set `accesslog` in its `gunicorn.conf.py`), or a reverse proxy in front of
   pypiserver (nginx's default `combined`). The User-Agent is the last quoted field, read
   greedily, because gunicorn writes pip's User-Agent with its JSON quotes unescaped.

A straggler is a client that fetched an index page or a file (or uploaded) after the cutover:
within the window, and after `configure` last rewrote the client files. nexus-cutover's own
requests (User-Agent `nexus-cutover/...`) are not clients.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import unquote

from packaging.utils import canonicalize_name

from nexus_cutover.dists import parse_filename
from nexus_cutover.errors import DistributionError

REQUEST_LOG_FORMAT = "request|%(REMOTE_ADDR)s|%(REQUEST_METHOD)s|%(PATH_INFO)s|%(HTTP_USER_AGENT)s"
LOG_LINE_FORMAT = "%(created)f|%(name)s|%(levelname)s|%(message)s"
# The environment default that keeps a request without a User-Agent loggable (wsgiref only).
USER_AGENT_DEFAULT = {"HTTP_USER_AGENT": "-"}
TOOL_AGENT_PREFIX = "nexus-cutover/"

_PYPISERVER = re.compile(
    r"^(?P<time>[^|]+)\|pypiserver\._app\|INFO\|(?:\d+\|)?request\|(?P<address>[^|]*)\|"
    r"(?P<method>[A-Z]+)\|(?P<path>[^|]*)\|(?P<agent>.*)$"
)
_COMBINED = re.compile(
    r'^(?P<address>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+)[^"]*"'
    r' \d{3} \S+ "[^"]*" "(?P<agent>.*)"\s*$'
)
# A request as pypiserver's default request format or its wsgiref access line logs it: proof
# that requests reach the log, whatever format the request lines have.
_ANY_REQUEST = re.compile(r'\|<LocalRequest: [A-Z]+ |"(GET|POST|HEAD) /\S* HTTP/')


def tool_agent() -> str:
    """The User-Agent of nexus-cutover's own requests to pypiserver (never a straggler)."""
    try:
        release = version("nexus-cutover")
    except PackageNotFoundError:
        release = "0"
    return f"{TOOL_AGENT_PREFIX}{release}"


@dataclass(frozen=True)
class Request:
    when: datetime  # aware, UTC
    address: str
    method: str
    path: str
    agent: str

    @property
    def project(self) -> str | None:
        """The project an index page or file request is about (None: other paths)."""
        parts = [unquote(p) for p in self.path.split("?", 1)[0].split("/") if p]
        if len(parts) >= 2 and parts[0] == "simple":
            return canonicalize_name(parts[1])
        if len(parts) >= 2 and parts[0] == "packages":
            try:
                return parse_filename(parts[-1])[0]
            except DistributionError:
                return None
        return None

    @property
    def client_request(self) -> bool:
        """An index page, a file or an upload from a client (not a health probe, not us)."""
        if self.agent.startswith(TOOL_AGENT_PREFIX):
            return False
        if self.method == "POST":
            return self.path.rstrip("/") == ""
        top = self.path.lstrip("/").split("/", 1)[0]
        return self.method in ("GET", "HEAD") and top in ("simple", "packages")


@dataclass(frozen=True)
class Client:
    address: str
    agent: str
    projects: tuple[str, ...]
    requests: int
    first: datetime
    last: datetime
    uploads: int = 0

    @property
    def short_agent(self) -> str:
        """pip and uv append a JSON description of the machine: keep what names the tool and
        the platform (`pip/24.0 (CPython 3.11.7, Linux)`), not the whole document."""
        name, brace, rest = self.agent.partition(" {")
        if not brace:
            return self.agent if len(self.agent) <= 80 else self.agent[:77] + "..."
        try:
            about = json.loads("{" + rest.rsplit("}", 1)[0] + "}")
        except ValueError:
            return name
        implementation = about.get("implementation") or {}
        system = about.get("system") or {}
        parts = [
            f"{implementation.get('name', '')} {implementation.get('version', '')}".strip(),
            str(system.get("name") or ""),
            "CI" if about.get("ci") else "",
        ]
        shown = ", ".join(part for part in parts if part)
        return f"{name} ({shown})" if shown else name

    def describe(self) -> str:
        what = ", ".join(self.projects[:8]) or "index pages"
        if len(self.projects) > 8:
            what += f" and {len(self.projects) - 8} more"
        uploads = f", {_count(self.uploads, 'upload')}" if self.uploads else ""
        return (
            f"{self.address} ({self.short_agent or '-'}): {what};"
            f" {_count(self.requests, 'request')}{uploads},"
            f" last at {self.last:%Y-%m-%d %H:%M:%S} UTC"
        )


@dataclass(frozen=True)
class RequestLog:
    requests: tuple[Request, ...]
    files: tuple[Path, ...]
    other_request_lines: int  # requests logged in formats that name no client (docstring)
    problems: tuple[str, ...]

    @property
    def wrong_format(self) -> bool:
        """Requests reached the log, but none in a format that names its client."""
        return not self.requests and self.other_request_lines > 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def log_files(path: Path) -> list[Path]:
    """The log itself, or every `*.log*` file of a folder (rotated ones included)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and ".log" in p.name)
    return [path]


def read_log(path: Path) -> RequestLog:
    requests: list[Request] = []
    problems: list[str] = []
    other = 0
    files = log_files(path)
    for file in files:
        try:
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            problems.append(f"cannot read {file}: {error.strerror or error}")
            continue
        for line in text.splitlines():
            request = parse_line(line)
            if request is not None:
                requests.append(request)
            elif _ANY_REQUEST.search(line):
                other += 1
    if not files:
        problems.append(f"{path} holds no log file (*.log*)")
    return RequestLog(tuple(requests), tuple(files), other, tuple(problems))


def parse_line(line: str) -> Request | None:
    for pattern, parse_time in ((_PYPISERVER, _pypiserver_time), (_COMBINED, _combined_time)):
        found = pattern.match(line)
        if found is None:
            continue
        when = parse_time(found["time"])
        if when is None:
            return None
        return Request(when, found["address"], found["method"], found["path"], found["agent"])
    return None


def _pypiserver_time(text: str) -> datetime | None:
    """`%(created)f` (seconds since the epoch) or the default `%(asctime)s` (local time)."""
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").astimezone(UTC)
    except ValueError:
        return None


def _combined_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z").astimezone(UTC)
    except ValueError:
        return None


def clients(requests: Iterable[Request], since: datetime) -> list[Client]:
    """Each (address, User-Agent) that fetched or uploaded since `since`, latest first."""
    grouped: dict[tuple[str, str], list[Request]] = {}
    for request in requests:
        if request.when >= since and request.client_request:
            grouped.setdefault((request.address, request.agent), []).append(request)
    found = [_client(key, seen) for key, seen in grouped.items()]
    return sorted(found, key=lambda c: c.last, reverse=True)


def _client(key: tuple[str, str], seen: Sequence[Request]) -> Client:
    projects = sorted({r.project for r in seen if r.project})
    return Client(
        address=key[0],
        agent=key[1],
        projects=tuple(projects),
        requests=len(seen),
        first=min(r.when for r in seen),
        last=max(r.when for r in seen),
        uploads=sum(r.method == "POST" for r in seen),
    )


def window_start(now: datetime, hours: float, cutover: datetime | None) -> datetime:
    """Stragglers count from the later of `now - hours` and the cutover (the last time
    `configure` rewrote client files): before it, every client used pypiserver, as it should."""
    start = now - timedelta(hours=hours)
    return max(start, cutover) if cutover is not None else start


def server_options(log_file: Path) -> list[str]:
    """The pypiserver options that write the log this module reads (format 1)."""
    return [
        "-v",
        "--log-file",
        str(log_file),
        "--log-frmt",
        LOG_LINE_FORMAT,
        "--log-req-frmt",
        REQUEST_LOG_FORMAT,
    ]
