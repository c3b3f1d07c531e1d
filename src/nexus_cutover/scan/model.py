"""Result types of the scanner, and the small records the per-kind parsers hand back."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

Classification = Literal["old-index", "nexus-group", "nexus-other", "unknown"]
Purpose = Literal["install", "upload", "trust"]
FileKind = Literal[
    "pip.conf",
    "requirements",
    "dockerfile",
    "github-actions",
    "gitlab-ci",
    "jenkinsfile",
    "tox.ini",
    "setup.cfg",
    "pyproject",
    "uv.toml",
    "pypirc",
]


@dataclass(frozen=True)
class ScanContext:
    old_indexes: tuple[str, ...]
    nexus_bases: tuple[str, ...]
    group: str = "pypi-group"
    hosted: str = "pypi-hosted"


@dataclass(frozen=True)
class IndexReference:
    path: str
    line: int
    text: str = field(repr=False)
    url: str | None
    setting: str
    file_kind: str
    classification: Classification
    credentials: bool
    insecure_trusted_host: bool
    purpose: Purpose


@dataclass(frozen=True)
class CredentialFinding:
    path: str
    line: int
    setting: str


@dataclass(frozen=True)
class ScanProblem:
    path: str
    line: int | None
    message: str


@dataclass(frozen=True)
class ScanResult:
    root: Path
    references: tuple[IndexReference, ...]
    credentials: tuple[CredentialFinding, ...]
    problems: tuple[ScanProblem, ...]
    files_scanned: int


# --- what a parser returns (positions are 1-based lines of the text it was given) ---

HitForm = Literal["url", "host", "copy"]


@dataclass(frozen=True)
class Hit:
    """One value that names an index: a URL, a trusted host, or a config file copied elsewhere."""

    line: int
    text: str
    setting: str
    purpose: Purpose
    form: HitForm = "url"
    # catch-all URLs (a curl in a CI script) are kept only when they name a known server
    only_if_known: bool = False
    # for form "copy": the copied file, relative to the directory of the file that copies it
    source: str | None = None


@dataclass(frozen=True)
class Secret:
    line: int
    setting: str


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str


@dataclass(frozen=True)
class Include:
    """A further file this one pulls in (`-r other.txt`, GitLab `include: local:`)."""

    kind: FileKind
    path: str
    relative_to: Literal["file", "project"]


@dataclass
class Findings:
    hits: list[Hit] = field(default_factory=list)
    secrets: list[Secret] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)

    def add(self, other: Findings) -> None:
        self.hits.extend(other.hits)
        self.secrets.extend(other.secrets)
        self.problems.extend(other.problems)
        self.includes.extend(other.includes)

    def shifted(self, line_of: dict[int, int], prefix: str) -> Findings:
        """Findings of an embedded text (a heredoc body): map its lines, prefix its settings."""

        def where(line: int) -> int:
            return line_of.get(line, min(line_of.values(), default=line))

        return Findings(
            hits=[
                replace(h, line=where(h.line), setting=f"{prefix}: {h.setting}") for h in self.hits
            ],
            secrets=[Secret(where(s.line), f"{prefix}: {s.setting}") for s in self.secrets],
            problems=[
                Problem(None if p.line is None else where(p.line), f"{prefix}: {p.message}")
                for p in self.problems
            ],
        )
