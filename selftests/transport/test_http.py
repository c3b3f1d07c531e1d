"""The HTTP transport against a real local server that fails on purpose (faulty.py).

Retries of transient faults, their bounds, timeouts, keep-alive reuse, TLS trust and the
one-line errors; no mocks: every answer crosses a real socket.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import trustme

from nexus_cutover.clients.http import (
    HttpSession,
    digest_many,
    fetch,
    get_json,
    send,
)
from nexus_cutover.clients.simple import project_links_many
from nexus_cutover.config import HttpSettings
from nexus_cutover.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    ServerError,
    UnreachableError,
)
from nexus_cutover.target import CA_VARIABLES, Credentials, tls_verify
from selftests.transport.faulty import Faults, Hang, Reset, Status, Truncate, faulty_server

# Short waits so the self-tests stay quick; the bounds are what is tested, not the speed.
QUICK = HttpSettings(workers=4, retries=3, backoff=0.01, backoff_max=0.05)


@pytest.fixture
def server() -> Iterator[tuple[str, Faults]]:
    with faulty_server() as started:
        yield started


def session(
    http: HttpSettings = QUICK,
    *,
    timeout: float = 5.0,
    credentials: Credentials | None = None,
    ca_bundle: Path | None = None,
) -> HttpSession:
    return HttpSession(
        http, service="Nexus", timeout=timeout, credentials=credentials, ca_bundle=ca_bundle
    )


def test_a_reset_connection_is_tried_again(server: tuple[str, Faults]) -> None:
    url, faults = server
    faults.plan("/page", Reset(), body=b"the page")
    assert fetch(session(), f"{url}/page", "page").content == b"the page"
    assert faults.requests_to("/page") == 2


@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_a_transient_status_is_tried_again(server: tuple[str, Faults], status: int) -> None:
    url, faults = server
    faults.plan("/page", Status(status), Status(status), body=b"finally")
    assert fetch(session(), f"{url}/page", "page").content == b"finally"
    assert faults.requests_to("/page") == 3


def test_retry_after_is_honoured(server: tuple[str, Faults]) -> None:
    """The server answers 429 again to anyone who comes back before its Retry-After."""
    url, faults = server
    faults.plan("/busy", Status(429, retry_after=1), body=b"served")
    http = HttpSettings(retries=3, backoff=0.01, backoff_max=5.0)
    assert fetch(session(http), f"{url}/busy", "busy").content == b"served"
    assert (faults.too_early, faults.requests_to("/busy")) == (0, 2)


def test_retries_are_bounded_then_one_line(server: tuple[str, Faults]) -> None:
    url, faults = server
    faults.plan("/down", *[Status(503)] * 10)
    with pytest.raises(ServerError) as raised:
        fetch(session(), f"{url}/down", "read the index")
    assert faults.requests_to("/down") == 1 + QUICK.retries
    message = str(raised.value)
    assert message == f"read the index: {url}/down answered 503 (after 3 retries): status 503"


def test_no_retries_when_configured_off(server: tuple[str, Faults]) -> None:
    url, faults = server
    faults.plan("/down", Status(503))
    with pytest.raises(ServerError, match="answered 503"):
        fetch(session(QUICK.model_copy(update={"retries": 0})), f"{url}/down", "x")
    assert faults.requests_to("/down") == 1


def test_a_hanging_server_fails_at_the_timeout_with_its_url(server: tuple[str, Faults]) -> None:
    """A read timeout is final: the server is not asked again and again."""
    url, faults = server
    faults.plan("/slow", Hang(3.0))
    with pytest.raises(UnreachableError) as raised:
        fetch(session(timeout=0.5), f"{url}/slow", "list assets")
    assert str(raised.value) == (
        f"list assets: cannot reach {url}/slow: no answer within the timeout (timed out)"
    )
    assert faults.requests_to("/slow") == 1


def test_a_body_cut_short_is_fetched_again(server: tuple[str, Faults]) -> None:
    url, faults = server
    whole = b"x" * 100_000
    faults.plan("/file", Truncate(), body=whole)
    assert fetch(session(), f"{url}/file", "download").content == whole
    assert faults.requests_to("/file") == 2


def test_a_post_is_never_sent_twice_by_the_transport(server: tuple[str, Faults]) -> None:
    """An upload may have arrived before the connection broke: only its caller may decide."""
    url, faults = server
    faults.plan("/upload", Reset(), Status(503))
    with pytest.raises(UnreachableError, match="closed before an answer"):
        send(session(), "POST", f"{url}/upload", "upload", data=b"file")
    assert faults.requests_to("/upload", "POST") == 1
    answer = send(session(), "POST", f"{url}/upload", "upload", data=b"file")
    assert answer.status_code == 503  # handed back as it is: not retried either
    assert faults.requests_to("/upload", "POST") == 2


def test_nothing_listening_is_one_line() -> None:
    with socket_nobody_listens_on() as port, pytest.raises(UnreachableError) as raised:
        fetch(session(), f"http://127.0.0.1:{port}/x", "Nexus status")
    assert str(raised.value).startswith(f"Nexus status: cannot reach http://127.0.0.1:{port}/x:")
    assert "connection refused" in str(raised.value)


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (401, AuthError, "answered 401: the Nexus user or password is wrong or missing"),
        (404, NotFoundError, "answered 404: not found"),
    ],
)
def test_refusals_are_typed_and_not_retried(
    server: tuple[str, Faults], status: int, error: type[ServerError], words: str
) -> None:
    url, faults = server
    faults.plan("/api", Status(status))
    with pytest.raises(error, match=words):
        get_json(session(), f"{url}/api", "list repositories")
    assert faults.requests_to("/api") == 1


def test_workers_share_keep_alive_connections(server: tuple[str, Faults]) -> None:
    """200 downloads by 4 workers: at most one connection per worker, every digest right."""
    url, faults = server
    files = {f"/f{n}": f"content {n}".encode() * 50 for n in range(200)}
    for path, body in files.items():
        faults.plan(path, body=body)
    results = digest_many(session(), [(f"{url}{p}", p) for p in files])
    assert [r.sha256 for r in results] == [hashlib.sha256(b).hexdigest() for b in files.values()]
    assert [r.size for r in results] == [len(b) for b in files.values()]
    assert faults.connections <= QUICK.workers


def test_digest_many_reports_each_failure_and_retries_cut_bodies(
    server: tuple[str, Faults],
) -> None:
    url, faults = server
    faults.plan("/good", Truncate(), body=b"g" * 50_000)
    faults.plan("/gone", Status(404))
    good, gone = digest_many(session(), [(f"{url}/good", "good"), (f"{url}/gone", "gone")])
    assert good.sha256 == hashlib.sha256(b"g" * 50_000).hexdigest()
    assert good.error is None
    assert gone.sha256 is None
    assert isinstance(gone.error, NotFoundError)


def test_index_pages_are_read_concurrently(server: tuple[str, Faults]) -> None:
    url, faults = server
    for name in ("alpha", "beta"):
        faults.plan(f"/simple/{name}/", body=f'<a href="../../p/{name}-1.0.tar.gz">x</a>'.encode())
    faults.plan("/simple/gamma/", Status(404))
    pages = project_links_many(session(), f"{url}/simple/", ["Alpha", "beta", "gamma"])
    assert [link.filename for link in pages["alpha"]] == ["alpha-1.0.tar.gz"]  # type: ignore[union-attr]
    assert isinstance(pages["gamma"], NotFoundError)


def test_credentials_only_from_the_configuration(
    server: tuple[str, Faults], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ~/.netrc naming the host is not read: an anonymous session stays anonymous."""
    url, faults = server
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password from-netrc\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    fetch(session(), f"{url}/anonymous", "x")
    fetch(session(credentials=Credentials("admin", "pw")), f"{url}/with-user", "x")
    by_path = {seen.path: seen.authorization for seen in faults.seen}
    assert by_path["/anonymous"] is None
    assert by_path["/with-user"] == "Basic YWRtaW46cHc="


