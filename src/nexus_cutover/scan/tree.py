"""Scanning files and trees: read, parse by kind, classify, flag, and collect problems."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from nexus_cutover.scan.kinds import detect_kind
from nexus_cutover.scan.model import (
    Classification,
    CredentialFinding,
    FileKind,
    Findings,
    Hit,
    Include,
    IndexReference,
    ScanContext,
    ScanProblem,
    ScanResult,
)
from nexus_cutover.scan.parsers import parse
from nexus_cutover.scan.text import settle_line, split_lines
from nexus_cutover.scan.urls import (
    classify_url,
    endpoint,
    has_credentials,
    mask_url,
    server_matches,
)

SKIP_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".tox"})
# worst first: what a copied config file counts as
_SEVERITY: tuple[Classification, ...] = ("old-index", "unknown", "nexus-other", "nexus-group")


@dataclass
class _Scanned:
    references: list[IndexReference] = field(default_factory=list)
    credentials: list[CredentialFinding] = field(default_factory=list)
    problems: list[ScanProblem] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)


def _relpath(path: Path, root: Path) -> str:
    try:
        return _normal(path).relative_to(_normal(root)).as_posix()
    except ValueError:
        return _normal(path).as_posix()


def _read(path: Path, rel: str, kind: FileKind) -> str | ScanProblem:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ScanProblem(rel, None, f"{kind}: cannot read the file ({exc.strerror})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ScanProblem(rel, line, f"{kind}: not UTF-8 text (line {line})")


def _settled(hits: list[Hit], lines: list[str]) -> list[Hit]:
    """Hits moved onto the physical line that holds their text, without duplicates."""
    seen: set[tuple[int, str, str]] = set()
    result = []
    for hit in hits:
        line = settle_line(lines, hit.line, hit.text)
        key = (line, hit.text, hit.setting)
        if key not in seen:
            seen.add(key)
            result.append(replace(hit, line=line))
    return result


def _copy_classification(hit: Hit, path: Path, root: Path, ctx: ScanContext) -> Classification:
    """A copied config file counts as the worst index it names (unknown if not in the tree)."""
    if hit.source is None:
        return "unknown"
    source = path.parent / hit.source
    kind = detect_kind(PurePosixPath(hit.source)) or detect_kind(PurePosixPath(hit.text))
    inside = _normal(source).is_relative_to(_normal(root))
    if kind is None or not inside or not source.is_file():
        return "unknown"
    scanned = _scan_one(source, kind, root, ctx)
    found = {r.classification for r in scanned.references if r.purpose != "trust"}
    return next((c for c in _SEVERITY if c in found), "unknown")


def _trust_classification(hit: Hit, hits: list[Hit], ctx: ScanContext) -> Classification:
    """A port-less trusted host on a server shared by the old index and Nexus (localhost)
    is old when this file's URLs on that host are old."""
    ep = endpoint(hit.text)
    if ep is None:
        return "unknown"
    old, nexus = server_matches(ep, ctx)
    if not (old and nexus and ep.port is None):
        return classify_url(hit.text, ctx)
    for other in hits:
        other_ep = endpoint(other.text) if other.form == "url" else None
        if other_ep and other_ep.host == ep.host and classify_url(other.text, ctx) == "old-index":
            return "old-index"
    return nexus


def _insecure(hit: Hit, hits: list[Hit]) -> bool:
    if hit.form == "host":
        return True
    ep = endpoint(hit.text) if hit.form == "url" else None
    if ep is None or ep.scheme != "http":
        return False
    for trusted in (endpoint(h.text) for h in hits if h.form == "host"):
        if trusted and trusted.host == ep.host and trusted.port in (None, ep.port):
            return True
    return False


def _references(
    hits: list[Hit], rel: str, kind: FileKind, path: Path, root: Path, ctx: ScanContext
) -> Iterator[IndexReference]:
    for hit in hits:
        if hit.form == "copy":
            classification = _copy_classification(hit, path, root, ctx)
        elif hit.form == "host":
            classification = _trust_classification(hit, hits, ctx)
        else:
            classification = classify_url(hit.text, ctx)
        if hit.only_if_known and classification == "unknown":
            continue
        yield IndexReference(
            path=rel,
            line=hit.line,
            text=hit.text,
            url=None if hit.form == "copy" else mask_url(hit.text),
            setting=hit.setting,
            file_kind=kind,
            classification=classification,
            credentials=has_credentials(hit.text),
            insecure_trusted_host=_insecure(hit, hits),
            purpose=hit.purpose,
        )


