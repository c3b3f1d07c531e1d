"""Errors raised by handlers and the responses Nexus gives for them."""

from __future__ import annotations

import html
import json
import uuid
from http import HTTPStatus

from starlette.responses import Response

from .http_reason import REASON_HEADER, safe_reason

REALM_CHALLENGE = 'BASIC realm="Sonatype Nexus Repository Manager"'
READ_ONLY_MESSAGE = "Nexus Repository Manager is in read-only mode"
FAULT_ID_HEADER = "X-Siesta-FaultId"


class NexusError(Exception):
    """An HTTP error; `message` becomes the reason phrase and page text on repository paths."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(message or HTTPStatus(status).phrase)
        self.status = status
        self.message = message


class MappedError(NexusError):
    """An error Nexus's REST layer (siesta) maps: it carries a fault id, sent as a header."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(status, message)
        self.fault_id = str(uuid.uuid4())


class FrozenError(MappedError):
    """A write while the node is read-only (Nexus's FrozenException): 503 everywhere.

    Repository paths answer with the message as reason phrase and page text (3.77
    `ExceptionHandler`); REST answers `text/plain` "<message>: (ID <fault id>)" (3.77
    `FrozenExceptionMapper`).
    """

    def __init__(self) -> None:
        super().__init__(503, READ_ONLY_MESSAGE)


class JsonMessageError(NexusError):
    """Nexus's WebApplicationMessageException with a JSON body: the message as a JSON string."""


class Unauthorized(NexusError):
    def __init__(self) -> None:
        super().__init__(401)


class Forbidden(NexusError):
    def __init__(self) -> None:
        super().__init__(403)


class ValidationFailed(NexusError):
    """400 with Nexus's JSON list of ValidationErrorXO `{id, message}`."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(400, "; ".join(message for _, message in errors))
        self.errors = errors


def error_response(error: NexusError, *, repository_path: bool, version: str) -> Response:
    headers = {"WWW-Authenticate": REALM_CHALLENGE} if isinstance(error, Unauthorized) else {}
    if isinstance(error, ValidationFailed):
        body = [{"id": ident, "message": message} for ident, message in error.errors]
        return Response(
            json.dumps(body, indent=2, separators=(",", " : ")),
            400,
            media_type="application/json",
            headers=headers,
        )
    if repository_path:
        if error.message:
            headers[REASON_HEADER] = safe_reason(error.message)
        return Response(
            error_page(error.status, error.message, version),
            error.status,
            media_type="text/html",
            headers=headers,
        )
    if isinstance(error, MappedError):
        headers[FAULT_ID_HEADER] = error.fault_id
    if isinstance(error, FrozenError):
        return Response(
            f"{error.message}: (ID {error.fault_id})",
            error.status,
            media_type="text/plain",
            headers=headers,
        )
    if isinstance(error, JsonMessageError):
        return Response(
            json.dumps(error.message), error.status, media_type="application/json", headers=headers
        )
    return Response(
        error.message,
        error.status,
        media_type="text/plain" if error.message else None,
        headers=headers,
    )


def error_page(status: int, message: str, version: str) -> str:
    phrase = HTTPStatus(status).phrase
    detail = html.escape(message or phrase)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        f"  <title>{status} - Sonatype Nexus Repository</title>\n"
        '  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>\n'
        '</head>\n<body>\n<div class="nexus-header">\n'
        '  <div class="product-name">Sonatype Nexus Repository</div>\n'
        f'  <div class="product-spec">OSS {html.escape(version)}</div>\n</div>\n'
        '<div class="nexus-body">\n  <div class="content-header">\n'
        f'    <div class="title">Error {status}</div>\n'
        f'    <div class="description">{html.escape(phrase)}</div>\n  </div>\n'
        f'  <div class="content-body">\n    <div class="content-section">\n'
        f"      {detail}\n    </div>\n  </div>\n</div>\n</body>\n</html>\n"
    )
