"""/v1/status, /v1/status/writable and /v1/status/check."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .support import Call, json_response, rest


async def status(_: Request) -> Response:
    return Response(status_code=200)


async def writable(request: Request) -> Response:
    """503 while the node is read-only (frozen), as Nexus's StatusResource."""
    frozen = request.app.state.runtime.freeze.request is not None
    return Response(status_code=503 if frozen else 200)


def _result(message: str, started: float, healthy: bool = True) -> dict[str, Any]:
    """Dropwizard HealthCheck.Result as JSON."""
    now = datetime.now(UTC)
    return {
        "healthy": healthy,
        "message": message,
        "error": None,
        "details": None,
        "time": int(now.timestamp() * 1000),
        "duration": int(time.monotonic() - started),
        "timestamp": now.isoformat(timespec="milliseconds"),
    }


def status_check(call: Call) -> Response:
    call.subject.require("nexus:metrics:read")
    started = time.monotonic()
    runtime = call.runtime
    count, size = runtime.blobs.usage()
    frozen = runtime.freeze.request is not None
    checks = {
        "Available CPUs": _result(
            f"The host system is allocating a maximum of "
            f"{os.cpu_count()} cores to the application.",
            started,
        ),
        "Blob Stores": _result(
            f"All 1 blob stores are available ({count} blobs, {size} bytes).", started
        ),
        "DB": _result("The database is available.", started),
        "File Descriptors": _result("The file descriptor limit is adequate.", started),
        "Lifecycle Phase": _result("STARTED", started),
        "Read-Only Detector": _result(
            "Nexus Repository Manager is in read-only mode."
            if frozen
            else "Nexus is not in read-only mode.",
            started,
            healthy=not frozen,
        ),
        "Scheduler": _result("The scheduler is running.", started),
    }
    return json_response(dict(sorted(checks.items())))


routes = [
    Route("/v1/status", status, methods=["GET"]),
    Route("/v1/status/writable", writable, methods=["GET"]),
    Route("/v1/status/check", rest(status_check), methods=["GET"]),
]
