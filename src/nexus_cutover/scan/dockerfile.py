"""Dockerfiles: RUN commands, ENV/ARG index variables, COPY/ADD of client config files,
and heredocs. Instructions come from dockerfile-parse; it does not know heredocs, so their
bodies are cut out of the raw lines here."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from dockerfile_parse import DockerfileParser
from dockerfile_parse.util import WordSplitter, extract_key_values

from nexus_cutover.scan.envvars import env_findings
from nexus_cutover.scan.model import Findings, Hit, Problem, Purpose
from nexus_cutover.scan.shell import (
    HEREDOC,
    BodyParser,
    Line,
    heredoc_findings,
    shell_findings,
    tokens_findings,
)
from nexus_cutover.scan.text import split_lines

CONFIG_FILES = {"pip.conf", "pip.ini", ".pypirc", "uv.toml"}
_FLAGS = re.compile(r"\s*(?:--\S+\s+)*")
_KEYWORD = re.compile(r"^\s*[A-Za-z]+(?:\s+--\S+)*")


def _words(value: str) -> list[str]:
    """Words of an instruction: `--flags` first, then the exec (JSON) or shell form."""
    flags = _FLAGS.match(value)
    rest = value[flags.end() :] if flags else value
    if rest.startswith("["):
        try:
            parsed = json.loads(rest)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(w, str) for w in parsed):
            return [*(flags[0].split() if flags else []), *parsed]
    return [str(w) for w in WordSplitter(value).split()]


def _heredoc_end(raw: list[str], after: int, value: str) -> int:
    """Index of the last line of the heredoc bodies that start after line `after`."""
    index = after
    for marker in HEREDOC.finditer(value):
        word = marker["word"]
        while index + 1 < len(raw):
            index += 1
            line = raw[index].lstrip("\t") if marker["dash"] else raw[index]
            if line.rstrip() == word:
                break
    return index


def _env(name: str, value: str, line: int) -> Findings:
    found = Findings()
    if name == "ARG":
        pairs = [[*w.split("=", 1), ""][:2] for w in _words(value)]
    else:
        try:
            pairs = [list(p) for p in extract_key_values(False, {}, {}, value)]
        except ValueError:
            found.problems.append(
                Problem(
                    line,
                    f"Dockerfile: ENV on line {line} is neither `KEY=value ...` nor `KEY value`",
                )
            )
            return found
    for key, val in pairs:
        found.add(env_findings(key, val, line, name))
    return found


def _copy(name: str, value: str, line: int, body: list[Line], embedded: BodyParser) -> Findings:
    words = _words(value)
    from_stage = any(w.startswith("--from") for w in words)
    paths = [w for w in words if not w.startswith("--")]
    if len(paths) < 2:
        return Findings()
    *sources, dest = paths
    marker = HEREDOC.search(value)
    if marker:
        word = marker["word"]
        cut = next((i for i, (_, t) in enumerate(body) if t.strip() == word), len(body))
        return heredoc_findings(body[:cut], dest, False, f"Dockerfile {name}", embedded)
    found = Findings()
    for source in sources:
        base = PurePosixPath(source).name
        target = base if dest.endswith("/") else PurePosixPath(dest).name
        config = base if base in CONFIG_FILES else target
        if config in CONFIG_FILES:
            purpose: Purpose = "upload" if config == ".pypirc" else "install"
            found.hits.append(
                Hit(
                    line,
                    dest,
                    f"Dockerfile {name} {config}",
                    purpose,
                    "copy",
                    source=None if from_stage else source,
                )
            )
    return found


def _instruction(ins: dict[str, Any], raw: list[str], end: int, embedded: BodyParser) -> Findings:
    start = ins["startline"]
    name = ins["instruction"].upper()
    own = [
        (n + 1, raw[n])
        for n in range(start, ins["endline"] + 1)
        if n == start or not raw[n].lstrip().startswith("#")
    ]
    body = [(n + 1, raw[n]) for n in range(ins["endline"] + 1, end + 1)]
    value = ins["value"]
    if name == "RUN":
        flags = _FLAGS.match(value)
        if value[flags.end() if flags else 0 :].startswith("["):
            words = [w for w in _words(value) if not w.startswith("--mount")]
            return tokens_findings(words, own, "Dockerfile RUN")
        first_number, first = own[0]
        keyword = _KEYWORD.match(first)
        cut = keyword.end() if keyword else 0
        lines = [(first_number, " " * cut + first[cut:]), *own[1:], *body]
        return shell_findings(lines, "Dockerfile RUN", embedded)
    if name in ("ENV", "ARG"):
        return _env(name, value, start + 1)
    if name in ("COPY", "ADD"):
        return _copy(name, value, start + 1, body, embedded)
    return Findings()


def parse_dockerfile(text: str, embedded: BodyParser) -> Findings:
    raw = split_lines(text)
    try:
        structure = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8"))).structure
    except Exception as exc:  # a third-party parser: whatever it raises becomes a problem
        message = f"Dockerfile: cannot parse ({type(exc).__name__})"
        return Findings(problems=[Problem(None, message)])
    found = Findings()
    for ins, end in _instructions(structure, raw):
        found.add(_instruction(ins, raw, end, embedded))
    return found


def run_commands(text: str) -> list[str]:
    """Each RUN instruction as written, its heredoc bodies included (DOCKER-2/3 look for
    installs in them)."""
    raw = split_lines(text)
    structure = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8"))).structure
    return [
        "\n".join(raw[ins["startline"] : end + 1])
        for ins, end in _instructions(structure, raw)
        if ins["instruction"].upper() == "RUN"
    ]


def _instructions(
    structure: list[dict[str, Any]], raw: list[str]
) -> Iterator[tuple[dict[str, Any], int]]:
    """Each real instruction and the index of its last raw line: dockerfile-parse reads a
    heredoc's body lines as instructions of their own, so they are skipped here."""
    skip_to = -1
    for ins in structure:
        if ins["startline"] <= skip_to or ins["instruction"] == "COMMENT":
            continue
        end = ins["endline"]
        if HEREDOC.search(ins["value"]) and ins["instruction"].upper() in ("RUN", "COPY", "ADD"):
            end = _heredoc_end(raw, ins["endline"], ins["value"])
        skip_to = end
        yield ins, end
