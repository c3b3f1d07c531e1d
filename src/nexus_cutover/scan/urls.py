"""Index URL matching and secret masking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from nexus_cutover.scan.model import Classification, ScanContext

MASK = "****"
_DEFAULT_PORTS = {"http": 80, "https": 443}

# ${VAR}, $VAR, ${{ expr }}, $(cmd), tox {env:X}, Jenkins/Groovy ${env.X}: a value filled in later
_VARIABLE = re.compile(r"(?:\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_]\w*|\{env:[^}]*\})+")
_AUTHORITY = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<authority>[^/?#\s\"'<>]*)")
_SECRET_QUERY = re.compile(
    r"(?P<key>[?&](?:token|access_token|private_token|password|api_key|apikey|secret)=)"
    r"(?P<value>[^&#\s\"']+)",
    re.IGNORECASE,
)
_TOKEN_PREFIXES = ("ghp_", "gho_", "ghs_", "github_pat_", "glpat-", "pypi-", "AKIA", "xox")
URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>`\\]+")


def is_variable(value: str) -> bool:
    """True when the whole value is one or more variable references (no literal secret)."""
    return bool(value) and _VARIABLE.fullmatch(value) is not None


def has_variable(value: str) -> bool:
    return "$" in value or "{env:" in value


def looks_like_token(value: str) -> bool:
    """A username that is really an access token (`https://<token>@host/simple`)."""
    if is_variable(value):
        return False
    if value.startswith(_TOKEN_PREFIXES) or value == "__token__":
        return True
    return len(value) >= 20 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _secret_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in _AUTHORITY.finditer(text):
        authority = match["authority"]
        if "@" not in authority:
            continue
        start = match.start("authority")
        userinfo = authority.rsplit("@", 1)[0]
        user, colon, password = userinfo.partition(":")
        if colon and password and not is_variable(password):
            spans.append((start + len(user) + 1, start + len(userinfo)))
        elif not colon and looks_like_token(user):
            spans.append((start, start + len(user)))
    for match in _SECRET_QUERY.finditer(text):
        if not is_variable(match["value"]):
            spans.append((match.start("value"), match.end("value")))
    return sorted(spans)


def mask_url(url: str) -> str:
    """`url` with the userinfo password (or a token used as username, or a token query
    parameter) replaced by ****. Variable references such as ${CI_JOB_TOKEN} are not
    secrets and stay visible."""
    masked, last = [], 0
    for start, end in _secret_spans(url):
        masked.append(url[last:start])
        masked.append(MASK)
        last = end
    masked.append(url[last:])
    return "".join(masked)


def has_credentials(url: str) -> bool:
    return bool(_secret_spans(url))


@dataclass(frozen=True)
class Endpoint:
    scheme: str | None  # None for a bare `host[:port]` (a trusted-host entry)
    host: str
    port: int | None  # None: any port (trusted-host without a port)
    path: str  # percent-decoded


def endpoint(value: str) -> Endpoint | None:
    """Host, port and path of a URL or of a `host[:port]` entry; None when the host or port
    is a variable, a placeholder, or missing."""
    value = value.strip().strip("\"'")
    scheme_given = "://" in value
    try:
        parts = urlsplit(value if scheme_given else f"//{value}")
        port = parts.port
    except ValueError:
        return None
    host = unquote(parts.hostname or "")
    if not host or any(c in host for c in "${}<>%"):
        return None
    scheme = parts.scheme.lower() if scheme_given else None
    if port is None and scheme is not None:
        if scheme not in _DEFAULT_PORTS:
            return None
        port = _DEFAULT_PORTS[scheme]
    return Endpoint(scheme, host.lower(), port, unquote(parts.path))


def _under(path: str, prefix: str) -> bool:
    path, prefix = path.rstrip("/"), prefix.rstrip("/")
    return not prefix or path == prefix or path.startswith(prefix + "/")


def _same_server(ep: Endpoint, base: Endpoint) -> bool:
    return ep.host == base.host and (ep.port is None or ep.port == base.port)


@lru_cache(maxsize=64)
def _old_bases(urls: tuple[str, ...]) -> tuple[Endpoint, ...]:
    bases = []
    for url in urls:
        ep = endpoint(url)
        if ep is None:
            continue
        path = ep.path.rstrip("/")
        for tail in ("/simple", "/packages"):
            path = path.removesuffix(tail)
        bases.append(Endpoint(ep.scheme, ep.host, ep.port, path))
    return tuple(bases)


@lru_cache(maxsize=64)
def _nexus_bases(urls: tuple[str, ...]) -> tuple[Endpoint, ...]:
    bases = []
    for url in urls:
        ep = endpoint(url)
        if ep is not None:
            path = ep.path.split("/repository/", 1)[0].rstrip("/")
            bases.append(Endpoint(ep.scheme, ep.host, ep.port, path))
    return tuple(bases)


def server_matches(ep: Endpoint, ctx: ScanContext) -> tuple[bool, Classification | None]:
    """(names an old index, Nexus classification or None)."""
    old = any(_same_server(ep, b) and _under(ep.path, b.path) for b in _old_bases(ctx.old_indexes))
    for base in _nexus_bases(ctx.nexus_bases):
        if _same_server(ep, base) and _under(ep.path, base.path):
            if ep.scheme is None and not ep.path:
                # a trusted-host entry: trusting the host is what the group URL needs
                return old, "nexus-group"
            rel = ep.path[len(base.path.rstrip("/")) :]
            in_group = _under(rel, f"/repository/{ctx.group}")
            return old, "nexus-group" if in_group else "nexus-other"
    return old, None


def classify_url(url: str, ctx: ScanContext) -> Classification:
    """Classify an index URL, or a `host[:port]` trusted-host entry.

    A port-less host entry that names both an old index host and a Nexus host (both on
    `localhost`) counts as Nexus here; the scanner decides such entries from the other URLs
    of the same file.
    """
    ep = endpoint(url)
    if ep is None:
        return "unknown"
    old, nexus = server_matches(ep, ctx)
    if old and (nexus is None or ep.port is not None):
        return "old-index"
    return nexus or "unknown"
