"""Verify an LDAP server configuration: really reach the server, as Nexus's "Verify connection".

Stages: a TCP connection to host:port (within connectionTimeoutSeconds); for LDAPS a TLS
handshake; then a bind as the configured system account (NONE: anonymous, SIMPLE: as
authUsername, DIGEST_MD5: SASL), the connection the LDAP realm searches with
(ldap_realm.py). CRAM_MD5 is not offered by ldap3, so it fails at the bind stage.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any

from ..ldap_realm import Directory, DirectoryError


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


def verify(config: dict[str, Any]) -> str:
    """Raise VerifyFailure when the server cannot be reached or bound; else say what was done."""
    host, port = str(config["host"]), int(config["port"])
    timeout = float(config.get("connectionTimeoutSeconds") or 30)
    secure = str(config["protocol"]).upper() == "LDAPS"
    _reach(host, port, timeout, secure)
    try:
        Directory(config).verify()
    except DirectoryError as error:
        raise VerifyFailure(error.stage, error.cause) from None
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
