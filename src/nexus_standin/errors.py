"""Errors raised by handlers and the responses Nexus gives for them."""

from __future__ import annotations

import html
import json
from http import HTTPStatus

from starlette.responses import Response

from .http_reason import REASON_HEADER, safe_reason

REALM_CHALLENGE = 'BASIC realm="Sonatype Nexus Repository Manager"'


class NexusError(Exception):
    """An HTTP error; `message` becomes the reason phrase and page text on repository paths."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(message or HTTPStatus(status).phrase)
        self.status = status
        self.message = message


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
        return Response(json.dumps(body, indent=2, separators=(",", " : ")), 400,
                        media_type="application/json", headers=headers)
    if repository_path:
        if error.message:
            headers[REASON_HEADER] = safe_reason(error.message)
        return Response(error_page(error.status, error.message, version), error.status,
                        media_type="text/html", headers=headers)
    return Response(error.message, error.status, media_type="text/plain" if error.message else None,
                    headers=headers)


def error_page(status: int, message: str, version: str) -> str:
    phrase = HTTPStatus(status).phrase
    detail = html.escape(message or phrase)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
        f"  <title>{status} - Sonatype Nexus Repository</title>\n"
        "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"/>\n"
        "</head>\n<body>\n<div class=\"nexus-header\">\n"
        "  <div class=\"product-name\">Sonatype Nexus Repository</div>\n"
        f"  <div class=\"product-spec\">OSS {html.escape(version)}</div>\n</div>\n"
        "<div class=\"nexus-body\">\n  <div class=\"content-header\">\n"
        f"    <div class=\"title\">Error {status}</div>\n"
        f"    <div class=\"description\">{html.escape(phrase)}</div>\n  </div>\n"
        f"  <div class=\"content-body\">\n    <div class=\"content-section\">\n"
        f"      {detail}\n    </div>\n  </div>\n</div>\n</body>\n</html>\n"
    )
