"""A fault-injecting HTTP proxy on 127.0.0.1, between the suite (or any client) and a server.

The proxy forwards every request to one upstream base URL and hands it to an ordered list of
*rules* first. The first rule whose `applies(request)` is true decides what the client gets:
a (possibly rewritten) upstream reply, a reply made up without asking upstream, or a transport
failure (connection reset, body cut short, delay). Requests no rule claims are forwarded
untouched. Rules can be added and removed while the proxy runs; each records how often it
fired, so a test can assert that its fault was really exercised.

    rules = RuleSet()
    with FaultProxy("http://127.0.0.1:8081", rules) as proxy:       # proxy.url: where to point
        rules.add(StripHashes(r"^/repository/pypi-hosted/simple/"))
        rules.add(Burst(ServiceUnavailable(retry_after=1), times=2))   # two 503s, then normal
        ...
        assert rules.fired(StripHashes) > 0

Building blocks (all in this module):
- `Request` (what the client sent) and `Reply` (status, headers, body) with helpers;
- actions a rule returns: a `Reply`, `Reset()` (TCP reset, no answer), `Truncated(reply,
  keep)` (full Content-Length, fewer bytes, then close), `Delayed(action, seconds)`;
- rules: `Respond` (a fixed status, no upstream), `RewriteBody`, `RewriteJson`,
  `StripHashes`, `StalePage`, `DropContinuationToken`, `ResetConnection`, `TruncateBody`,
  `SlowDown`, `ServiceUnavailable` (503, optional Retry-After), `TooManyRequests` (429),
  and `Burst(rule, times)` to apply any rule only to the first `times` matching requests.
  Every rule matches by a path regular expression, an optional method and an optional
  predicate on the request (e.g. "no Authorization header").

Writing a rule: subclass `Rule`, set `path`/`method` (or override `applies`), and implement
`respond(request, upstream)`, where `upstream(request)` forwards and returns the `Reply`.
The proxy speaks HTTP/1.1 with Content-Length bodies; `Accept-Encoding` is dropped on the way
up so every body a rule sees is plain. It never listens anywhere but 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
# Hop-by-hop headers (RFC 9110 7.6.1) and the ones the proxy recomputes.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "content-length",
        "accept-encoding",
    }
)


@dataclass(frozen=True)
class Request:
    """What the client sent: `path` includes the query string."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def route(self) -> str:
        """The path without the query string."""
        return self.path.split("?", 1)[0]

    @property
    def authenticated(self) -> bool:
        return self.header("Authorization") is not None


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    reason: str = ""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def with_body(self, body: bytes) -> Reply:
        return replace(self, body=body)

    def with_header(self, name: str, value: str) -> Reply:
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name.lower())
        return replace(self, headers=(*kept, (name, value)))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass(frozen=True)
class Reset:
    """Close the client's connection with a TCP reset, without any answer."""


@dataclass(frozen=True)
class Truncated:
    """Send `reply`'s headers (with the full Content-Length) and only `keep` bytes, then close."""

    reply: Reply
    keep: int = 0


@dataclass(frozen=True)
class Delayed:
    """Wait `seconds`, then carry out `action`."""

    action: Action
    seconds: float


Action = Reply | Reset | Truncated | Delayed
Upstream = Callable[[Request], Reply]


# -- rules -----------------------------------------------------------------------------------


@dataclass
class Rule:
    """Matches requests by path regex (searched in the path with query), method, predicate."""

    path: str = ".*"
    method: str | None = None
    when: Callable[[Request], bool] | None = field(default=None, compare=False)
    fired: int = field(default=0, init=False, compare=False)

    def applies(self, request: Request) -> bool:
        if self.method is not None and request.method.upper() != self.method.upper():
            return False
        if self.when is not None and not self.when(request):
            return False
        return re.search(self.path, request.path) is not None

    def respond(self, request: Request, upstream: Upstream) -> Action:
        return upstream(request)


@dataclass
class Respond(Rule):
    """Answer with a fixed status and body; upstream never sees the request."""

    status: int = 500
    body: bytes = b""
    content_type: str = "text/plain"
    extra_headers: tuple[tuple[str, str], ...] = ()

    def respond(self, request: Request, upstream: Upstream) -> Action:
        headers = (("Content-Type", self.content_type), *self.extra_headers)
        return Reply(self.status, headers, self.body)


@dataclass
class ServiceUnavailable(Respond):
    """503, with a Retry-After header when `retry_after` is set."""

    status: int = 503
    retry_after: int | None = None

    def respond(self, request: Request, upstream: Upstream) -> Action:
        reply = super().respond(request, upstream)
        assert isinstance(reply, Reply)
        if self.retry_after is not None:
            reply = reply.with_header("Retry-After", str(self.retry_after))
        return reply


@dataclass
class TooManyRequests(ServiceUnavailable):
    status: int = 429


@dataclass
class RewriteBody(Rule):
    """Forward, then replace the body with `rewrite(body)` (status and headers kept)."""

    rewrite: Callable[[bytes], bytes] = field(default=lambda body: body, compare=False)

    def respond(self, request: Request, upstream: Upstream) -> Action:
        reply = upstream(request)
        return reply.with_body(self.rewrite(reply.body)) if reply.status < 400 else reply


@dataclass
class RewriteJson(Rule):
    """Forward, then rewrite the JSON document (`change` edits it in place or returns a new
    one)."""

    change: Callable[[Any], Any] = field(default=lambda document: document, compare=False)

    def respond(self, request: Request, upstream: Upstream) -> Action:
        reply = upstream(request)
        if reply.status >= 400 or not reply.body:
            return reply
        document = json.loads(reply.body)
        changed = self.change(document)
        return reply.with_body(json.dumps(document if changed is None else changed).encode())