def _parse_safely(kind: FileKind, text: str, rel: str) -> Findings | ScanProblem:
    try:
        return parse(kind, text)
    except Exception as exc:  # never let one odd file stop the scan of a tree
        return ScanProblem(
            rel, None, f"{kind}: the scanner could not read this file ({type(exc).__name__})"
        )


def _scan_one(path: Path, kind: FileKind, root: Path, ctx: ScanContext) -> _Scanned:
    rel = _relpath(path, root)
    text = _read(path, rel, kind)
    if isinstance(text, ScanProblem):
        return _Scanned(problems=[text])
    findings = _parse_safely(kind, text, rel)
    if isinstance(findings, ScanProblem):
        return _Scanned(problems=[findings])
    hits = _settled(findings.hits, split_lines(text))
    references = sorted(
        _references(hits, rel, kind, path, root, ctx), key=lambda r: (r.line, r.setting)
    )
    credentials = [CredentialFinding(rel, s.line, s.setting) for s in findings.secrets]
    credentials += [
        CredentialFinding(rel, r.line, f"URL userinfo in {r.setting}")
        for r in references
        if r.credentials
    ]
    return _Scanned(
        references=references,
        credentials=sorted(set(credentials), key=lambda c: (c.line, c.setting)),
        problems=[ScanProblem(rel, p.line, p.message) for p in findings.problems],
        includes=findings.includes,
    )


def _result(root: Path, parts: list[_Scanned], files: int) -> ScanResult:
    return ScanResult(
        root=root,
        references=tuple(
            sorted((r for p in parts for r in p.references), key=lambda r: (r.path, r.line))
        ),
        credentials=tuple(c for p in parts for c in p.credentials),
        problems=tuple(q for p in parts for q in p.problems),
        files_scanned=files,
    )


def scan_file(path: Path, root: Path, ctx: ScanContext, kind: FileKind | None = None) -> ScanResult:
    """Scan one file; its kind comes from its name (or `kind`), e.g. a user pip.conf."""
    rel = _relpath(path, root)
    kind = kind or detect_kind(PurePosixPath(rel)) or detect_kind(PurePosixPath(path.name))
    if kind is None:
        problem = ScanProblem(rel, None, "not a file kind the scanner knows (by its name)")
        return ScanResult(root, (), (), (problem,), 0)
    return _result(root, [_scan_one(path, kind, root, ctx)], 1)


def _walk(root: Path) -> Iterator[tuple[Path, FileKind]]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(folder) / name
            kind = detect_kind(PurePosixPath(_relpath(path, root)))
            if kind is not None:
                yield path, kind


def _normal(path: Path) -> Path:
    return Path(os.path.normpath(path.absolute()))


def _include_paths(include: Include, path: Path, base: Path) -> list[Path]:
    folder = path.parent if include.relative_to == "file" else base
    if any(c in include.path for c in "*?["):
        try:
            return sorted(p for p in folder.glob(include.path) if p.is_file())
        except (ValueError, NotImplementedError):  # a pattern pathlib cannot glob
            return []
    return [folder / include.path]


def scan_tree(root: Path, ctx: ScanContext) -> ScanResult:
    """Scan every known file kind below `root`, following `-r`/`-c` includes of requirements
    files and local includes of GitLab CI files."""
    root = Path(root)
    if root.is_file():
        return scan_file(root, root.parent, ctx)
    queue: list[tuple[Path, FileKind, Path]] = [(p, k, p.parent) for p, k in _walk(root)]
    seen = {_normal(p) for p, _, _ in queue}
    parts: list[_Scanned] = []
    while queue:
        path, kind, base = queue.pop(0)
        scanned = _scan_one(path, kind, root, ctx)
        parts.append(scanned)
        for include in scanned.includes:
            for target in _include_paths(include, path, base):
                if not target.is_file():
                    message = f"{kind}: includes {include.path}, which does not exist"
                    scanned.problems.append(ScanProblem(_relpath(path, root), None, message))
                elif _normal(target) not in seen and _normal(target).is_relative_to(_normal(root)):
                    seen.add(_normal(target))
                    queue.append((Path(_normal(target)), include.kind, base))
    return _result(root, parts, len(parts))
