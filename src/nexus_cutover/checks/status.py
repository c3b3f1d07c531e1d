"""PRE-1, TS-1, TS-5: Nexus answers, is writable, and accepts the credentials."""

from __future__ import annotations

from nexus_cutover.checks import Proof
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.errors import AuthError, ForbiddenError, ServerError

# What GET /v1/status/check demands (StatusResource: @RequiresPermissions("nexus:metrics:read")),
# granted by the privilege nx-metrics-all (or nx-all, as admin has).
CHECK_PERMISSION = "nexus:metrics:read"
CHECK_PRIVILEGE = "nx-metrics-all"


def nexus_answers(client: NexusClient, *, need_writable: bool = True) -> Proof:
    url = client.endpoint.rest_url
    who = "with the configured user" if client.endpoint.credentials else "anonymously"
    try:
        if not client.readable():
            return Proof.failed(
                f"{url}/v1/status answered 503: Nexus is up but cannot serve reads;"
                " check its nexus.log and disk space"
            )
        if need_writable and not client.writable():
            return Proof.failed(
                f"{url}/v1/status/writable answered 503: Nexus is read-only (frozen or"
                " database in read-only mode); release it before migrating"
            )
    except ServerError as error:
        return Proof.failed(f"{error}; is Nexus running at {client.endpoint.url}?")
    answered = "/v1/status and /v1/status/writable" if need_writable else "/v1/status"
    return Proof.passed(f"GET {url}{answered} answered 200 ({who})")


def credentials_accepted(client: NexusClient) -> Proof:
    """TS-5: a 200 from an endpoint that needs a login, for the configured user."""
    credentials = client.endpoint.credentials
    if credentials is None:
        return Proof.failed(
            "no Nexus credentials configured: set NEXUS_PASSWORD or nexus.password_file"
        )
    url = f"{client.endpoint.rest_url}/v1/status/check"
    try:
        client.check_credentials()
    except AuthError:
        return Proof.failed(
            f"GET {url} answered 401 for user '{credentials.user}': the user or password"
            " is wrong, or the user is disabled; fix NEXUS_PASSWORD / nexus.password_file"
        )
    except ForbiddenError:
        return Proof.failed(
            f"GET {url} answered 403 for user '{credentials.user}': the login works but the"
            f" user lacks the privilege {CHECK_PRIVILEGE} ({CHECK_PERMISSION}) that this"
            " check needs; grant it through a role (Settings > Security > Roles)"
        )
    except ServerError as error:
        return Proof.failed(str(error))
    return Proof.passed(f"GET {url} (needs a login) answered 200 for user '{credentials.user}'")
