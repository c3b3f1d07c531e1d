"""PRE-1, TS-1, TS-5: Nexus answers, is writable, and accepts the credentials."""

from __future__ import annotations

from nexus_cutover.checks import Problems
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.errors import ForbiddenError, ServerError


def nexus_answers(client: NexusClient, *, need_writable: bool = True) -> Problems:
    url = client.endpoint.rest_url
    try:
        if not client.readable():
            return [
                f"{url}/v1/status answered 503: Nexus is up but cannot serve reads;"
                " check its nexus.log and disk space"
            ]
        if need_writable and not client.writable():
            return [
                f"{url}/v1/status/writable answered 503: Nexus is read-only (frozen or"
                " database in read-only mode); release it before migrating"
            ]
    except ServerError as error:
        return [f"{error}; is Nexus running at {client.endpoint.url}?"]
    return []


def credentials_accepted(client: NexusClient) -> Problems:
    if client.endpoint.credentials is None:
        return ["no Nexus credentials configured: set NEXUS_PASSWORD or nexus.password_file"]
    try:
        client.check_credentials()
    except ForbiddenError:
        return []  # authenticated; the user only lacks nexus:metrics:read, which is fine
    except ServerError as error:
        return [str(error)]
    return []
