"""What the scanner compares references with, taken from a target."""

from __future__ import annotations

from nexus_cutover.scan.model import ScanContext
from nexus_cutover.target import Target


def scan_context(target: Target) -> ScanContext:
    expected = target.expected
    return ScanContext(
        old_indexes=tuple(expected.old_index_urls)
        + ((target.pypiserver.url,) if target.pypiserver.url else ()),
        nexus_bases=(target.nexus.repository_url, *expected.nexus_aliases),
        group=expected.group.name,
        hosted=expected.hosted.name,
    )
