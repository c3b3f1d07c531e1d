"""One HTTP transport for every server this tool talks to.

Nexus's REST API and repositories, pypiserver, simple indexes and uploads all go through an
`HttpSession` made here, so they behave alike:

- keep-alive: a session's connection pool is sized to the workers that share it (a requests
  Session may be shared by threads; its urllib3 pool is thread-safe);
- a timeout on every request; a server that hangs fails at the timeout with the URL in the
  message and is not asked again (a read timeout is never retried);
- TLS verification always on: the configured CA bundle, else the environment's
  (`target.tls_verify`), else the bundled CA certificates; no switch turns it off, and the
  choice is passed with every request so that no environment variable overrides it silently;
- transient faults retried by urllib3's `Retry`: connections that could not be made,
  connections reset before an answer (idempotent methods only), 429/502/503/504 with the
  server's Retry-After honoured up to `http.backoff_max`, exponential backoff with jitter,
  `http.retries` times, then one clear line. A POST is never sent twice by the transport:
  uploads decide themselves whether a retry is safe (migrate/upload.py). A GET whose body is
  cut off mid-transfer is fetched again (tenacity: urllib3 has returned by then);
- no `~/.netrc`: credentials come only from the configuration, and an anonymous session is
  really anonymous;
- every failure becomes one line naming what was asked and the URL (errors.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import requests
from requests.adapters import HTTPAdapter
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter
from urllib3.exceptions import MaxRetryError, NameResolutionError, ReadTimeoutError, SSLError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from nexus_cutover.config import HttpSettings
from nexus_cutover.errors import (
    AuthError,
    ConfigError,
    ForbiddenError,
    NotFoundError,
    ServerError,
    UnreachableError,
)
from nexus_cutover.guardrails.stragglers import tool_agent
from nexus_cutover.target import Credentials, NexusEndpoint, PypiserverEndpoint, tls_verify

T = TypeVar("T")
R = TypeVar("R")

# Answers that say "try again later" rather than "no".
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
# Methods the transport may send again after the request went out (urllib3's default set).
IDEMPOTENT_METHODS = Retry.DEFAULT_ALLOWED_METHODS
CONNECT_TIMEOUT = 10.0  # seconds to open a connection (the read timeout is the configured one)
CHUNK = 1 << 16
# Faults that another try cannot mend.
_FINAL = (ReadTimeoutError, SSLError, NameResolutionError)


class _TransientRetry(Retry):
    """urllib3's Retry with the bounds of this tool.

    Final at once, because asking again cannot help: a read timeout (a server that hangs is
    reported at the timeout, not after `retries` more timeouts), a TLS failure, an unknown host.
    A Retry-After is honoured up to `backoff_max`, not for hours.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if isinstance(error, _FINAL):
            raise error.with_traceback(_stacktrace)
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        after = super().get_retry_after(response)
        return None if after is None else min(after, self.backoff_max)


def retry_policy(http: HttpSettings, statuses: Collection[int] = TRANSIENT_STATUSES) -> Retry:
    """The urllib3 Retry of `http`: which faults, how often, how long to wait between."""
    return _TransientRetry(
        total=http.retries,
        connect=http.retries,
        read=http.retries,
        status=http.retries,
        other=http.retries,
        redirect=10,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=frozenset(statuses),
        backoff_factor=http.backoff,
        backoff_max=http.backoff_max,
        backoff_jitter=http.backoff / 2,
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer is returned and reported with its status
        raise_on_redirect=True,
    )


