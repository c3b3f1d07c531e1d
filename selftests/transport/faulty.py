"""A real HTTP server on 127.0.0.1 that fails on purpose, request by request.

Each path has a plan: a queue of what to do with the next requests to it (answer, reset the
connection, hang, cut the body short, answer with a status); once the plan is used up the
path answers 200 with its body. The server records every request and counts the TCP
connections it accepted, so a test can tell a retry from a keep-alive reuse. A Retry-After it
sends is enforced: a request that comes back earlier is answered 429 again and counted.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reset:
    """Close the connection with a TCP reset instead of answering."""


@dataclass(frozen=True)
class Hang:
    """Answer nothing for this long (the client's timeout should fire first)."""

    seconds: float


@dataclass(frozen=True)
class Status:
    code: int
    retry_after: int | None = None


@dataclass(frozen=True)
class Truncate:
    """Promise the whole body, send half of it, close."""


Action = Reset | Hang | Status | Truncate


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    authorization: str | None
    body_size: int


@dataclass
class Faults:
    plans: dict[str, deque[Action]] = field(default_factory=dict)
    bodies: dict[str, bytes] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    connections: int = 0
    too_early: int = 0
    not_before: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def plan(self, path: str, *actions: Action, body: bytes = b"ok") -> None:
        self.plans[path] = deque(actions)
        self.bodies[path] = body

    def requests_to(self, path: str, method: str = "GET") -> int:
        return sum(1 for s in self.seen if s.path == path and s.method == method)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    faults: Faults

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.faults.lock:
            self.faults.connections += 1
        super().process_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def _handle(self) -> None:
        faults = self.server.faults
        length = int(self.headers.get("Content-Length") or 0)
        body_size = len(self.rfile.read(length)) if length else 0
        path = self.path.split("?", 1)[0]
        with faults.lock:
            faults.seen.append(
                Seen(self.command, path, self.headers.get("Authorization"), body_size)
            )
            early = time.monotonic() < faults.not_before.get(path, 0.0)
            if early:
                faults.too_early += 1
            plan = faults.plans.get(path)
            action = None if early or not plan else plan.popleft()
        if early:
            self._send(429, b"too early", {"Retry-After": "1"})
        elif action is None:
            self._send(200, faults.bodies.get(path, b"ok"))
        else:
            self._act(action, path)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _handle

    def _act(self, action: Action, path: str) -> None:
        faults = self.server.faults
        if isinstance(action, Reset):
            linger = struct.pack("ii", 1, 0)  # close with RST, not FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.close_connection = True
            self.connection.close()
        elif isinstance(action, Hang):
            time.sleep(action.seconds)
            self.close_connection = True
        elif isinstance(action, Truncate):
            body = faults.bodies.get(path, b"ok")
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            headers = {}
            if action.retry_after is not None:
                headers["Retry-After"] = str(action.retry_after)
                with faults.lock:
                    faults.not_before[path] = time.monotonic() + action.retry_after
            self._send(action.code, f"status {action.code}".encode(), headers)

    def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def faulty_server() -> Iterator[tuple[str, Faults]]:
    """(base URL, the plan and the record) of a server that runs until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.faults = Faults()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.faults
    finally:
        server.shutdown()
        server.server_close()
