"""Nexus's three logs, in the layouts of its 3.77 logback configuration
(`assemblies/nexus-base-overlay/.../etc/logback/logback.xml` and `logback-access.xml`):

- `log/nexus.log`: the application log;
- `log/request.log`: one line per client request (the access-log pattern);
- `log/outbound-request.log`: one line per response from a proxy's remote (`HttpClientManagerImpl`
  writes these with the OUTBOUND_REQUESTS_LOG_ONLY marker, which `NexusLogFilter` keeps out of
  nexus.log). A remote fetch therefore never shows up in nexus.log, as in Nexus at INFO level.

None ever receives a password: requests are logged by method, path and status only, and remote
URLs lose any user-info before they are logged.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

USER_SCOPE_KEY = "nexus.user"
SYSTEM_USER = "*SYSTEM"


class _NexusFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.levelno == logging.WARNING:
            record.levelname = "WARN"  # logback's spelling
        return super().format(record)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC)
        return stamp.strftime("%Y-%m-%d %H:%M:%S,") + f"{int(record.msecs):03d}+0000"


def _file_logger(name: str, path: Path, pattern: str) -> logging.Logger:
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(name)
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_NexusFormatter(pattern))
    logger.addHandler(handler)
    return logger


class AppLog:
    """nexus.log: `<date> <LEVEL> [<thread>] <node> <user> <logger> - <message>`.

    `<node>` is the cluster node name, empty on a single node, which leaves two spaces (3.77
    `NexusNodeNameConverter`).
    """

    def __init__(self, log_dir: Path) -> None:
        self._logger = _file_logger(
            f"nexus_standin.app.{log_dir}",
            log_dir / "nexus.log",
            "%(asctime)s %(levelname)-5s [%(threadName)s]  %(user)s %(source)s - %(message)s",
        )

    def info(self, source: str, message: str, user: str = SYSTEM_USER) -> None:
        self._logger.info(message, extra={"user": user, "source": source})

    def warning(self, source: str, message: str, user: str = SYSTEM_USER) -> None:
        self._logger.warning(message, extra={"user": user, "source": source})


class RequestLog:
    """request.log in Nexus's access-log pattern (3.77 `logback-access.xml`):
    `%clientHost %l %user [%date] "%requestURL" %statusCode %header{Content-Length} %bytesSent
    %elapsedTime "%header{User-Agent}" [%thread]`, where a missing value is `-`.
    """

    def __init__(self, log_dir: Path) -> None:
        self._logger = _file_logger(
            f"nexus_standin.request.{log_dir}", log_dir / "request.log", "%(message)s"
        )

    def write(self, scope: Scope, status: int, sent: int, elapsed_ms: int) -> None:
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        client = scope.get("client") or ("-", 0)
        path = scope.get("raw_path", b"").decode("latin-1") or scope.get("path", "")
        query = scope.get("query_string", b"").decode("latin-1")
        target = f"{path}?{query}" if query else path
        stamp = datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
        self._logger.info(
            '%s - %s [%s] "%s %s HTTP/%s" %d %s %d %d "%s" [%s]',
            client[0],
            scope.get(USER_SCOPE_KEY, "-"),
            stamp,
            scope.get("method", "-"),
            target,
            scope.get("http_version", "1.1"),
            status,
            headers.get("content-length", "-"),
            sent,
            elapsed_ms,
            headers.get("user-agent", "-"),
            threading.current_thread().name,
        )


class OutboundLog:
    """outbound-request.log: `[date] user "METHOD absolute-URL HTTP/1.1" status length ms "UA"
    [thread]` (3.77 `HttpClientManagerImpl.printOutboundLog`).

    `user` is the remote's configured user name or `-`; `length` is the response's Content-Length,
    -1 when it has none; a missing User-Agent is written `null`, as Java's String.format does.
    """

    def __init__(self, log_dir: Path) -> None:
        self._logger = _file_logger(
            f"nexus_standin.outbound.{log_dir}", log_dir / "outbound-request.log", "%(message)s"
        )

    def write(self, exchange: OutboundExchange) -> None:
        stamp = datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
        self._logger.info(
            '[%s] %s "%s %s HTTP/1.1" %d %d %d "%s" [%s]',
            stamp,
            exchange.user or "-",
            exchange.method,
            redact_url(exchange.url),
            exchange.status,
            exchange.length,
            exchange.elapsed_ms,
            exchange.user_agent,
            threading.current_thread().name,
        )


@dataclass(frozen=True)
class OutboundExchange:
    """One response from a remote, as the outbound log needs it."""

    method: str
    url: str
    status: int
    length: int
    elapsed_ms: int
    user_agent: str | None
    user: str | None


class RequestLogMiddleware:
    """Logs every request and stamps the `Server: Nexus/<version> (OSS)` header."""

    def __init__(self, app: ASGIApp, log: RequestLog, server_header: str) -> None:
        self._app = app
        self._log = log
        self._server = server_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.monotonic()
        status, sent = 0, 0

        async def send_logged(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["Server"] = self._server
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self._app(scope, receive, send_logged)
        finally:
            elapsed = int((time.monotonic() - started) * 1000)
            self._log.write(scope, status or 500, sent, elapsed)


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))
