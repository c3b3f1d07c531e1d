"""Find every reference to a package index in a project tree, and classify it.

Each file kind has its own module with one parser; `tree` reads files and classifies what
the parsers found; `urls` holds the matching rules and secret masking.
"""

from nexus_cutover.scan.context import scan_context
from nexus_cutover.scan.dockerfile import run_commands
from nexus_cutover.scan.kinds import detect_kind
from nexus_cutover.scan.model import (
    Classification,
    CredentialFinding,
    FileKind,
    IndexReference,
    Purpose,
    ScanContext,
    ScanProblem,
    ScanResult,
)
from nexus_cutover.scan.pypirc import PypircServer, pypirc_servers
from nexus_cutover.scan.render import render_text, result_to_json
from nexus_cutover.scan.tree import SKIP_DIRS, scan_file, scan_tree
from nexus_cutover.scan.urls import classify_url, mask_url

__all__ = [
    "SKIP_DIRS",
    "Classification",
    "CredentialFinding",
    "FileKind",
    "IndexReference",
    "Purpose",
    "PypircServer",
    "ScanContext",
    "ScanProblem",
    "ScanResult",
    "classify_url",
    "detect_kind",
    "mask_url",
    "pypirc_servers",
    "render_text",
    "result_to_json",
    "run_commands",
    "scan_context",
    "scan_file",
    "scan_tree",
]
