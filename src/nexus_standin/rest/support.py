"""Shared plumbing of the REST endpoints: blocking handlers, JSON in and out, paging tokens."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ..auth import Subject, authenticate
from ..config import MAX_FORM_PART
from ..errors import NexusError, ValidationFailed
from ..runtime import Runtime

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Call:
    """One REST request as a blocking handler sees it."""

    request: Request
    runtime: Runtime
    subject: Subject
    body: bytes
    form: FormData | None

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise ValidationFailed([("*", "Unable to parse the request body as JSON")]) from None

    @property
    def base_url(self) -> str:
        return str(self.request.base_url).rstrip("/")

    @property
    def client_ip(self) -> str:
        return self.request.client.host if self.request.client else "-"


Handler = Callable[[Call], Response]


def rest(handler: Handler, *, form: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a blocking handler: read the body here, authenticate and run it in the threadpool."""

    async def endpoint(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        body = b""
        parsed: FormData | None = None
        if form:
            parsed = await request.form(max_part_size=MAX_FORM_PART)
        elif request.method in ("POST", "PUT"):
            body = await request.body()
        try:
            return await run_in_threadpool(_run, handler, request, runtime, body, parsed)
        finally:
            if parsed is not None:
                await parsed.close()

    return endpoint


def _run(
    handler: Handler, request: Request, runtime: Runtime, body: bytes, form: FormData | None
) -> Response:
    subject = authenticate(request, runtime.auth)
    return handler(Call(request, runtime, subject, body, form))


def json_response(payload: Any, status: int = 200) -> Response:
    """JSON the way Nexus's Jackson writes it: pretty printed, `"key" : value`."""
    text = json.dumps(payload, indent=2, separators=(",", " : "))
    return Response(text, status, media_type="application/json")


def no_content() -> Response:
    return Response(status_code=204)


def dump(model: BaseModel, keep_null: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A model as Nexus JSON: camelCase keys, nulls only where Nexus writes them."""
    raw: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    pruned: dict[str, Any] = _prune(raw, keep_null)
    return pruned


def _prune(value: Any, keep_null: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: _prune(item, keep_null)
            for key, item in value.items()
            if item is not None or key in keep_null
        }
    if isinstance(value, list):
        return [_prune(item, keep_null) for item in value]
    return value


def parse_model(model: type[ModelT], data: Any) -> ModelT:
    """Validate a request body with its API model; errors as Nexus's `PARAMETER <field>` list."""
    if not isinstance(data, dict):
        raise ValidationFailed([("*", "A JSON object is required")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed([_violation(error) for error in exc.errors()]) from None


def _violation(error: Any) -> tuple[str, str]:
    field = next((str(part) for part in reversed(error["loc"]) if isinstance(part, str)), "*")
    context = error.get("ctx") or {}
    messages = {
        "missing": "must not be null",
        "greater_than_equal": f"must be greater than or equal to {context.get('ge')}",
        "less_than_equal": f"must be less than or equal to {context.get('le')}",
        "too_short": f"size must be between {context.get('min_length')} and 2147483647",
    }
    message = messages.get(error["type"], str(error["msg"]).removeprefix("Value error, "))
    return f"PARAMETER {field}", message


def encode_token(last_id: int) -> str:
    return f"{last_id:032x}"


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(token, 16)
    except ValueError:
        raise NexusError(406, "Invalid continuation token") from None


def next_token(count: int, page_size: int, last_id: int) -> str | None:
    """Nexus: a token whenever the page is full, null once a page comes back short."""
    return encode_token(last_id) if count >= page_size else None


def item_id(repository: str, ext_id: str) -> str:
    raw = f"{repository}:{ext_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_item_id(value: str) -> tuple[str, str]:
    try:
        padded = value + "=" * (-len(value) % 4)
        decoded = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise NexusError(404) from None
    parts = decoded.split(":")
    if len(parts) != 2:
        raise NexusError(422, f"Unable to parse RepositoryItemIDXO {value}")
    return parts[0], parts[1]
