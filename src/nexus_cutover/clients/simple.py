"""Reading PEP 503 simple indexes (pypiserver and Nexus serve the same HTML shape)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

import requests
from packaging.utils import canonicalize_name

from nexus_cutover.clients.http import fetch, fetch_many
from nexus_cutover.errors import ServerError

__all__ = ["Link", "fetch", "parse_links", "project_links", "project_links_many", "root_projects"]


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


def project_links(
    session: requests.Session, index_url: str, project: str, timeout: float = 30.0
) -> list[Link]:
    url = project_page_url(index_url, project)
    response = fetch(session, url, f"simple index of '{project}'", timeout)
    return parse_links(response.text, response.url)


def project_links_many(
    session: requests.Session,
    index_url: str,
    projects: Iterable[str],
    workers: int | None = None,
    timeout: float | None = None,
) -> dict[str, list[Link] | ServerError]:
    """Each project's page of a simple index, read concurrently on the session's keep-alive
    pool: its links, or the error that reading it gave (a NotFoundError: no such project)."""
    names = sorted(set(map(canonicalize_name, projects)))
    pages = [(project_page_url(index_url, name), f"simple index of '{name}'") for name in names]
    answers = fetch_many(session, pages, workers, timeout)
    return {
        name: answer if isinstance(answer, ServerError) else parse_links(answer.text, answer.url)
        for name, answer in zip(names, answers, strict=True)
    }


def root_projects(session: requests.Session, index_url: str, timeout: float = 30.0) -> list[str]:
    url = f"{index_url.rstrip('/')}/"
    response = fetch(session, url, "simple root index", timeout)
    return [
        canonicalize_name(link.url.rstrip("/").rsplit("/", 1)[-1])
        for link in parse_links(response.text, response.url)
    ]
