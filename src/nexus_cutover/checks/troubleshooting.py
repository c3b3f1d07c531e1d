"""TS checks: the guide's troubleshooting steps, run, with their diagnostics as messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nexus_cutover.checks import Problems
from nexus_cutover.isolated import Sandbox


def pip_config_names_group(
    sandbox: Sandbox, pip_configs: tuple[Path, ...], group_simple: str
) -> Problems:
    """`pip config list` under each configured pip.conf must show the group as index-url."""
    if not pip_configs:
        return [
            "no pip configuration to check: set clients.pip_config_files (e.g. the users'"
            " ~/.config/pip/pip.conf)"
        ]
    problems = []
    for config in pip_configs:
        run = sandbox.pip(["config", "list"], pip_config=config)
        listing = run.output.strip()
        index_lines = [line for line in listing.splitlines() if ".index-url=" in line]
        if not any(group_simple.rstrip("/") in line for line in index_lines):
            shown = "; ".join(listing.splitlines()) or "(empty)"
            problems.append(
                f"`pip config list` with {config} does not name the group {group_simple}: {shown}"
            )
    return problems


def log_mentions(read_log: Callable[[], list[str]], package: str) -> Problems:
    try:
        lines = read_log()
    except OSError as error:
        return [f"cannot read the Nexus log: {error}"]
    hits = [line for line in lines if package.lower() in line.lower()]
    if not hits:
        return [
            f"the Nexus log has no line for '{package}' ({len(lines)} lines read): the"
            " request never reached Nexus; check the client's index URL"
        ]
    return []
