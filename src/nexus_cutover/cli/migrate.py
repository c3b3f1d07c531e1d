"""`nexus-cutover migrate <step>`: the guide's steps, each idempotent, each with --dry-run.

Exit codes as in `cli`: 0 done (or nothing to do); 1 the step ran but something is left
(failed files, parity gaps, a refusal); 2 bad input or a server problem, as one line.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from nexus_cutover.cli.app import command_parser

if TYPE_CHECKING:
    from rich.console import Console

    from nexus_cutover.config import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `migrate` and its steps to the top-level parser's subcommands."""
    migrate_parser = command_parser(
        commands,
        "migrate",
        help="do a step of the migration guide (backup, provision, upload, ...)",
        description="The migration guide's steps. Each can be run again: it does only what is"
        " still to do. --dry-run shows what would change and changes nothing.",
    )
    steps = migrate_parser.add_subparsers(dest="migrate_step", metavar="STEP", required=True)
    common = argparse.ArgumentParser(add_help=False)
    from nexus_cutover.cli.app import add_common_options

    add_common_options(common, argparse.SUPPRESS)
    common.add_argument(
        "--dry-run", action="store_true", help="show what would change; change nothing"
    )
    common.add_argument("--no-progress", action="store_true", help="no progress bar")

    backup = steps.add_parser(
        "backup",
        parents=[common],
        help="Step 1: archive the packages"
        " folder (tar.gz with a manifest), verified by reading it back",
    )
    backup.add_argument(
        "--archive",
        type=Path,
        metavar="FILE",
        help="archive to write (default:"
        " clients.backup_archive, else <state>/backups/pypi-packages-backup-"
        "YYYYMMDD.tar.gz)",
    )
    backup.add_argument(
        "--packages",
        type=Path,
        metavar="DIR",
        help="packages folder (default: pypiserver.packages_dir)",
    )

    steps.add_parser(
        "provision",
        parents=[common],
        help="Step 2: create or update the proxy,"
        " hosted and group repositories; shows the drift first; never deletes",
    )

    upload = steps.add_parser(
        "upload",
        parents=[common],
        help="Step 3: upload every distribution file to hosted; skips what is there; resumable",
    )
    upload.add_argument(
        "--from",
        dest="source",
        metavar="DIR|URL",
        help="a packages folder or a pypiserver URL (default: the configured"
        " packages folder, else the configured pypiserver)",
    )
    upload.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="concurrent uploads (default: http.workers, 8)",
    )

    configure = steps.add_parser(
        "configure",
        parents=[common],
        help="Steps 4 and 7: point pip.conf, .pypirc, Dockerfiles and CI files at Nexus",
    )
    configure.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="project folders or files (default: clients.projects,"
        " clients.pip_config_files and clients.pypirc)",
    )

    rollback = steps.add_parser(
        "rollback",
        parents=[common],
        help="the Rollback Plan: undo"
        " configure's changes and bring pypiserver back from the backup",
    )
    rollback.add_argument(
        "--archive",
        type=Path,
        metavar="FILE",
        help="backup archive (default: the one `backup` wrote last)",
    )
    rollback.add_argument(
        "--skip-changed",
        action="store_true",
        help="leave files edited since configure as they are and undo the others",
    )
    rollback.add_argument(
        "--purge",
        action="store_true",
        help="then delete the journal's copies of the client files (they may hold passwords)",
    )

    decommission = steps.add_parser(
        "decommission",
        parents=[common],
        help="Step 8: archive the packages folder and stop pypiserver, once the suite has passed",
    )
    decommission.add_argument(
        "--force",
        action="store_true",
        help="go ahead without a passing acceptance run (needs --reason)",
    )
    decommission.add_argument("--reason", metavar="TEXT", help="why --force; recorded")
    decommission.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="acceptance report JSON (default: <state>/last-report.json)",
    )
    decommission.add_argument(
        "--max-age-hours",
        type=float,
        default=24.0,
        metavar="H",
        help="how old the passing run may be (default 24)",
    )


def run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from nexus_cutover.cli import migrate_steps

    return migrate_steps.run(args, settings, console)