class _NoNetrc(requests.auth.AuthBase):
    """No credentials, and no `~/.netrc` lookup either (requests reads it for auth=None)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


class HttpSession(requests.Session):
    """A requests Session whose every request carries the timeout and the TLS trust."""

    def __init__(
        self,
        http: HttpSettings,
        *,
        service: str,
        credentials: Credentials | None = None,
        ca_bundle: Path | None = None,
        timeout: float = 30.0,
        pool_size: int | None = None,
        retry_statuses: Collection[int] = TRANSIENT_STATUSES,
    ) -> None:
        super().__init__()
        if ca_bundle is not None and not ca_bundle.exists():
            raise ConfigError(f"{ca_bundle}: CA bundle not found (nexus.ca_bundle)")
        self.http = http
        self.service = service
        self.timeout = timeout
        self.verify = tls_verify(ca_bundle)
        self.auth = credentials.as_tuple() if credentials else _NoNetrc()
        size = max(pool_size or http.workers, 1)
        adapter = HTTPAdapter(
            pool_connections=4,
            pool_maxsize=size,
            max_retries=retry_policy(http, retry_statuses),
        )
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        # Passed explicitly: requests lets REQUESTS_CA_BUNDLE override a session's `verify`.
        if kwargs.get("verify") is None:
            kwargs["verify"] = self.verify
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = (min(CONNECT_TIMEOUT, self.timeout), self.timeout)
        return super().request(method, url, *args, **kwargs)

    def __enter__(self) -> Self:
        return self


def nexus_session(
    endpoint: NexusEndpoint, *, anonymous: bool = False, pool_size: int | None = None
) -> HttpSession:
    """Repository and REST requests to Nexus, with its user unless `anonymous`."""
    return HttpSession(
        endpoint.http,
        service="Nexus",
        credentials=None if anonymous else endpoint.credentials,
        ca_bundle=endpoint.ca_bundle,
        timeout=endpoint.timeout,
        pool_size=pool_size,
    )


def pypiserver_session(endpoint: PypiserverEndpoint, pool_size: int | None = None) -> HttpSession:
    session = HttpSession(
        endpoint.http,
        service="pypiserver",
        credentials=endpoint.credentials,
        timeout=endpoint.timeout,
        pool_size=pool_size,
    )
    # Tells this tool's requests apart from clients' in pypiserver's log (stragglers).
    session.headers["User-Agent"] = tool_agent()
    return session


# -- requests whose failures are one line --------------------------------------------------


def fetch(
    session: requests.Session,
    url: str,
    what: str,
    timeout: float | None = None,
    method: str = "GET",
    *,
    answers: Collection[int] = (),
    **kwargs: Any,
) -> requests.Response:
    """One request, its body read; any failure, or a status >= 400 not in `answers`, raises
    a ServerError whose message names `what` and the URL."""
    if timeout is not None:
        kwargs["timeout"] = (min(CONNECT_TIMEOUT, timeout), timeout)

    def attempt() -> requests.Response:
        return session.request(method, url, allow_redirects=True, **kwargs)

    response = _with_body_retries(session, method, url, what, attempt)
    if response.status_code >= 400 and response.status_code not in answers:
        raise status_error(what, url, response, _service(session))
    return response


def get_json(session: requests.Session, url: str, what: str, **kwargs: Any) -> Any:
    response = fetch(session, url, what, **kwargs)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ServerError(
            f"{what}: {url} answered {response.status_code} but not with JSON"
            f" ({response.headers.get('Content-Type', 'no Content-Type')})",
            url=url,
            status=response.status_code,
        ) from None


def send(
    session: requests.Session, method: str, url: str, what: str, **kwargs: Any
) -> requests.Response:
    """One request as it is, any status returned; only network failures raise (one line)."""
    try:
        return session.request(method, url, **kwargs)
    except requests.RequestException as error:
        raise unreachable(what, url, error) from None


@dataclass(frozen=True)
class Digest:
    """What a streamed download gave: the sha256 and size of the bytes, or why none."""

    url: str
    sha256: str | None
    size: int = 0
    error: ServerError | None = None


def digest(session: requests.Session, url: str, what: str, timeout: float | None = None) -> Digest:
    """Download `url` in chunks into sha256 (never held in memory); failures in `error`."""
    limit = None if timeout is None else (min(CONNECT_TIMEOUT, timeout), timeout)

    def attempt() -> Digest:
        hasher, size = hashlib.sha256(), 0
        with session.get(url, stream=True, allow_redirects=True, timeout=limit) as response:
            if response.status_code >= 400:
                raise status_error(what, url, response, _service(session))
            for block in response.iter_content(CHUNK):
                hasher.update(block)
                size += len(block)
        return Digest(url, hasher.hexdigest(), size)

    try:
        return _with_body_retries(session, "GET", url, what, attempt)
    except ServerError as error:
        return Digest(url, None, 0, error)


def digest_many(
    session: requests.Session,
    downloads: Sequence[tuple[str, str]],
    workers: int | None = None,
    timeout: float | None = None,
) -> list[Digest]:
    """`digest` of each (url, what), `workers` at a time on the session's keep-alive pool;
    the results in the order given."""
    return map_concurrently(
        lambda item: digest(session, item[0], item[1], timeout),
        downloads,
        _workers(session, workers),
    )


def fetch_many(
    session: requests.Session,
    pages: Sequence[tuple[str, str]],
    workers: int | None = None,
    timeout: float | None = None,
) -> list[requests.Response | ServerError]:
    """`fetch` of each (url, what) concurrently; each result is the answer or its error."""

    def one(item: tuple[str, str]) -> requests.Response | ServerError:
        try:
            return fetch(session, item[0], item[1], timeout)
        except ServerError as error:
            return error

    return map_concurrently(one, pages, _workers(session, workers))


def map_concurrently(function: Callable[[T], R], items: Iterable[T], workers: int) -> list[R]:
    """`function` over `items` on `workers` threads, results in order (one thread: inline)."""
    listed = list(items)
    if workers <= 1 or len(listed) <= 1:
        return [function(item) for item in listed]
    with ThreadPoolExecutor(max_workers=min(workers, len(listed))) as pool:
        return list(pool.map(function, listed))


def _workers(session: requests.Session, workers: int | None) -> int:
    if workers is not None:
        return workers
    http = getattr(session, "http", None)
    return http.workers if isinstance(http, HttpSettings) else HttpSettings().workers


def backoff_retrying(
    http: HttpSettings, retry_on: type[BaseException] | tuple[type[BaseException], ...]
) -> Retrying:
    """tenacity's loop with the same bounds as the transport's Retry: `http.retries` more
    tries, exponential backoff from `http.backoff` with jitter, at most `http.backoff_max`."""
    return Retrying(
        retry=retry_if_exception_type(retry_on),
        stop=stop_after_attempt(http.retries + 1),
        wait=wait_exponential_jitter(
            multiplier=http.backoff, max=http.backoff_max, jitter=http.backoff / 2
        ),
        reraise=True,
    )


def _with_body_retries(
    session: requests.Session, method: str, url: str, what: str, attempt: Callable[[], T]
) -> T:
    """`attempt`, again when an idempotent answer's body was cut off; one-line errors."""
    http = getattr(session, "http", None)
    if not isinstance(http, HttpSettings) or method not in IDEMPOTENT_METHODS:
        http = HttpSettings(retries=0)
    try:
        return backoff_retrying(http, requests.exceptions.ChunkedEncodingError)(attempt)
    except requests.RequestException as error:
        raise unreachable(what, url, error) from None


