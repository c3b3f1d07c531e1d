"""Requirements and constraints files, read the way pip reads them (req_file.py): joined
continuation lines, `#` comments, option lines parsed by optparse like pip's own parser,
and PEP 508 direct references (`name @ URL`) parsed by `packaging`."""

from __future__ import annotations

import optparse
import re
import shlex
from collections.abc import Iterator

from packaging.requirements import InvalidRequirement, Requirement

from nexus_cutover.scan.model import Findings, Hit, Include, Problem
from nexus_cutover.scan.shell import PIP_CONFIG_KEYS
from nexus_cutover.scan.text import split_lines
from nexus_cutover.scan.urls import has_variable, mask_url

_COMMENT = re.compile(r"(^|\s+)#.*$")  # pip's COMMENT_RE
_PATH_LIKE = re.compile(r"^(\.|/|~|[A-Za-z]:\\)|[\\/]|\.(whl|zip|tar\.gz|tgz|tar\.bz2)$")
_VCS = ("git+", "hg+", "svn+", "bzr+", "file:")


class _OptionError(Exception):
    pass


class _Parser(optparse.OptionParser):
    def error(self, msg: str) -> None:  # type: ignore[override]
        raise _OptionError(msg)


def _option_parser() -> _Parser:
    """The options pip accepts in a requirements file (pip/_internal/req/req_file.py)."""
    parser = _Parser(add_help_option=False)
    for flags, action in (
        (("-i", "--index-url"), "store"),
        (("--extra-index-url",), "append"),
        (("--no-index",), "store_true"),
        (("-c", "--constraint"), "append"),
        (("-r", "--requirement"), "append"),
        (("-e", "--editable"), "append"),
        (("-f", "--find-links"), "append"),
        (("--no-binary",), "append"),
        (("--only-binary",), "append"),
        (("--prefer-binary",), "store_true"),
        (("--require-hashes",), "store_true"),
        (("--pre",), "store_true"),
        (("--trusted-host",), "append"),
        (("--use-feature",), "append"),
        (("--global-option",), "append"),
        (("--hash",), "append"),
        (("--config-settings",), "append"),
    ):
        parser.add_option(*flags, action=action)
    return parser


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line, joined line without comment), as pip's join_lines and
    ignore_comments do."""
    start = 0
    parts: list[str] = []
    for number, line in enumerate(split_lines(text), start=1):
        if line.endswith("\\") and not _COMMENT.match(line):
            if not parts:
                start = number
            parts.append(line.strip("\\"))
            continue
        if _COMMENT.match(line):
            line = " " + line
        joined = "".join([*parts, line]) if parts else line
        yield (start if parts else number), _COMMENT.sub("", joined).strip()
        parts = []
    if parts:
        yield start, _COMMENT.sub("", "".join(parts)).strip()


def _split_args_options(line: str) -> tuple[str, str]:
    """pip's break_args_options: words before the first option are the requirement."""
    tokens = line.split(" ")
    for i, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:i]), " ".join(tokens[i:])
    return line, ""


def _requirement_url(spec: str, line: int) -> tuple[str | None, Problem | None]:
    try:
        url = Requirement(spec).url
    except InvalidRequirement:
        if "://" in spec:
            return spec.split()[0], None
        if _PATH_LIKE.search(spec):
            return None, None
        return None, Problem(line, f"requirements: line {line} is not a valid requirement")
    return url, None


def _option_hits(values: optparse.Values, line: int) -> Iterator[Hit]:
    for option, attr in (
        ("index-url", "index_url"),
        ("extra-index-url", "extra_index_url"),
        ("find-links", "find_links"),
        ("trusted-host", "trusted_host"),
    ):
        raw = getattr(values, attr)
        spec = PIP_CONFIG_KEYS[option]
        for item in [raw] if isinstance(raw, str) else raw or []:
            if spec.form == "host" or "://" in item or has_variable(item):
                yield Hit(line, item, f"requirements --{option}", spec.purpose, spec.form)


def parse_requirements(text: str) -> Findings:
    found = Findings()
    parser = _option_parser()
    for line, logical in _logical_lines(text):
        if not logical:
            continue
        spec, options = _split_args_options(logical)
        if spec:
            url, problem = _requirement_url(spec, line)
            if problem:
                found.problems.append(problem)
            elif url and not url.startswith(_VCS):
                found.hits.append(Hit(line, url, "requirements direct reference", "install"))
        if not options:
            continue
        try:
            values, _ = parser.parse_args(shlex.split(options))
        except (_OptionError, ValueError) as exc:
            message = f"requirements: line {line}: {mask_url(str(exc))}"
            found.problems.append(Problem(line, message))
            continue
        found.hits.extend(_option_hits(values, line))
        for include in (values.requirement or []) + (values.constraint or []):
            if "://" not in include:
                found.includes.append(Include("requirements", include, "file"))
    return found
