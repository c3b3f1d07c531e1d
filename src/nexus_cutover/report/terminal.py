"""The checklist in the terminal (rich): reads without colour, at 80 columns and wider."""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Sequence

from rich.console import Console
from rich.text import Text

from nexus_cutover.report.common import (
    DETAIL_INDENT,
    ID_WIDTH,
    ITEM_LABEL_WIDTH,
    LABEL,
    STATUS_WIDTH,
    STYLE,
    Problem,
    counts_line,
    evidence_lines,
    format_time,
    item_problems,
    outside_checklist,
    warning_lines,
)
from nexus_cutover.results import ChecklistOutcome, RunReport, headline, redacted


def render_terminal(
    report: RunReport,
    console: Console,
    *,
    secrets: Collection[str] = (),
    verbose: bool = False,
) -> None:
    """Print the checklist summary; reads without colour, at 80 columns and wider.

    `verbose` adds, under each item, the evidence of every check that passed.
    """
    report = redacted(report, secrets)
    checklist = report.checklist()
    # Text objects throughout: messages may hold "[...]", which rich would take as markup.
    console.print(Text(headline(checklist, report.phase), style="bold"))
    console.print(Text(f"Target: {report.target}"))
    if report.config_file:
        console.print(Text(f"Config: {report.config_file}"))
    console.print(
        Text(
            f"Phase:  {report.phase}, {format_time(report.started)} to "
            f"{format_time(report.finished)}"
        )
    )
    console.print()
    for number, item in enumerate(checklist, start=1):
        console.print(_item_line(number, item))
        if item.outcome != "passed":
            _print_problems(console, item_problems(item), DETAIL_INDENT)
        if verbose:
            _print_problems(console, evidence_lines(item), DETAIL_INDENT)
        else:
            _print_problems(console, warning_lines(item), DETAIL_INDENT)
    others = outside_checklist(report.checks)
    if others:
        console.print()
        console.print(Text("Checks outside the checklist:"))
        _print_problems(console, others, DETAIL_INDENT)
    console.print()
    result = "PASSED" if report.passed else "FAILED"
    console.print(
        Text.assemble(
            "Result: ",
            (result, "bold green" if report.passed else "bold red"),
            " - ",
            (report.verdict, "bold"),
        )
    )
    console.print(Text(f"Checks: {counts_line(report)}"))


def _item_line(number: int, item: ChecklistOutcome) -> Text:
    return Text.assemble(
        (item.outcome.upper().ljust(ITEM_LABEL_WIDTH), STYLE[item.outcome]),
        f"{number:>2}. {item.item}",
    )


def _print_problems(console: Console, problems: Sequence[Problem], indent: int) -> None:
    # Fixed columns, so the IDs line up under every item; wrapped by hand for a hanging indent
    # without the trailing padding a rich table would add to CI logs.
    id_width = max([ID_WIDTH, *(len(p.check_id) for p in problems)])
    hanging = indent + STATUS_WIDTH + 1 + id_width + 1
    message_width = max(console.width - hanging - 1, 30)
    for problem in problems:
        # Never cut: the remedy may be at the end, and CI logs are all some readers see.
        lines = textwrap.wrap(problem.message, message_width, break_on_hyphens=False)
        first = Text.assemble(
            " " * indent,
            (LABEL[problem.status].ljust(STATUS_WIDTH), STYLE[problem.status]),
            " ",
            problem.check_id.ljust(id_width),
            " ",
            lines[0] if lines else "",
        )
        console.print(first, overflow="fold")
        for line in lines[1:]:
            console.print(Text(" " * hanging + line), overflow="fold")
