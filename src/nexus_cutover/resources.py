"""Where the data the package carries lives once installed (the suite's folders, linked in
from the repository's top-level tests/, fixtures/ and docker/)."""

from __future__ import annotations

from pathlib import Path

SUITE_DIR = Path(__file__).resolve().parent / "suite"
TESTS_DIR = SUITE_DIR / "tests"
SAMPLE_PROJECTS_DIR = SUITE_DIR / "fixtures" / "projects" / "old"
DOCKER_DIR = SUITE_DIR / "docker"
