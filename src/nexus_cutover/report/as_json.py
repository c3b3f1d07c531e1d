"""report.json: the run as data (read back by the decommission gate, `results.read_json`)."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

from nexus_cutover.report.common import summary, title, write_text
from nexus_cutover.results import REPORT_FORMAT, RunReport, redacted


def to_json_data(report: RunReport) -> dict[str, Any]:
    """The JSON document for `report`, as written by `write_json` (not redacted here)."""
    return {
        "format": REPORT_FORMAT,
        "target": report.target,
        "phase": report.phase,
        "config_file": report.config_file,
        "urls": dict(report.urls),
        "selected": list(report.selected) if report.selected is not None else None,
        "phase_checks": list(report.phase_checks) if report.phase_checks is not None else None,
        "started": report.started.isoformat(),
        "finished": report.finished.isoformat(),
        "passed": report.passed,
        "proven": report.proven,
        "verdict": report.verdict,
        "summary": summary(report),
        "checks": [
            {
                "id": result.id,
                "title": title(result.id),
                "outcome": result.outcome,
                "message": result.message,
                "evidence": result.evidence,
                "test": result.test,
                "duration": result.duration,
                "not_applicable": result.not_applicable,
            }
            for result in report.checks
        ],
        "checklist": [
            {
                "item": item.item,
                "outcome": item.outcome,
                "checks": list(item.check_ids),
                "check_outcomes": dict(item.statuses),
            }
            for item in report.checklist()
        ],
    }


def write_json(report: RunReport, path: Path, *, secrets: Collection[str] = ()) -> None:
    data = to_json_data(redacted(report, secrets))
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