# -- one-line messages -----------------------------------------------------------------------


def _service(session: requests.Session) -> str:
    return str(getattr(session, "service", "") or "server")


def status_error(
    what: str, url: str, response: requests.Response, service: str = "server"
) -> ServerError:
    """The error of an answer >= 400 (401/403/404 have their own types)."""
    status = response.status_code
    if status == 401:
        return AuthError(
            f"{what}: {url} answered 401: the {service} user or password is wrong or missing",
            url=url,
            status=status,
        )
    if status == 403:
        return ForbiddenError(
            f"{what}: {url} answered 403: the {service} user lacks the privilege for this",
            url=url,
            status=status,
        )
    if status == 404:
        return NotFoundError(f"{what}: {url} answered 404: not found", url=url, status=status)
    detail = error_detail(response.content) or response.reason or ""
    retried = _retries_made(response)
    after = f" (after {retried} retries)" if retried else ""
    return ServerError(
        f"{what}: {url} answered {status}{after}: {detail}"[:400], url=url, status=status
    )


def _retries_made(response: requests.Response) -> int:
    retries = getattr(response.raw, "retries", None)
    return len(retries.history) if isinstance(retries, Retry) else 0


def unreachable(what: str, url: str, error: Exception) -> UnreachableError:
    cut = _INCOMPLETE.search(str(error))
    if isinstance(error, requests.exceptions.ChunkedEncodingError) or cut:
        # The server answered, then the body stopped short (and again when retried).
        detail = f" ({cut.group(1)} bytes read, {cut.group(2)} more expected)" if cut else ""
        return UnreachableError(f"{what}: the answer from {url} broke off{detail}", url=url)
    return UnreachableError(f"{what}: cannot reach {url}: {failure_reason(error)}", url=url)


_INCOMPLETE = re.compile(r"IncompleteRead\((\d+) bytes read, (\d+) more expected\)")


def failure_reason(error: Exception) -> str:
    """Why a request got no answer, in a few words (TLS failures as a sentence)."""
    if isinstance(error, requests.exceptions.SSLError):
        return _tls_reason(str(error))
    if isinstance(error, requests.exceptions.ReadTimeout):
        return "no answer within the timeout (timed out)"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "the connection timed out"
    cause = error.args[0] if error.args else error
    tries = ""
    if isinstance(cause, MaxRetryError):
        tries = ", tried again in vain"
        cause = cause.reason or cause
    text = str(cause)
    lowered = text.lower()
    if "ssl" in type(cause).__name__.lower() or "certificate" in lowered:
        return _tls_reason(text)
    if "refused" in lowered:
        return f"connection refused{tries}"
    if "reset" in lowered or "aborted" in lowered or "remotedisconnected" in lowered:
        return f"the connection was closed before an answer{tries}"
    if "timed out" in lowered:
        return f"timed out{tries}"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "unknown host"
    if "too many redirects" in lowered:
        return "too many redirects"
    return text.split(": ", 1)[-1][:200] + tries


def _tls_reason(text: str) -> str:
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return (
            "TLS failure: the server's certificate is not trusted here; give its CA"
            " certificates as nexus.ca_bundle (or REQUESTS_CA_BUNDLE / SSL_CERT_FILE)"
        )
    if "WRONG_VERSION_NUMBER" in text or "record layer failure" in text:
        return "TLS failure: the server does not speak TLS there (http, not https?)"
    if "hostname" in text.lower() and "match" in text.lower():
        return "TLS failure: the server's certificate is for another host name"
    return "TLS failure: the TLS handshake with the server failed"


def error_detail(body: bytes | str | None) -> str:
    """The message in an error answer's body: Nexus's JSON list of messages, or its text."""
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(data, list):
        return "; ".join(str(e.get("message", e)) for e in data if isinstance(e, dict))
    return str(data)[:200]
