"""Reading PEP 503 simple indexes (pypiserver and Nexus serve the same HTML shape)."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

import requests
from packaging.utils import canonicalize_name

from nexus_cutover.errors import AuthError, NotFoundError, ServerError, UnreachableError


@dataclass(frozen=True)
class Link:
    filename: str
    url: str  # absolute, without the fragment
    hashes: dict[str, str]
    requires_python: str | None

    @property
    def sha256(self) -> str | None:
        return self.hashes.get("sha256")


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open, "".join(self._text).strip()))
            self._open = None


def parse_links(html: str, page_url: str) -> list[Link]:
    parser = _AnchorParser()
    parser.feed(html)
    links = []
    for attrs, text in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        url, fragment = urldefrag(urljoin(page_url, href))
        hashes = dict([fragment.split("=", 1)]) if "=" in fragment else {}
        filename = url.rsplit("/", 1)[-1] or text
        links.append(Link(filename, url, hashes, attrs.get("data-requires-python")))
    return links


def project_page_url(index_url: str, project: str) -> str:
    return f"{index_url.rstrip('/')}/{canonicalize_name(project)}/"


def fetch(
    session: requests.Session, url: str, what: str, timeout: float = 30.0, method: str = "GET"
) -> requests.Response:
    """One HTTP request whose failures become one-line errors naming the URL."""
    try:
        response = session.request(method, url, timeout=timeout, allow_redirects=True)
    except requests.exceptions.SSLError:
        raise UnreachableError(f"{what}: TLS failure talking to {url}", url=url) from None
    except requests.exceptions.Timeout:
        raise UnreachableError(f"{what}: {url} timed out", url=url) from None
    except requests.exceptions.ConnectionError:
        raise UnreachableError(f"{what}: cannot reach {url}: connection failed", url=url) from None
    except requests.exceptions.RequestException as error:
        # A body cut short (ChunkedEncodingError, ContentDecodingError): the answer is unusable.
        raise UnreachableError(
            f"{what}: the answer from {url} broke off ({type(error).__name__})", url=url
        ) from None
    if response.status_code == 401:
        raise AuthError(
            f"{what}: {url} answered 401: credentials missing or wrong", url=url, status=401
        )
    if response.status_code == 404:
        raise NotFoundError(f"{what}: {url} answered 404", url=url, status=404)
    if response.status_code >= 400:
        raise ServerError(
            f"{what}: {url} answered {response.status_code} {response.reason}",
            url=url,
            status=response.status_code,
        )
    return response


def project_links(
    session: requests.Session, index_url: str, project: str, timeout: float = 30.0
) -> list[Link]:
    url = project_page_url(index_url, project)
    response = fetch(session, url, f"simple index of '{project}'", timeout)
    return parse_links(response.text, response.url)


def root_projects(session: requests.Session, index_url: str, timeout: float = 30.0) -> list[str]:
    url = f"{index_url.rstrip('/')}/"
    response = fetch(session, url, "simple root index", timeout)
    return [
        canonicalize_name(link.url.rstrip("/").rsplit("/", 1)[-1])
        for link in parse_links(response.text, response.url)
    ]
