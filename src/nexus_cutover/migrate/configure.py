"""Steps 4 and 7: client files that name the old index are pointed at Nexus.

The scanner finds each reference (file, line, exact text); only that text is replaced, so
formatting and comments stay. Installs go to the group's simple index, uploads to the hosted
repository, trusted-host entries for the old host become the Nexus host (only when Nexus is
plain http: https needs no trust). A URL with `user:password@` becomes the Nexus URL without
any userinfo: credentials are never written into a file, and the user is told to supply them
another way.

Dockerfiles get the first `expected.nexus_aliases` entry as their Nexus base when one is
configured: inside `docker build`, `localhost` and `127.0.0.1` are the build container itself,
so the host-side URL would not reach Nexus; the alias is the name containers use (the guide's
Step 7 writes http://maestro-nexus:8083).

A `.pypirc` whose uploads now go to hosted also gets the guide's `[nexus]` section (Step 6,
`twine upload -r nexus`) when it has none: repository only, no username or password.

Every change is journalled (see `journal`) before the file is written, so `rollback` can
restore the exact bytes.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nexus_cutover.migrate.errors import MigrationError
from nexus_cutover.migrate.journal import Change, Journal
from nexus_cutover.migrate.rewrite import (
    Destination,
    Edit,
    add_pypirc_section,
    apply_edits,
    is_listing,
    new_host,
    new_url,
    remove_lines,
    split_physical,
)
from nexus_cutover.migrate.state import StatePaths, sha256_bytes, write_bytes_atomic
from nexus_cutover.scan import (
    IndexReference,
    PypircServer,
    ScanContext,
    mask_url,
    pypirc_servers,
    scan_context,
    scan_file,
    scan_tree,
)
from nexus_cutover.target import Target

_URL_USERINFO = "URL userinfo"  # how the scanner names a credential inside a URL
_PYPIRC_SETTING = re.compile(r"\.pypirc \[(?P<name>[^\]]+)\] repository")  # as the scanner names it
PYPIRC_SECTION = "nexus"  # the guide's Step 6 and the design's expected client state


@dataclass(frozen=True)
class FileRewrite:
    path: Path
    edits: tuple[Edit, ...]
    references: tuple[IndexReference, ...] = field(repr=False)
    before: bytes = field(repr=False)
    after: bytes = field(repr=False)
    secret_lines: frozenset[int] = frozenset()  # lines the scanner saw a credential on
    added: tuple[str, ...] = ()  # what was added besides the edits (a .pypirc section)
    removed: tuple[int, ...] = ()  # lines removed: pypiserver credentials of a .pypirc


@dataclass(frozen=True)
class ConfigureResult:
    files: tuple[FileRewrite, ...]
    diffs: tuple[str, ...]  # unified diffs, credentials masked
    left_alone: tuple[str, ...]  # old trusted-host entries with nothing to become (https)
    notes: tuple[str, ...]  # what the user should know or finish by hand
    problems: tuple[str, ...]  # files the scanner could not read
    dry_run: bool
    # After writing, the roots scanned again: old-index references still there ("path:line").
    left: tuple[str, ...] = ()


@dataclass
class _Found:
    references: dict[Path, list[IndexReference]] = field(default_factory=dict)
    secrets: dict[Path, set[int]] = field(default_factory=dict)  # non-URL secrets, by line
    in_images: set[Path] = field(default_factory=set)  # config files a Dockerfile copies
    problems: list[str] = field(default_factory=list)


def destination(target: Target, inside_docker: bool) -> Destination:
    aliases = target.expected.nexus_aliases
    base = aliases[0] if inside_docker and aliases else target.nexus.repository_url
    return Destination(base, target.expected.group.name, target.expected.hosted.name)


def configure(target: Target, roots: Sequence[Path], dry_run: bool = False) -> ConfigureResult:
    """Rewrite every old-index reference below `roots` (folders or single files)."""
    found = _scan(roots, scan_context(target))
    plans = [_plan(target, path, refs, found) for path, refs in sorted(found.references.items())]
    rewrites = tuple(plan.rewrite for plan in plans if plan.rewrite is not None)
    diffs = tuple(_diff(r) for r in rewrites)
    if not dry_run:
        _write(StatePaths(target.state_dir), rewrites)
    return ConfigureResult(
        rewrites,
        diffs,
        left_alone=tuple(line for plan in plans for line in plan.left_alone),
        notes=tuple(line for plan in plans for line in plan.notes),
        problems=tuple(found.problems),
        dry_run=dry_run,
        left=() if dry_run else old_references_left(target, roots),
    )


def old_references_left(target: Target, roots: Sequence[Path]) -> tuple[str, ...]:
    """Every old-index reference below `roots` now ("path:line (setting)"): what a summary
    may not call done."""
    found = _scan(roots, scan_context(target))
    return tuple(
        f"{path}:{ref.line} ({ref.setting})"
        for path, references in sorted(found.references.items())
        for ref in references
    )


@dataclass(frozen=True)
class _Plan:
    rewrite: FileRewrite | None
    left_alone: list[str]
    notes: list[str]


def _plan(target: Target, path: Path, references: Sequence[IndexReference], found: _Found) -> _Plan:
    inside_docker = path in found.in_images or any(r.file_kind == "dockerfile" for r in references)
    to = destination(target, inside_docker)
    edits, left_alone, notes = [], [], []
    for ref in references:
        where = f"{path}:{ref.line} ({ref.setting})"
        if ref.url is None:
            continue  # a config file copied into an image: that file itself is rewritten
        new = _replacement(ref, to)
        if new is None:
            left_alone.append(
                f"{where}: {ref.url}: Nexus is reached over https, so no"
                " trusted-host is needed; remove the entry by hand"
            )
            continue
        edits.append(Edit(ref.line, ref.text, new))
        notes += _notes(ref, where)
    uploads = any(r.file_kind == "pypirc" and r.purpose == "upload" for r in references)
    hosted = f"{to.repository(to.hosted)}/"
    drop, emptied = _old_logins(path, references, edits)
    rewrite = _rewrite(
        path,
        edits,
        references,
        found.secrets.get(path, set()),
        hosted if uploads else None,
        drop,
    )
    if rewrite is not None:
        notes += [
            f"{path}:{line}: a password is still written in this file; remove it"
            " (twine and pip read the environment or the keyring)"
            for line in sorted(rewrite.secret_lines - set(rewrite.removed))
        ]
        notes += [
            f"{path}: removed pypiserver's {keys} from [{section}], which now uploads to"
            " Nexus; give twine the Nexus login as TWINE_USERNAME and TWINE_PASSWORD, in the"
            f" keyring (`keyring set {hosted} <user>`), or as a Nexus user token"
            for section, keys in emptied
        ]
        notes += [
            f"{path}: added {added} for `twine upload -r {PYPIRC_SECTION}` (the guide's"
            " Step 6); credentials come from TWINE_USERNAME/TWINE_PASSWORD or the keyring"
            for added in rewrite.added
        ]
    return _Plan(rewrite, left_alone, notes)


def _old_logins(
    path: Path, references: Sequence[IndexReference], edits: Sequence[Edit]
) -> tuple[frozenset[int], tuple[tuple[str, str], ...]]:
    """The `username`/`password` lines of .pypirc sections whose upload URL is being pointed
    at Nexus: pypiserver's login must not be sent to Nexus. (lines, (section, keys))."""
    edited = {edit.line for edit in edits}
    sections = {
        match["name"]
        for ref in references
        if ref.file_kind == "pypirc" and ref.purpose == "upload" and ref.line in edited
        if (match := _PYPIRC_SETTING.fullmatch(ref.setting))
    }
    if not sections:
        return frozenset(), ()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise MigrationError(f"{path}: cannot read it again for rewriting: {error}") from None
    servers = [s for s in pypirc_servers(text) if s.name in sections and s.credential_lines]
    lines = frozenset(n for server in servers for n in server.credential_lines)
    return lines, tuple((server.name, _login_keys(server)) for server in servers)


