"""A proxy repository's HTTP client: retries, the outbound request log and auto-blocking.

Blocking follows 3.77 `BlockingHttpClient`: only requests to the remote's main host (scheme, host
and port of `remoteUrl`) are blocked or counted; files served from another host (PyPI's
files.pythonhosted.org) never block the repository. A failure of the main host (connection error,
401, 407 or 5xx) blocks it for the next number of a Fibonacci sequence starting at 40 s (40, 40,
80, 120, 200 s, ...); a success resets the sequence. When the block ends a background HEAD of the
main host checks the remote, as Nexus's status-check thread does, and a success clears the block.
Blocking state lives in memory, as in Nexus.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

from ..logs import AppLog, OutboundExchange, OutboundLog, redact_url
from ..store.repos import Repository

FIRST_BLOCK_SECONDS = 40.0
DEFAULT_TIMEOUT_SECONDS = 60
DEFAULT_RETRIES = 2
STATUS_LOG_SOURCE = "org.sonatype.nexus.repository.httpclient.internal.HttpClientFacetImpl"


class RemoteUnavailable(Exception):
    """The remote failed: `status` is what a client gets when nothing is cached (3.77
    `ProxyHandler`: 502 for an I/O error, 503 for a ProxyServiceException)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class RemoteBlocked(Exception):
    """The main host is blocked; the message is the reason phrase of the 404 (3.77
    `RemoteBlockedIOException` answered by `ProxyHandler`)."""


