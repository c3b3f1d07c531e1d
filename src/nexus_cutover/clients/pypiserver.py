"""Client for the old index: a running pypiserver (health, `/packages/` inventory, files)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import requests

from nexus_cutover.clients.simple import fetch, parse_links
from nexus_cutover.dists import (
    DistFile,
    Inventory,
    inventory_folder,
    is_distribution,
    parse_filename,
)
from nexus_cutover.errors import CutoverError, DistributionError, UnreachableError
from nexus_cutover.guardrails.stragglers import tool_agent
from nexus_cutover.target import PypiserverEndpoint


class PypiserverClient:
    def __init__(self, endpoint: PypiserverEndpoint, timeout: float = 30.0) -> None:
        if not endpoint.url:
            raise CutoverError("no pypiserver URL is configured (pypiserver.url)")
        self.url = endpoint.url.rstrip("/")
        self.session = requests.Session()
        # Tells this tool's requests apart from clients' in pypiserver's log (stragglers).
        self.session.headers["User-Agent"] = tool_agent()
        if endpoint.credentials:
            self.session.auth = endpoint.credentials.as_tuple()
        self.timeout = timeout

    def answers(self) -> bool:
        """True when anything answers at the URL (the welcome page is never protected)."""
        try:
            fetch(self.session, f"{self.url}/", "pypiserver", timeout=5.0)
        except UnreachableError:
            return False
        return True

    def inventory(self) -> Inventory:
        """Every file from `/packages/`, with the sha256 computed from the downloaded bytes."""
        response = fetch(
            self.session, f"{self.url}/packages/", "pypiserver package list", self.timeout
        )
        files, problems = [], []
        for link in parse_links(response.text, response.url):
            if not is_distribution(link.filename):
                continue
            try:
                project, version = parse_filename(link.filename)
            except DistributionError as error:
                problems.append(str(error))
                continue
            data = self.download(link.url)
            files.append(
                DistFile(
                    project, version, link.filename, hashlib.sha256(data).hexdigest(), len(data)
                )
            )
        return Inventory(tuple(files), tuple(problems))

    def download(self, url: str) -> bytes:
        return fetch(self.session, url, "pypiserver download", self.timeout).content


def old_inventory(endpoint: PypiserverEndpoint, archive_dir: Path | None = None) -> Inventory:
    """What the old index holds: its packages folder if readable, else its `/packages/` list.

    After decommissioning the folder is gone and the archive stands in for it.
    """
    for folder in (endpoint.packages_dir, archive_dir):
        if folder is not None and folder.is_dir():
            return inventory_folder(folder)
    if endpoint.url:
        return PypiserverClient(endpoint).inventory()
    raise CutoverError(
        "the old index cannot be read: set pypiserver.url or"
        " pypiserver.packages_dir (or clients.archive_dir after decommissioning)"
    )
