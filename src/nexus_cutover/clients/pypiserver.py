"""Client for the old index: a running pypiserver (health, `/packages/` inventory, files)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nexus_cutover.clients.http import digest_many, fetch, pypiserver_session
from nexus_cutover.clients.simple import parse_links
from nexus_cutover.dists import (
    DistFile,
    Inventory,
    inventory_folder,
    is_distribution,
    parse_filename,
)
from nexus_cutover.errors import CutoverError, DistributionError, UnreachableError
from nexus_cutover.target import PypiserverEndpoint


class PypiserverClient:
    def __init__(self, endpoint: PypiserverEndpoint, timeout: float | None = None) -> None:
        if not endpoint.url:
            raise CutoverError("no pypiserver URL is configured (pypiserver.url)")
        self.endpoint = endpoint
        self.url = endpoint.url.rstrip("/")
        self.session = pypiserver_session(endpoint)
        self.timeout = timeout or endpoint.timeout

    def answers(self) -> bool:
        """True when anything answers at the URL (the welcome page is never protected).

        Asked once, without retries: "nothing listens there" is the answer wanted after
        decommissioning, not a fault to wait out.
        """
        once = replace(self.endpoint, http=self.endpoint.http.model_copy(update={"retries": 0}))
        try:
            with pypiserver_session(once, pool_size=1) as session:
                fetch(session, f"{self.url}/", "pypiserver", 5.0)
        except UnreachableError:
            return False
        return True

    def inventory(self) -> Inventory:
        """Every file from `/packages/`, with the sha256 computed from the downloaded bytes
        (streamed, concurrently on keep-alive connections)."""
        response = fetch(
            self.session, f"{self.url}/packages/", "pypiserver package list", self.timeout
        )
        named, problems = [], []
        for link in parse_links(response.text, response.url):
            if not is_distribution(link.filename):
                continue
            try:
                named.append((link, *parse_filename(link.filename)))
            except DistributionError as error:
                problems.append(str(error))
        digests = digest_many(
            self.session,
            [(link.url, f"pypiserver download of {link.filename}") for link, *_ in named],
        )
        files = []
        for (link, project, version), digest in zip(named, digests, strict=True):
            if digest.error is not None:
                raise digest.error
            files.append(
                DistFile(project, version, link.filename, digest.sha256 or "", digest.size)
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
