"""`scan`: every place a project tree names a package index, classified."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from nexus_cutover.cli.app import command_parser
from nexus_cutover.errors import CutoverError, ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from nexus_cutover.config import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        commands,
        "scan",
        help="list every reference to a package index in project trees",
        description="Scan pip.conf, requirements, pyproject/setup.cfg/tox.ini, .pypirc,"
        " Dockerfiles, GitHub Actions, GitLab CI, Jenkinsfiles and shell scripts for package"
        " index URLs, classify each (old index, Nexus group, other Nexus repository, unknown)"
        " and list committed credentials (never their values). Exit code 1 while any file"
        " still names the old index.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument(
        "--old-index",
        action="append",
        default=[],
        metavar="URL",
        help="a URL of the old index (repeatable; default: expected.old_index_urls)",
    )
    parser.add_argument(
        "--nexus-repository-url",
        metavar="URL",
        help="the Nexus repository base URL (default: nexus.repository_url)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from nexus_cutover import scan

    old = tuple(args.old_index) or settings.expected.old_index_urls
    base = args.nexus_repository_url or settings.nexus.repository_base
    context = scan.ScanContext(
        old_indexes=old,
        nexus_bases=(base, *settings.expected.nexus_aliases),
        group=settings.expected.group.name,
        hosted=settings.expected.hosted.name,
    )
    results = []
    for path in args.paths:
        if not path.exists():
            raise CutoverError(f"{path}: no such file or folder")
        results.append(
            scan.scan_tree(path, context)
            if path.is_dir()
            else scan.scan_file(path, path.parent, context)
        )
    if args.json:
        data = {
            "config_file": str(settings.config_file) if settings.config_file else None,
            "nexus_repository_url": base,
            **scan.result_to_json(results, old),
        }
        print(json.dumps(data, indent=2))
    else:
        from nexus_cutover.cli.app import config_line

        console.print(
            f"{config_line(settings)}; old index {', '.join(old)}; Nexus {base}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        scan.render_text(results, console)
    old_refs = any(r.classification == "old-index" for res in results for r in res.references)
    return ExitCode.FAILED if old_refs else ExitCode.OK
