"""Assembles the Starlette application: routes, error rendering, request log."""

from __future__ import annotations

import traceback

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount

from . import (
    pypi_routes,
    rest_admin,
    rest_components,
    rest_ldap,
    rest_readonly,
    rest_repositories,
    rest_search,
    rest_security,
    rest_status,
)
from .config import Settings
from .errors import FrozenError, NexusError, error_response
from .logs import SYSTEM_USER, USER_SCOPE_KEY, RequestLogMiddleware
from .services import Services, build_services


def create_app(settings: Settings) -> Starlette:
    services = build_services(settings)
    rest_routes: list[BaseRoute] = [
        *rest_status.routes,
        *rest_repositories.routes,
        *rest_components.routes,
        *rest_search.routes,
        *rest_security.routes,
        *rest_ldap.routes,
        *rest_admin.routes,
        *rest_readonly.routes,
    ]
    app = Starlette(
        routes=[Mount("/service/rest", routes=rest_routes), *pypi_routes.routes],
        middleware=[
            Middleware(
                RequestLogMiddleware, log=services.request_log, server_header=settings.server_header
            )
        ],
        exception_handlers={
            NexusError: _nexus_error,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
    )
    app.state.services = services
    return app


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _nexus_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NexusError)
    repository_path = request.url.path.startswith("/repository/")
    if isinstance(exc, FrozenError):
        _log_frozen(request, exc, repository_path)
    return error_response(
        exc, repository_path=repository_path, version=_services(request).settings.nexus_version
    )


def _log_frozen(request: Request, exc: FrozenError, repository_path: bool) -> None:
    """The WARN lines Nexus writes (3.77 `ExceptionHandler`, `ExceptionMapperSupport`)."""
    log = _services(request).app_log
    user = str(request.scope.get(USER_SCOPE_KEY, SYSTEM_USER))
    if repository_path:
        log.warning(
            "org.sonatype.nexus.repository.view.handlers.ExceptionHandler",
            f"{exc.message}: {request.method} {request.url.path}:"
            " org.sonatype.nexus.common.app.FrozenException",
            user,
        )
    else:
        log.warning(
            "org.sonatype.nexus.siesta.internal.FrozenExceptionMapper",
            f"(ID {exc.fault_id}) Response: [503] '{exc.message}: (ID {exc.fault_id})';"
            " mapped from: org.sonatype.nexus.common.app.FrozenException",
            user,
        )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return await _nexus_error(
        request, NexusError(exc.status_code, exc.detail if exc.status_code == 400 else "")
    )


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    lines = "".join(traceback.format_exception(exc)).rstrip()
    _services(request).app_log.warning(
        "org.sonatype.nexus.internal.web.ErrorPageFilter",
        f"{request.method} {request.url.path} failed:\n{lines}",
    )
    return await _nexus_error(request, NexusError(500))