# -- TLS --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(authority: trustme.CA, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The faulty server behind TLS with a certificate of a private CA; (URL, CA file)."""
    with faulty_server() as (url, _faults):
        port = int(url.rsplit(":", 1)[1])
        ca_file = tmp_path / "ca.pem"
        authority.cert_pem.write_to_path(str(ca_file))
        with tls_front(authority, port) as tls_port:
            yield f"https://localhost:{tls_port}", ca_file


@pytest.fixture
def no_ca_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in CA_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.mark.usefixtures("no_ca_variables")
def test_tls_is_verified_by_default(tls_server: tuple[str, Path]) -> None:
    url, _ca = tls_server
    with pytest.raises(UnreachableError) as raised:
        fetch(session(), f"{url}/x", "Nexus login")
    assert str(raised.value) == (
        f"Nexus login: cannot reach {url}/x: TLS failure: the server's certificate is not"
        " trusted here; give its CA certificates as nexus.ca_bundle (or REQUESTS_CA_BUNDLE /"
        " SSL_CERT_FILE)"
    )


def test_the_configured_ca_bundle_is_trusted(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, ca = tls_server
    elsewhere = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(elsewhere))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(elsewhere))  # must not override nexus.ca_bundle
    assert fetch(session(ca_bundle=ca), f"{url}/x", "x").status_code == 200


@pytest.mark.usefixtures("no_ca_variables")
@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
def test_the_environment_ca_bundle_is_trusted(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    url, ca = tls_server
    monkeypatch.setenv(variable, str(ca))
    assert fetch(session(), f"{url}/x", "x").status_code == 200


def test_verification_cannot_be_turned_off(tmp_path: Path) -> None:
    assert tls_verify(None, {}) is True
    assert tls_verify(None, {"SSL_CERT_FILE": "/ca.pem"}) == "/ca.pem"
    assert tls_verify(tmp_path, {"REQUESTS_CA_BUNDLE": "/other.pem"}) == str(tmp_path)
    with pytest.raises(ConfigError, match="CA bundle not found"):
        session(ca_bundle=tmp_path / "missing.pem")


# -- helpers ----------------------------------------------------------------------------------


@contextmanager
def socket_nobody_listens_on() -> Iterator[int]:
    """A port that was just free: bound and closed again, so connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    yield port


@contextmanager
def tls_front(authority: trustme.CA, backend_port: int) -> Iterator[int]:
    """A TLS listener on 127.0.0.1 relaying each connection to a plain local port."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(context)
    listener = context.wrap_socket(socket.socket(), server_side=True)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stopped = threading.Event()

    def accept() -> None:
        while not stopped.is_set():
            try:
                client, _ = listener.accept()
            except OSError:  # a refused handshake (ssl.SSLError is one), or the end
                continue
            upstream = socket.create_connection(("127.0.0.1", backend_port))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopped.set()
        listener.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            with suppress(OSError):
                end.close()