def _login_keys(server: PypircServer) -> str:
    keys = [
        key
        for key, present in (("username", server.username), ("password", server.has_password))
        if present
    ]
    return " and ".join(keys) or "login"


def _scan(roots: Sequence[Path], context: ScanContext) -> _Found:
    found = _Found()
    for root in roots:
        if not root.exists():
            raise MigrationError(f"{root}: no such file or folder")
        base = root if root.is_dir() else root.parent
        result = scan_tree(root, context) if root.is_dir() else scan_file(root, base, context)
        for ref in result.references:
            path = (base / ref.path).resolve()
            if ref.url is None and ref.file_kind == "dockerfile":
                found.in_images.update(copied_files(path, ref.line))
            if ref.classification == "old-index":
                refs = found.references.setdefault(path, [])
                if ref not in refs:
                    refs.append(ref)
        for secret in result.credentials:
            if not secret.setting.startswith(_URL_USERINFO):  # those are masked by URL
                found.secrets.setdefault((base / secret.path).resolve(), set()).add(secret.line)
        found.problems += [f"{base / p.path}: {p.message}" for p in result.problems]
    return found


def copied_files(dockerfile: Path, line: int) -> list[Path]:
    """The local files a COPY/ADD line puts into the image (relative to the Dockerfile's
    folder, as the scanner resolves them)."""
    try:
        text = dockerfile.read_text(encoding="utf-8-sig").splitlines()[line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        return []
    rest = text.strip().rstrip("\\").strip().split(maxsplit=1)[1:] or [""]
    arguments = rest[0]
    while arguments.startswith("--"):  # --chown=..., --link
        if arguments.startswith("--from"):
            return []  # copied from another build stage, not from the project
        arguments = (arguments.split(maxsplit=1)[1:] or [""])[0]
    try:
        parts = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
    except ValueError:
        return []
    return [(dockerfile.parent / str(source)).resolve() for source in parts[:-1]]


def _replacement(ref: IndexReference, to: Destination) -> str | None:
    if ref.purpose == "trust":
        return new_host(ref.text, to)
    return new_url(ref.text, ref.purpose, to)


def _notes(ref: IndexReference, where: str) -> list[str]:
    notes = []
    if ref.credentials:
        notes.append(
            f"{where}: the credentials in the old URL were not carried over; give"
            " them to pip/twine via keyring, ~/.netrc or the environment"
        )
    if ref.purpose != "trust" and is_listing(ref.text):
        notes.append(
            f"{where}: was pypiserver's flat file listing, which Nexus does not have;"
            " it now names the group index (harmless: packages come through the"
            " index URL); the entry can be removed"
        )
    return notes


def _rewrite(
    path: Path,
    edits: Sequence[Edit],
    references: Sequence[IndexReference],
    secrets: Iterable[int],
    pypirc_hosted: str | None,
    drop: frozenset[int] = frozenset(),
) -> FileRewrite | None:
    """The file with `edits` applied and the `drop` lines removed; for a .pypirc whose
    uploads now go to hosted, also the guide's `[nexus]` section when it has none."""
    if not edits:
        return None
    try:
        before = path.read_bytes()
        text = before.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MigrationError(f"{path}: cannot read it again for rewriting: {error}") from None
    edited = remove_lines(apply_edits(text, edits, str(path)), drop)
    added: tuple[str, ...] = ()
    if pypirc_hosted is not None:
        with_section = add_pypirc_section(edited, PYPIRC_SECTION, pypirc_hosted)
        if with_section != edited:
            edited, added = with_section, (f"a [{PYPIRC_SECTION}] section",)
    after = edited.encode("utf-8")
    if after == before:
        return None
    return FileRewrite(
        path,
        tuple(edits),
        tuple(references),
        before,
        after,
        frozenset(secrets),
        added,
        tuple(sorted(drop)),
    )


# -- showing --------------------------------------------------------------------------------


def _diff(rewrite: FileRewrite) -> str:
    """A unified diff in which no credential shows."""
    masks = [Edit(r.line, r.text, r.url) for r in rewrite.references if r.credentials and r.url]
    before = apply_edits(rewrite.before.decode("utf-8"), masks, str(rewrite.path))
    old = [line for line in split_physical(before) if line]
    # Lines holding a non-URL secret are masked wherever they appear, on either side
    # (an added .pypirc section moves them, so their numbers do not carry over).
    secret = {old[n - 1].rstrip("\r\n") for n in rewrite.secret_lines if 1 <= n <= len(old)}
    new = [line for line in split_physical(rewrite.after.decode("utf-8")) if line]
    lines = difflib.unified_diff(
        _masked(old, secret),
        _masked(new, secret),
        fromfile=str(rewrite.path),
        tofile=str(rewrite.path),
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines).rstrip("\n")


def _masked(lines: Sequence[str], secret: set[str]) -> list[str]:
    return [
        _mask_value(line) if line.rstrip("\r\n") in secret else mask_url(line) for line in lines
    ]


def _mask_value(line: str) -> str:
    """`password = secret` -> `password = ****` (a secret that is not in a URL)."""
    for separator in ("=", ":"):
        key, found, _value = line.partition(separator)
        if found:
            return f"{key}{separator} ****\n"
    return "****\n"


# -- writing --------------------------------------------------------------------------------


def _write(paths: StatePaths, rewrites: Sequence[FileRewrite]) -> None:
    # Each file is replaced by a renamed temporary beside it: its folder must be writable.
    blocked = [
        str(r.path)
        for r in rewrites
        if not (os.access(r.path, os.W_OK) and os.access(r.path.parent, os.W_OK))
    ]
    if blocked:
        raise MigrationError(f"cannot write {', '.join(blocked)}; nothing was changed")
    journal = Journal(paths)
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    for rewrite in rewrites:
        journal.keep_original(rewrite.before)
        journal.append(_changes(run, rewrite))
        write_bytes_atomic(rewrite.path, rewrite.after)


def _changes(run: str, rewrite: FileRewrite) -> list[Change]:
    before, after = sha256_bytes(rewrite.before), sha256_bytes(rewrite.after)
    urls = {(r.line, r.text): r.url for r in rewrite.references}
    changes = [
        Change(
            run,
            str(rewrite.path),
            edit.line,
            sha256_bytes(edit.old.encode("utf-8")),
            urls.get((edit.line, edit.old)),
            edit.new,
            before,
            after,
        )
        for edit in rewrite.edits
    ]
    old_lines = split_physical(rewrite.before.decode("utf-8"))
    changes += [
        Change(
            run,
            str(rewrite.path),
            line,
            sha256_bytes(old_lines[line - 1].encode("utf-8")),
            None,
            "removed (pypiserver login of a section now uploading to Nexus)",
            before,
            after,
        )
        for line in rewrite.removed
        if 1 <= line <= len(old_lines)
    ]
    # line 0: an addition, not a replacement on a line
    changes += [
        Change(run, str(rewrite.path), 0, sha256_bytes(b""), None, f"added {added}", before, after)
        for added in rewrite.added
    ]
    return changes
