"""`checks`: the check catalogue and the migration checklist it proves."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from nexus_cutover.cli.app import command_parser
from nexus_cutover.errors import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from nexus_cutover.config import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        commands,
        "checks",
        help="list the check catalogue and the migration checklist",
        description="Every check ID with its phases and the evidence a pass records, then the"
        " guide's ten checklist items and the checks that prove each.",
    )
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    form.add_argument("--markdown", action="store_true", help="print the README's table")


def run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from nexus_cutover.catalogue import CHECKLIST, CHECKS, markdown_table

    if args.markdown:
        print(markdown_table(), end="")
        return ExitCode.OK
    if args.json:
        data = {
            "checks": [
                {
                    "id": c.id,
                    "title": c.title,
                    "item": c.item,
                    "phases": list(c.phases),
                    "writes": c.writes,
                    "evidence": c.evidence,
                }
                for c in CHECKS
            ],
            "checklist": [{"item": i.item, "checks": list(i.checks)} for i in CHECKLIST],
        }
        print(json.dumps(data, indent=2))
        return ExitCode.OK
    for check in CHECKS:
        phases = ",".join(check.phases)
        console.print(
            f"{check.id:<11} {check.title}  [{phases}]",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    console.print()
    for number, item in enumerate(CHECKLIST, 1):
        console.print(
            f"{number:>2}. {item.item}: {', '.join(item.checks)}", markup=False, soft_wrap=True
        )
    return ExitCode.OK
