"""A reverse proxy on 127.0.0.1 in front of a real server that spoils some uploads on purpose.

Requests are relayed as they are. A POST can instead be answered with a transient status
without being relayed (the upload never arrived), or relayed and then its answer dropped by
resetting the client's connection (the upload arrived, the client cannot know). Used to prove
that retried uploads end as "already there", never as a failure or a second copy.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

import requests

Spoil = Literal["lose-answer", "503", "502", "429"]
_RELAYED_HEADERS = ("Content-Type", "Authorization", "Accept", "User-Agent")


@dataclass
class Spoiler:
    upstream: str
    posts: deque[Spoil] = field(default_factory=deque)
    posts_seen: int = 0
    posts_relayed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_post(self) -> Spoil | None:
        with self.lock:
            self.posts_seen += 1
            return self.posts.popleft() if self.posts else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    spoiler: Spoiler
    upstream: requests.Session


class _Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        spoil = self.server.spoiler.next_post() if self.command == "POST" else None
        if spoil in ("503", "502", "429"):
            self._answer(int(spoil), b"spoiled on purpose", "text/plain")
            return
        answer = self.server.upstream.request(
            self.command,
            self.server.spoiler.upstream + self.path,
            data=body,
            headers={k: v for k in _RELAYED_HEADERS if (v := self.headers.get(k))},
            allow_redirects=False,
            timeout=60,
        )
        if self.command == "POST":
            with self.server.spoiler.lock:
                self.server.spoiler.posts_relayed += 1
        if spoil == "lose-answer":
            linger = struct.pack("ii", 1, 0)  # reset: the client gets no answer at all
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.close_connection = True
            self.connection.close()
            return
        self._answer(answer.status_code, answer.content, answer.headers.get("Content-Type"))

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _relay

    def _answer(self, status: int, body: bytes, content_type: str | None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def lossy_front(upstream: str) -> Iterator[tuple[str, Spoiler]]:
    """(the front's base URL, its plan and counts) for the server at `upstream`."""
    server = _Server(("127.0.0.1", 0), _Relay)
    server.spoiler = Spoiler(upstream.rstrip("/"))
    server.upstream = requests.Session()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.spoiler
    finally:
        server.shutdown()
        server.server_close()
        server.upstream.close()
