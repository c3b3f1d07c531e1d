"""/v1/read-only: the node's read-only state, freeze, release and force-release (3.77
`FreezeResource`; the 3.97 client has no model for it).

GET needs a known user (anonymous counts while anonymous access is on); `summaryReason` is only
filled for callers with `nexus:settings:read`. The three POSTs need `nexus:*` (nx-all): 204
when the state changed, 404 with no body when the node already was in that state.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from ..errors import MappedError
from .support import Call, json_response, no_content, rest

LOG_SOURCE = "org.sonatype.nexus.internal.app.FreezeServiceImpl"
SETTINGS_READ = "nexus:settings:read"


def get_state(call: Call) -> Response:
    anonymous_on = bool(call.runtime.security.anonymous().get("enabled"))
    call.subject.demand(call.subject.authenticated or anonymous_on)
    detailed = call.subject.permits(SETTINGS_READ)
    return json_response(call.runtime.freeze.state(detailed))


def freeze(call: Call) -> Response:
    call.subject.require("nexus:*")
    if not call.runtime.freeze.freeze(call.subject.user_id, "REST request"):
        raise MappedError(404)
    call.runtime.app_log.info(LOG_SOURCE, "Freeze requested: REST request", call.subject.user_id)
    return no_content()


def release(call: Call) -> Response:
    call.subject.require("nexus:*")
    if not call.runtime.freeze.release():
        raise MappedError(404)
    call.runtime.app_log.info(LOG_SOURCE, "Freeze released", call.subject.user_id)
    return no_content()


READ_ONLY = "/v1/read-only"

routes = [
    Route(READ_ONLY, rest(get_state), methods=["GET"]),
    Route(READ_ONLY + "/freeze", rest(freeze), methods=["POST"]),
    Route(READ_ONLY + "/release", rest(release), methods=["POST"]),
    # Only administrator requests exist here, so force-release does what release does.
    Route(READ_ONLY + "/force-release", rest(release), methods=["POST"]),
]
