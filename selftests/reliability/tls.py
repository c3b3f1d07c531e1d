"""A TLS front for a server on 127.0.0.1, with a throwaway CA (trustme), as teams put a
reverse proxy with their own CA in front of Nexus.

It terminates TLS and pipes the bytes both ways to the plain-http server behind it: the
server itself answers every request, unchanged. (No TLS-terminating proxy is installed on
this machine; a library would do this better, e.g. the faults proxy once it speaks TLS.)
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import trustme

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class TlsFront:
    url: str  # https://127.0.0.1:<port>
    ca_file: Path  # the CA that signed its certificate (PEM)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


def _serve(listener: socket.socket, context: ssl.SSLContext, backend: tuple[str, int]) -> None:
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return  # closed: the front stops
        threading.Thread(target=_connect, args=(client, context, backend), daemon=True).start()


def _connect(client: socket.socket, context: ssl.SSLContext, backend: tuple[str, int]) -> None:
    try:
        secure = context.wrap_socket(client, server_side=True)
    except (ssl.SSLError, OSError):
        client.close()  # the client refused our certificate, or spoke plain http
        return
    with secure, socket.create_connection(backend) as upstream:
        back = threading.Thread(target=_pipe, args=(upstream, secure), daemon=True)
        back.start()
        _pipe(secure, upstream)
        back.join(timeout=60)


@contextlib.contextmanager
def tls_front(backend_port: int, folder: Path) -> Iterator[TlsFront]:
    """https on a free loopback port in front of http://127.0.0.1:`backend_port`."""
    ca = trustme.CA()
    certificate = ca.issue_cert(LOOPBACK, "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    folder.mkdir(parents=True, exist_ok=True)
    ca_file = folder / "throwaway-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    listener = socket.create_server((LOOPBACK, 0))
    port = listener.getsockname()[1]
    thread = threading.Thread(
        target=_serve, args=(listener, context, (LOOPBACK, backend_port)), daemon=True
    )
    thread.start()
    try:
        yield TlsFront(f"https://{LOOPBACK}:{port}", ca_file)
    finally:
        listener.close()
        thread.join(timeout=10)
