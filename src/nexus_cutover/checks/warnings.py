"""Passing with a warning: the claim holds, but something deserves a look (results.py).

The warning leads the evidence line (`warning: <text> | <evidence>`), so every report shows it
beside the pass, and the terminal shows it even without `-v`; it never fails a check or the run.
"""

from __future__ import annotations

from collections.abc import Sequence

from nexus_cutover.checks import Proof
from nexus_cutover.results import WARNING_PREFIX


def passed(evidence: str, warnings: Sequence[str] = ()) -> Proof:
    """A pass; with `warnings`, one that says so first."""
    if not warnings:
        return Proof.passed(evidence)
    return Proof.passed(f"{WARNING_PREFIX}{'; '.join(warnings)} | {evidence}")