_HASH_FRAGMENT = re.compile(rb"#(sha256|md5|sha1|sha512)=[0-9a-fA-F]+")


@dataclass
class StripHashes(Rule):
    """Remove every `#sha256=...` (and other hash) fragment from simple index pages."""

    def respond(self, request: Request, upstream: Upstream) -> Action:
        reply = upstream(request)
        return reply.with_body(_HASH_FRAGMENT.sub(b"", reply.body))


@dataclass
class StalePage(Rule):
    """Serve the first successful reply seen for each path forever after (a stale cache)."""

    _seen: dict[str, Reply] = field(default_factory=dict, init=False, compare=False)

    def respond(self, request: Request, upstream: Upstream) -> Action:
        kept = self._seen.get(request.path)
        if kept is not None:
            return kept
        reply = upstream(request)
        if reply.status == 200:
            self._seen[request.path] = reply
        return reply


@dataclass
class DropContinuationToken(RewriteJson):
    """A paged REST listing that never pages: the first page claims to be the last."""

    def __post_init__(self) -> None:
        def drop(document: Any) -> Any:
            if isinstance(document, dict):
                document["continuationToken"] = None
            return document

        self.change = drop


@dataclass
class ResetConnection(Rule):
    def respond(self, request: Request, upstream: Upstream) -> Action:
        return Reset()


@dataclass
class TruncateBody(Rule):
    """Forward, then send only the first `keep` bytes of the body (Content-Length is full)."""

    keep: int = 0

    def respond(self, request: Request, upstream: Upstream) -> Action:
        return Truncated(upstream(request), self.keep)


@dataclass
class SlowDown(Rule):
    """Forward, and answer only after `seconds` (for timeouts and retry budgets)."""

    seconds: float = 1.0

    def respond(self, request: Request, upstream: Upstream) -> Action:
        return Delayed(upstream(request), self.seconds)


@dataclass
class Burst(Rule):
    """Apply `rule` to the first `times` requests it matches; later ones pass through."""

    rule: Rule = field(default_factory=Rule)
    times: int = 1

    def applies(self, request: Request) -> bool:
        return self.fired < self.times and self.rule.applies(request)

    def respond(self, request: Request, upstream: Upstream) -> Action:
        self.rule.fired += 1
        return self.rule.respond(request, upstream)


class RuleSet:
    """The proxy's ordered, thread-safe list of rules (first match wins)."""

    def __init__(self, *rules: Rule) -> None:
        self._rules: list[Rule] = list(rules)
        self._lock = threading.Lock()

    def add(self, *rules: Rule) -> None:
        with self._lock:
            self._rules.extend(rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def __iter__(self) -> Iterator[Rule]:
        with self._lock:
            return iter(list(self._rules))

    def pick(self, request: Request) -> Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.applies(request):
                    rule.fired += 1
                    return rule
        return None

    def fired(self, kind: type[Rule] | None = None) -> int:
        """How often the rules (of `kind`) decided a request."""
        return sum(r.fired for r in self if kind is None or isinstance(r, kind))


# -- the server ------------------------------------------------------------------------------


class FaultProxy:
    """A threaded HTTP proxy on 127.0.0.1 (a free port) in front of `upstream`."""

    def __init__(self, upstream: str, rules: RuleSet | None = None, timeout: float = 120.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http:// URL, not {upstream!r}")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.rules = rules if rules is not None else RuleSet()
        self.timeout = timeout
        self.requests: list[Request] = []
        self._server = ThreadingHTTPServer((LOOPBACK, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def forward(self, request: Request) -> Reply:
        """Send `request` upstream unchanged (the Host header too) and read the whole reply."""
        connection = http.client.HTTPConnection(
            self.upstream_host, self.upstream_port, timeout=self.timeout
        )
        try:
            headers = {k: v for k, v in request.headers if k.lower() not in _NOT_FORWARDED}
            if request.body or request.method in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(request.body))
            connection.request(request.method, request.path, body=request.body, headers=headers)
            response = connection.getresponse()
            body = response.read()
            kept = tuple(
                (k, v) for k, v in response.getheaders() if k.lower() not in _NOT_FORWARDED
            )
            return Reply(response.status, kept, body, response.reason)
        finally:
            connection.close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: tests read `proxy.requests` instead

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, tuple(self.headers.items()), body)
                proxy.requests.append(request)
                rule = proxy.rules.pick(request)
                try:
                    action: Action = (
                        rule.respond(request, proxy.forward) if rule else proxy.forward(request)
                    )
                except OSError:
                    action = Reply(502, (("Content-Type", "text/plain"),), b"upstream failed")
                self._carry_out(action)

            def _carry_out(self, action: Action) -> None:
                if isinstance(action, Delayed):
                    time.sleep(action.seconds)
                    self._carry_out(action.action)
                elif isinstance(action, Reset):
                    # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.close_connection = True
                elif isinstance(action, Truncated):
                    self._send(
                        action.reply, action.reply.body[: action.keep], len(action.reply.body)
                    )
                    self.close_connection = True
                else:
                    self._send(action, action.body, len(action.body))

            def _send(self, reply: Reply, body: bytes, length: int) -> None:
                # The upstream's own Server and Date headers pass through unchanged.
                self.send_response_only(reply.status, reply.reason or None)
                for key, value in reply.headers:
                    self.send_header(key, value)
                if reply.header("Date") is None:
                    self.send_header("Date", self.date_time_string())
                self.send_header("Content-Length", str(length))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve

        return Handler
