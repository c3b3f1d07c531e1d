"""TS checks: the guide's troubleshooting steps, run, with their diagnostics as messages."""

from __future__ import annotations

from pathlib import Path

from nexus_cutover.checks import Problems, Proof
from nexus_cutover.clients.sandbox import Sandbox


def pip_config_names_group(
    sandbox: Sandbox, pip_configs: tuple[Path, ...], group_simple: str
) -> Proof:
    """`pip config list` under each configured pip.conf must show the group as index-url."""
    if not pip_configs:
        return Proof.failed(
            "no pip configuration to check: set clients.pip_config_files (e.g. the users'"
            " ~/.config/pip/pip.conf)"
        )
    problems: Problems = []
    shown_lines: list[str] = []
    for config in pip_configs:
        run = sandbox.pip(["config", "list"], pip_config=config)
        listing = run.output.strip()
        index_lines = [line for line in listing.splitlines() if ".index-url=" in line]
        naming = [line for line in index_lines if group_simple.rstrip("/") in line]
        if not run.ok or not naming:
            shown = "; ".join(listing.splitlines()) or "(empty)"
            problems.append(
                f"`pip config list` with {config} does not name the group {group_simple}: {shown}"
            )
        else:
            shown_lines.append(f"{config.name}: {naming[0].strip()}")
    return Proof.of(
        problems, f"`pip config list` (only the named file loaded): {'; '.join(shown_lines)}"
    )


REQUEST_LOG = "request.log"


def request_log_lines(log_dir: Path) -> list[str]:
    """Nexus's request log (one line a request); [] when it does not exist yet."""
    path = log_dir / REQUEST_LOG
    if not path.exists():
        return []
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def fetch_logged(log_dir: Path, before: int, path_fragment: str) -> Proof:
    """TS-10: the request log gained a line for `path_fragment` since it held `before` lines.

    Counting lines written during the check proves that this run's request reached Nexus
    and was logged, not that some earlier request once was.
    """
    try:
        lines = request_log_lines(log_dir)
    except OSError as error:
        return Proof.failed(f"cannot read {log_dir / REQUEST_LOG}: {error.strerror or error}")
    if len(lines) < before:
        return Proof.failed(
            f"{log_dir / REQUEST_LOG} shrank during the check (rotated?): run again"
        )
    new = [line for line in lines[before:] if path_fragment in line]
    if not new:
        return Proof.failed(
            f"{log_dir / REQUEST_LOG} has no line for {path_fragment} among the"
            f" {len(lines) - before} lines written during this check: the request never"
            " reached this Nexus; check the client's index URL and nexus.log_dir"
        )
    return Proof.passed(
        f"{len(new)} request log lines for {path_fragment} written during this check"
    )
