"""Scan results as JSON records and as a rich table; secrets are masked in both."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from nexus_cutover.scan.model import Classification, ScanResult

_STYLE: dict[Classification, str] = {
    "old-index": "bold red",
    "unknown": "yellow",
    "nexus-other": "cyan",
    "nexus-group": "green",
}


def result_to_json(
    results: Sequence[ScanResult], old_index_urls: Sequence[str] = ()
) -> dict[str, object]:
    """The whole scan as one object; each `path` is relative to its `root`.

    Credential findings name the file, line and setting, never the secret itself.
    """
    return {
        "roots": [str(result.root) for result in results],
        "old_index_urls": list(old_index_urls),
        "references": [
            {
                "root": str(result.root),
                "path": ref.path,
                "line": ref.line,
                "url": ref.url,
                "classification": ref.classification,
                "credentials": ref.credentials,
                "insecure_trusted_host": ref.insecure_trusted_host,
                "setting": ref.setting,
                "purpose": ref.purpose,
            }
            for result in results
            for ref in result.references
        ],
        "credentials": [
            {"root": str(result.root), "path": c.path, "line": c.line, "setting": c.setting}
            for result in results
            for c in result.credentials
        ],
        "problems": [
            {"root": str(result.root), "path": p.path, "line": p.line, "message": p.message}
            for result in results
            for p in result.problems
        ],
    }


def _flags(credentials: bool, insecure: bool) -> Text:
    flags = Text()
    if credentials:
        flags.append("credentials ", style="bold red")
    if insecure:
        flags.append("http+trusted-host", style="yellow")
    return flags


def _references_table(result: ScanResult) -> Table:
    table = Table(title=f"Index references under {result.root}", show_lines=False)
    for column in ("File", "Line", "Setting", "URL / host", "Class", "Flags"):
        table.add_column(column, overflow="fold")
    for path, refs in groupby(result.references, key=lambda r: r.path):
        for i, ref in enumerate(refs):
            table.add_row(
                Text(path if i == 0 else ""),
                Text(str(ref.line)),
                Text(ref.setting),
                Text(ref.url if ref.url is not None else f"(copied to) {ref.text}"),
                Text(ref.classification, style=_STYLE[ref.classification]),
                _flags(ref.credentials, ref.insecure_trusted_host),
            )
        table.add_section()
    return table


def render_text(results: Sequence[ScanResult], console: Console) -> None:
    """Print each result: references grouped by file, then credentials and problems."""
    for result in results:
        console.print(_references_table(result))
        if result.credentials:
            table = Table(title="Credentials in files (values not shown)")
            for column in ("File", "Line", "Setting"):
                table.add_column(column)
            for finding in result.credentials:
                table.add_row(Text(finding.path), Text(str(finding.line)), Text(finding.setting))
            console.print(table)
        for problem in result.problems:
            where = problem.path if problem.line is None else f"{problem.path}:{problem.line}"
            console.print(Text.assemble(("problem ", "bold red"), f"{where}: {problem.message}"))
        summary = (
            f"{result.files_scanned} files scanned, {len(result.references)} references, "
            f"{len(result.credentials)} credentials, {len(result.problems)} problems"
        )
        console.print(Text(summary))
