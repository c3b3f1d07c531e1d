"""Assembles the Starlette application: routes, error rendering, request log."""

from __future__ import annotations

import traceback

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from .config import InstanceConfig
from .errors import FrozenError, NexusError, error_response
from .logs import SYSTEM_USER, USER_SCOPE_KEY, RequestLogMiddleware
from .pypi import routes as pypi_routes
from .rest import admin as rest_admin
from .rest import components as rest_components
from .rest import ldap as rest_ldap
from .rest import privileges as rest_privileges
from .rest import readonly as rest_readonly
from .rest import repositories as rest_repositories
from .rest import roles as rest_roles
from .rest import routing_rules as rest_routing_rules
from .rest import search as rest_search
from .rest import security as rest_security
from .rest import status as rest_status
from .rest import usage as rest_usage
from .runtime import Runtime, build_runtime
from .store.usage import UsageLimits


def create_app(config: InstanceConfig) -> Starlette:
    runtime = build_runtime(config)
    rest_routes: list[BaseRoute] = [
        *rest_status.routes,
        *rest_repositories.routes,
        *rest_components.routes,
        *rest_search.routes,
        *rest_security.routes,
        *rest_roles.routes,
        *rest_privileges.routes,
        *rest_ldap.routes,
        *rest_admin.routes,
        *rest_readonly.routes,
        *rest_routing_rules.routes,
        *rest_usage.routes,
    ]
    app = Starlette(
        routes=[Mount("/service/rest", routes=rest_routes), *pypi_routes.routes],
        middleware=[
            Middleware(
                RequestLogMiddleware, log=runtime.request_log, server_header=config.server_header
            ),
            Middleware(UsageCountMiddleware, usage=runtime.usage),
        ],
        exception_handlers={
            NexusError: _nexus_error,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
    )
    app.state.runtime = runtime
    return app


class UsageCountMiddleware:
    """Counts repository requests for the opt-in Community Edition request limit."""

    def __init__(self, app: ASGIApp, usage: UsageLimits) -> None:
        self._app = app
        self._usage = usage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith("/repository/"):
            self._usage.count_request()
        await self._app(scope, receive, send)


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _nexus_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NexusError)
    repository_path = request.url.path.startswith("/repository/")
    if isinstance(exc, FrozenError):
        _log_frozen(request, exc, repository_path)
    return error_response(
        exc, repository_path=repository_path, version=_runtime(request).config.nexus_version
    )


def _log_frozen(request: Request, exc: FrozenError, repository_path: bool) -> None:
    """The WARN lines Nexus writes (3.77 `ExceptionHandler`, `ExceptionMapperSupport`)."""
    log = _runtime(request).app_log
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
    _runtime(request).app_log.warning(
        "org.sonatype.nexus.internal.web.ErrorPageFilter",
        f"{request.method} {request.url.path} failed:\n{lines}",
    )
    return await _nexus_error(request, NexusError(500))
