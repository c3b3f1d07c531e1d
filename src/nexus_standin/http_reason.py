"""Custom HTTP reason phrases on top of uvicorn's h11 protocol.

Nexus puts a repository error's message in the status line ("400 <repo>/packages/... cannot be
updated"), and clients such as requests' raise_for_status and twine show it. ASGI has no field
for a reason phrase, so a handler sets the internal REASON_HEADER and this transport wrapper moves
it into the status line as the response head is written.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.h11_impl import H11Protocol

REASON_HEADER = "x-nexus-standin-reason"
_MARKER = b"\r\n" + REASON_HEADER.encode() + b": "


def rewrite_head(data: bytes) -> bytes:
    """Move the reason header of a response head into its status line."""
    start = data.find(_MARKER)
    head_end = data.find(b"\r\n\r\n")
    if not data.startswith(b"HTTP/1.") or start < 0 or (0 <= head_end < start):
        return data
    value_start = start + len(_MARKER)
    value_end = data.index(b"\r\n", value_start)
    reason = data[value_start:value_end]
    status_end = data.index(b"\r\n")
    version, code = data[:status_end].split(b" ", 2)[:2]
    return version + b" " + code + b" " + reason + data[status_end:start] + data[value_end:]


class _ReasonTransport:
    def __init__(self, inner: asyncio.Transport) -> None:
        self._inner = inner

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._inner.write(rewrite_head(bytes(data)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class ReasonPhraseH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        wrapped = _ReasonTransport(cast(asyncio.Transport, transport))
        super().connection_made(cast(asyncio.Transport, wrapped))


def safe_reason(message: str) -> str:
    """A reason phrase must be one latin-1 line."""
    text = " ".join(message.split())
    return text.encode("latin-1", "replace").decode("latin-1")[:500]
