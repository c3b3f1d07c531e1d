"""Before any work: is each server there, does TLS hold, are the credentials accepted?

One request per server, so a wrong password or an unreachable host is one clear line and
exit code 2 up front, not forty failing checks or a stream of per-file 401s.
"""

from __future__ import annotations

import requests

from nexus_cutover.clients.simple import fetch
from nexus_cutover.errors import AuthError, ConfigError, ServerError
from nexus_cutover.guardrails.stragglers import tool_agent
from nexus_cutover.target import NexusEndpoint, PypiserverEndpoint


def nexus_login(endpoint: NexusEndpoint) -> None:
    """The configured user can log in to Nexus (a 403 still proves the login worked)."""
    credentials = endpoint.credentials
    if credentials is None:
        raise ConfigError(
            f"no password given for the Nexus user at {endpoint.url}: set NEXUS_PASSWORD"
            " or nexus.password_file"
        )
    url = f"{endpoint.rest_url}/v1/status/check"
    with requests.Session() as session:
        session.auth = credentials.as_tuple()
        session.verify = endpoint.verify
        try:
            fetch(session, url, "Nexus login", endpoint.timeout)
        except AuthError:
            raise AuthError(
                f"Nexus at {endpoint.url} refused user '{credentials.user}' (401): the user or"
                " its password is wrong",
                url=url,
                status=401,
            ) from None
        except ServerError as error:
            if error.status != 403:  # 403: logged in, only not allowed to read health checks
                raise


def pypiserver_reachable(endpoint: PypiserverEndpoint) -> None:
    """The old index answers its package list (with its user, when one is configured)."""
    if not endpoint.url:
        return
    url = f"{endpoint.url.rstrip('/')}/simple/"
    with requests.Session() as session:
        session.headers["User-Agent"] = tool_agent()  # not a client, in pypiserver's log
        if endpoint.credentials:
            session.auth = endpoint.credentials.as_tuple()
        try:
            fetch(session, url, "pypiserver package list", 30.0)
        except AuthError:
            who = f"user '{endpoint.credentials.user}'" if endpoint.credentials else "no user"
            raise AuthError(
                f"pypiserver at {endpoint.url} refused {who}: set pypiserver.user and"
                " PYPISERVER_PASSWORD (or pypiserver.password_file)",
                url=url,
                status=401,
            ) from None
