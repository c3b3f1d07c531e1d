"""Verify an LDAP server configuration: really reach the server, as Nexus's "Verify connection".

Stages: a TCP connection to host:port (within connectionTimeoutSeconds); for LDAPS a TLS
handshake; then, when the `ldap3` package can be imported, a bind with the configured scheme
(NONE: anonymous bind, SIMPLE: bind as authUsername, DIGEST_MD5: SASL). Without ldap3 no LDAP
message is sent: reaching the port (and the TLS handshake) is all that is checked. CRAM_MD5 is
not offered by ldap3, so it is checked up to TLS too.
"""

from __future__ import annotations

import importlib
import socket
import ssl
from types import ModuleType
from typing import Any


class VerifyFailure(Exception):
    """Why the verification failed (for the log; the client gets Nexus's fixed message)."""

    def __init__(self, stage: str, cause: str) -> None:
        super().__init__(f"{stage}: {cause}")
        self.stage = stage
        self.cause = cause


def connect_message(host: str, port: int) -> str:
    """The text Nexus 3 gives when "Verify connection" fails (`LdapServerComponent`)."""
    return (
        f"Failed to connect to LDAP Server. Please check the {host}:{port} and"
        " authentication are correct."
    )


def ldap3_module() -> ModuleType | None:
    try:
        return importlib.import_module("ldap3")
    except ImportError:
        return None


def verify(config: dict[str, Any]) -> str:
    """Raise VerifyFailure when the server cannot be reached or bound; else say what was done."""
    host, port = str(config["host"]), int(config["port"])
    timeout = float(config.get("connectionTimeoutSeconds") or 30)
    secure = str(config["protocol"]).upper() == "LDAPS"
    _reach(host, port, timeout, secure)
    ldap3 = ldap3_module()
    scheme = str(config["authScheme"]).upper()
    if ldap3 is None or scheme == "CRAM_MD5":
        return "tls" if secure else "tcp"
    _bind(ldap3, config, host, port, timeout, secure, scheme)
    return "bind"


def _reach(host: str, port: int, timeout: float, secure: bool) -> None:
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise VerifyFailure("connect", f"{type(exc).__name__}: {exc}") from None
    try:
        if secure:
            context = ssl.create_default_context()
            try:
                with context.wrap_socket(sock, server_hostname=host):
                    pass
            except (OSError, ssl.SSLError) as exc:
                raise VerifyFailure("tls", f"{type(exc).__name__}: {exc}") from None
    finally:
        sock.close()


def _bind(
    ldap3: Any,
    config: dict[str, Any],
    host: str,
    port: int,
    timeout: float,
    secure: bool,
    scheme: str,
) -> None:
    user = config.get("authUsername")
    password = config.get("authPassword")
    try:
        server = ldap3.Server(
            host, port=port, use_ssl=secure, connect_timeout=timeout, get_info=ldap3.NONE
        )
        if scheme == "SIMPLE":
            connection = ldap3.Connection(
                server,
                user=user,
                password=password,
                authentication=ldap3.SIMPLE,
                receive_timeout=timeout,
            )
        elif scheme == "DIGEST_MD5":
            connection = ldap3.Connection(
                server,
                authentication=ldap3.SASL,
                sasl_mechanism=ldap3.DIGEST_MD5,
                sasl_credentials=(config.get("authRealm"), user, password, None),
                receive_timeout=timeout,
            )
        else:
            connection = ldap3.Connection(
                server, authentication=ldap3.ANONYMOUS, receive_timeout=timeout
            )
        bound = connection.bind()
        result = getattr(connection, "result", None)
        connection.unbind()
    except Exception as exc:  # ldap3 raises its own exception tree for every failure
        raise VerifyFailure("bind", f"{type(exc).__name__}: {exc}") from None
    if not bound:
        description = result.get("description") if isinstance(result, dict) else None
        raise VerifyFailure("bind", str(description or "bind refused"))
