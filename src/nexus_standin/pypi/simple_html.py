"""PEP 503 simple index pages: rendering Nexus's pages and reading anybody's."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin


@dataclass(frozen=True)
class Link:
    """One file link: `href` may carry a `#<algo>=<hex>` fragment."""

    filename: str
    href: str
    requires_python: str | None = None


@dataclass(frozen=True)
class RemoteLink:
    filename: str
    url: str  # absolute, without fragment
    fragment: str
    requires_python: str | None


def render_project_page(name: str, links: Iterable[Link]) -> bytes:
    title = html.escape(name)
    rows = []
    for link in links:
        requires = ""
        if link.requires_python:
            requires = f' data-requires-python="{html.escape(link.requires_python)}"'
        rows.append(
            f'    <a href="{html.escape(link.href)}" rel="internal"{requires}>'
            f"{html.escape(link.filename)}</a><br/>\n"
        )
    return _page(title, "".join(rows))


def render_root_page(names: Iterable[str]) -> bytes:
    rows = "".join(
        f'    <a href="{html.escape(name)}/">{html.escape(name)}</a><br/>\n' for name in names
    )
    return _page("Simple Index", rows, heading=False)


def _page(title: str, rows: str, heading: bool = True) -> bytes:
    header = f"<h1>Links for {title}</h1>\n" if heading else ""
    head_title = f"Links for {title}" if heading else title
    return (
        '<html lang="en">\n<head><title>' + head_title + "</title>\n"
        '  <meta name="api-version" value="2"/>\n</head>\n<body>'
        + header
        + rows
        + "</body>\n</html>\n"
    ).encode()


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._current: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._current = dict(attrs)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._current is not None:
            self.anchors.append((self._current, "".join(self._text).strip()))
            self._current = None


def _anchors(page: str) -> list[tuple[dict[str, str | None], str]]:
    parser = _AnchorParser()
    parser.feed(page)
    parser.close()
    return [(attrs, text) for attrs, text in parser.anchors if attrs.get("href")]


def parse_project_page(page: str, page_url: str) -> list[RemoteLink]:
    """File links of a project page, first occurrence of each file name kept."""
    seen: set[str] = set()
    links = []
    for attrs, text in _anchors(page):
        url, fragment = urldefrag(urljoin(page_url, str(attrs["href"])))
        filename = text or url.rstrip("/").rsplit("/", 1)[-1]
        if filename in seen:
            continue
        seen.add(filename)
        links.append(RemoteLink(filename, url, fragment, attrs.get("data-requires-python")))
    return links


def parse_root_page(page: str) -> list[str]:
    names = []
    for attrs, text in _anchors(page):
        href = str(attrs["href"]).rstrip("/")
        names.append(text or href.rsplit("/", 1)[-1])
    return names


def parse_local_page(page: str) -> list[Link]:
    """Links of a page this server rendered (relative hrefs kept as they are)."""
    return [
        Link(text, str(attrs["href"]), attrs.get("data-requires-python"))
        for attrs, text in _anchors(page)
    ]
