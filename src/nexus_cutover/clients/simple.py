"""Reading PEP 503 simple indexes (pypiserver and Nexus serve the same HTML shape)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import requests
from packaging.utils import canonicalize_name

from nexus_cutover.clients.http import fetch, fetch_many
from nexus_cutover.errors import ServerError

__all__ = ["Link", "fetch", "parse_links", "project_links", "project_links_many"]


@dataclass(frozen=True)
class Link:
    filename: str
    url: str  # absolute, without the fragment
    hashes: dict[str, str]
    requires_python: str | None

    @property
    def sha256(self) -> str | None:
        return self.hashes.get("sha256")


def parse_links(html: str, page_url: str) -> list[Link]:
    """The anchors of a PEP 503 page (pypi-simple parses it): file name, absolute URL without
    the fragment, the fragment's hash, and data-requires-python."""
    from pypi_simple import ProjectPage  # imported on first use: it loads BeautifulSoup

    page = ProjectPage.from_html("", html, page_url)
    return [
        Link(
            _filename(package.url) or package.filename,
            package.url,
            dict(package.digests),
            package.requires_python,
        )
        for package in page.packages
    ]


def _filename(url: str) -> str:
    """The file name as pip takes it: the URL path's last part, unquoted (not the link text)."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


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
