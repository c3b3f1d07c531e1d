"""Before any work: is each server there, does TLS hold, are the credentials accepted?

One request per server, so a wrong password or an unreachable host is one clear line and
exit code 2 up front, not forty failing checks or a stream of per-file 401s.
"""

from __future__ import annotations

import requests

from nexus_cutover.clients.http import fetch, nexus_session, pypiserver_session, unreachable
from nexus_cutover.errors import AuthError, ConfigError, ServerError, UnreachableError
from nexus_cutover.target import NexusEndpoint, PypiserverEndpoint


def nexus_login(endpoint: NexusEndpoint, user: str) -> None:
    """`user` can log in to Nexus (a 403 still proves the login worked)."""
    credentials = endpoint.credentials
    if credentials is None:
        raise ConfigError(
            f"no password given for Nexus user '{user}' at {endpoint.url}: set"
            " NEXUS_PASSWORD or nexus.password_file"
        )
    url = f"{endpoint.rest_url}/v1/status/check"
    with nexus_session(endpoint, pool_size=1) as session:
        try:
            fetch(session, url, "Nexus login", endpoint.timeout)
        except UnreachableError as error:
            raise _with_ca_hint(error, endpoint) from None
        except AuthError:
            raise AuthError(
                f"Nexus at {endpoint.url} refused user '{credentials.user}' (401): check the"
                " user and its password",
                url=url,
                status=401,
            ) from None
        except ServerError as error:
            if error.status != 403:  # 403: logged in, only not allowed to read health checks
                raise


def pypiserver_reachable(endpoint: PypiserverEndpoint, user: str | None) -> None:
    """The old index answers its package list (with its user, when one is configured)."""
    if endpoint.url:
        _pypiserver_check(endpoint, user, endpoint.url.rstrip("/"), [("GET", "/simple/")])


def pypiserver_login(
    endpoint: PypiserverEndpoint, user: str | None, url: str | None = None
) -> None:
    """What `migrate upload --from <pypiserver>` reads answers, and the configured user is
    accepted. pypiserver checks credentials only where it requires them, so given ones are
    proven with the upload protocol's no-op `:action=verify` POST, which changes nothing."""
    base = (url or endpoint.url or "").rstrip("/")
    if base:
        probes = [("GET", "/packages/")] + ([("POST", "/")] if endpoint.credentials else [])
        _pypiserver_check(endpoint, user, base, probes)


def _pypiserver_check(
    endpoint: PypiserverEndpoint, user: str | None, base: str, probes: list[tuple[str, str]]
) -> None:
    credentials = endpoint.credentials
    if credentials is not None and not credentials.user:
        raise ConfigError(f"a pypiserver password is given for {base} but no pypiserver.user")
    if credentials is None and user:
        raise ConfigError(
            f"no password given for pypiserver user '{user}' at {base}: set"
            " PYPISERVER_PASSWORD or pypiserver.password_file"
        )
    who = f"user '{credentials.user}'" if credentials else "no user"
    with pypiserver_session(endpoint, pool_size=1) as session:
        for method, path in probes:
            url = f"{base}{path}"
            status = _status(session, method, url)
            if status in (401, 403):
                raise AuthError(
                    f"pypiserver at {base} refused {who} ({status}): set pypiserver.user and"
                    " PYPISERVER_PASSWORD (or pypiserver.password_file) to a user it accepts",
                    url=url,
                    status=status,
                )
            if status >= 400:
                raise ServerError(f"pypiserver: {url} answered {status}", url=url, status=status)


def _status(session: requests.Session, method: str, url: str) -> int:
    """The HTTP status of one request; a transport failure is one line naming the URL."""
    data = {":action": "verify"} if method == "POST" else None
    try:
        response = session.request(method, url, data=data, timeout=30.0, allow_redirects=True)
    except requests.RequestException as error:
        raise unreachable("pypiserver", url, error) from None
    return response.status_code


def _with_ca_hint(error: UnreachableError, endpoint: NexusEndpoint) -> UnreachableError:
    """A TLS failure names the CA certificates it was checked against, or how to give them."""
    if "TLS failure" not in str(error):
        return error
    if not endpoint.ca_bundle:
        return error  # the transport's message says how to give one
    hint = f" (checked with the CA certificates of {endpoint.ca_bundle}, nexus.ca_bundle)"
    return UnreachableError(f"{error}{hint}", url=error.url, status=error.status)