def main_target(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


@dataclass
class _Block:
    """Auto-block state of one repository: the Fibonacci pair and the current deadline."""

    next_seconds: float = FIRST_BLOCK_SECONDS
    after_seconds: float = FIRST_BLOCK_SECONDS
    until: float | None = None
    probe: threading.Timer | None = field(default=None, repr=False)

    def advance(self) -> float:
        seconds = self.next_seconds
        self.next_seconds, self.after_seconds = self.after_seconds, seconds + self.after_seconds
        return seconds


def joda_time(stamp: float) -> str:
    """Joda's DateTime.toString() for a UTC instant: milliseconds and `Z`."""
    moment = datetime.fromtimestamp(stamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class RemoteClient:
    def __init__(self, log: AppLog, outbound: OutboundLog, user_agent: str) -> None:
        self._log = log
        self._outbound = outbound
        self._user_agent = user_agent
        self._blocks: dict[str, _Block] = {}
        self._guard = threading.Lock()
        self._local = threading.local()

    def forget(self, name: str) -> None:
        """The repository changed or went away: drop its block (a new HTTP client in Nexus)."""
        with self._guard:
            block = self._blocks.pop(name, None)
        if block is not None and block.probe is not None:
            block.probe.cancel()

    def get(self, repo: Repository, url: str, stream: bool = False) -> requests.Response | None:
        """The 200 response, None for a missing file; RemoteUnavailable when the remote fails,
        RemoteBlocked when its main host is blocked."""
        on_main_host = main_target(url) == main_target(repo.remote_url)
        if on_main_host:
            self._check_blocked(repo)
        try:
            response = self._send(repo, url, stream)
        except RemoteUnavailable:
            if on_main_host:
                self._record_failure(repo, url)
            raise
        status = response.status_code
        if on_main_host:
            if status in (401, 407) or status >= 500:
                self._record_failure(repo, url)
            else:
                self._record_success(repo)
        return _accept(response)

    # -- sending -------------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # never route through this machine's proxy settings
            session.verify = (
                os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or True
            )
            self._local.session = session
        return session

    def _send(self, repo: Repository, url: str, stream: bool) -> requests.Response:
        connection = repo.connection
        timeout = int(connection.get("timeout") or DEFAULT_TIMEOUT_SECONDS)
        configured = connection.get("retries")
        retries = DEFAULT_RETRIES if configured is None else int(configured)
        suffix = connection.get("userAgentSuffix") or ""
        agent = f"{self._user_agent} {suffix}".strip()
        headers = {"User-Agent": agent, "Accept": "text/html" if not stream else "*/*"}
        credentials = repo.remote_credentials
        for attempt in range(retries + 1):
            started = time.monotonic()
            try:
                response = self._session().get(
                    url, headers=headers, timeout=timeout, stream=stream, auth=credentials
                )
            except requests.RequestException as exc:
                if attempt == retries:
                    self._log.warning(
                        PROXY_LOG_SOURCE,
                        f"Exception {type(exc).__name__} checking remote for update, proxy repo"
                        f" {repo.name} failed to fetch {redact_url(url)}",
                    )
                    raise RemoteUnavailable(502) from None
                continue
            self._log_exchanges(response, started, agent, credentials)
            return response
        raise AssertionError("unreachable")

    def _log_exchanges(
        self,
        response: requests.Response,
        started: float,
        agent: str,
        credentials: tuple[str, str] | None,
    ) -> None:
        """One outbound line per response, redirects included (each passes the interceptor)."""
        elapsed = int((time.monotonic() - started) * 1000)
        for hop in [*response.history, response]:
            length = hop.headers.get("Content-Length")
            self._outbound.write(
                OutboundExchange(
                    method=hop.request.method or "GET",
                    url=str(hop.request.url or hop.url),
                    status=hop.status_code,
                    length=int(length) if length and length.isdigit() else -1,
                    elapsed_ms=elapsed,
                    user_agent=agent,
                    user=credentials[0] if credentials else None,
                )
            )

    # -- blocking ------------------------------------------------------------------------------

    def _check_blocked(self, repo: Repository) -> None:
        if repo.blocked:
            raise RemoteBlocked("Remote Manually Blocked")
        if not repo.auto_block:
            return
        block = self._blocks.get(repo.name)
        if block is not None and block.until is not None and block.until > time.time():
            raise RemoteBlocked(f"Remote Auto Blocked until {joda_time(block.until)}")

    def _record_failure(self, repo: Repository, url: str) -> None:
        if not repo.auto_block:
            return
        with self._guard:
            block = self._blocks.setdefault(repo.name, _Block())
            if block.until is not None and block.until > time.time():
                return  # another thread already extended it
            block.until = time.time() + block.advance()
            until = block.until
            self._schedule_probe(repo, block)
        self._log.info(
            STATUS_LOG_SOURCE,
            f"Repository status for {repo.name} changed to AUTO_BLOCKED_UNAVAILABLE until"
            f" {joda_time(until)} - reason remote unavailable for {redact_url(url)}",
        )

    def _record_success(self, repo: Repository) -> None:
        with self._guard:
            block = self._blocks.pop(repo.name, None)
        if block is not None and block.probe is not None:
            block.probe.cancel()

    def _schedule_probe(self, repo: Repository, block: _Block) -> None:
        """At the end of the block, HEAD the main host; a good answer clears the block."""
        if block.probe is not None:
            block.probe.cancel()
        assert block.until is not None
        delay = max(0.0, block.until - time.time())
        scheme, host, port = main_target(repo.remote_url)
        root = f"{scheme}://{host}:{port}/" if port else f"{scheme}://{host}/"
        probe = threading.Timer(delay, self._probe, args=(repo, root))
        probe.daemon = True
        block.probe = probe
        probe.start()

    def _probe(self, repo: Repository, root: str) -> None:
        started = time.monotonic()
        try:
            response = self._session().head(root, timeout=DEFAULT_TIMEOUT_SECONDS)
        except requests.RequestException:
            return  # as Nexus: the probe only tries to reach the host
        self._log_exchanges(response, started, self._user_agent, None)
        if not (response.status_code in (401, 407) or response.status_code >= 500):
            self._record_success(repo)


PROXY_LOG_SOURCE = "org.sonatype.nexus.repository.pypi.datastore.internal.PyPiProxyFacet"


def _accept(response: requests.Response) -> requests.Response | None:
    """3.77 `ProxyFacetSupport.fetch`: 200 is content; 401, 402, 407 and 5xx are a
    ProxyServiceException (503 to the client); anything else is "not found"."""
    status = response.status_code
    if status == 200:
        return response
    response.close()
    if status in (401, 402, 407) or status >= 500:
        raise RemoteUnavailable(503)
    return None
