"""Shell command lines (Dockerfile RUN, CI `run:`/`script:`, Jenkins `sh`, tox commands).

Finds pip, uv, twine and poetry options that name an index, `pip config set`, assignments
of index variables (`export`, `echo "X=.." >> $GITHUB_ENV`), heredoc bodies written to a
config file, and any other URL on a known server.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

from nexus_cutover.scan.envvars import ASSIGNMENT, env_findings, is_literal_secret, is_relevant
from nexus_cutover.scan.model import Findings, Hit, HitForm, Purpose, Secret
from nexus_cutover.scan.text import find_value, strip_comment
from nexus_cutover.scan.urls import URL_IN_TEXT, has_variable

Line = tuple[int, str]
# parses a heredoc body written to a config file: (target path, body) -> findings or None
BodyParser = Callable[[str, str], Findings | None]


class OptSpec(NamedTuple):
    canonical: str
    purpose: Purpose
    form: HitForm


_INDEX = OptSpec("--index-url", "install", "url")
_EXTRA = OptSpec("--extra-index-url", "install", "url")
_LINKS = OptSpec("--find-links", "install", "url")
_PIP_OPTIONS: dict[str, OptSpec] = {
    "-i": _INDEX,
    "--index-url": _INDEX,
    "--index": _INDEX,  # pip accepts unique prefixes of its long options
    "--extra-index-url": _EXTRA,
    "--extra-index": _EXTRA,
    "-f": _LINKS,
    "--find-links": _LINKS,
    "--trusted-host": OptSpec("--trusted-host", "trust", "host"),
}
_UV_OPTIONS: dict[str, OptSpec] = {
    "-i": _INDEX,
    "--index-url": _INDEX,
    "--extra-index-url": _EXTRA,
    "--default-index": OptSpec("--default-index", "install", "url"),
    "--index": OptSpec("--index", "install", "url"),
    "-f": _LINKS,
    "--find-links": _LINKS,
    "--allow-insecure-host": OptSpec("--allow-insecure-host", "trust", "host"),
    "--trusted-host": OptSpec("--allow-insecure-host", "trust", "host"),
    "--publish-url": OptSpec("--publish-url", "upload", "url"),
    "--check-url": OptSpec("--check-url", "install", "url"),
}
_TWINE_OPTIONS = {"--repository-url": OptSpec("--repository-url", "upload", "url")}
_OPTIONS = {"pip": _PIP_OPTIONS, "uv": _UV_OPTIONS, "twine": _TWINE_OPTIONS}
_SECRET_OPTIONS = {
    "twine": {"-p", "--password"},
    "uv publish": {"-p", "--password", "-t", "--token"},
}
PIP_CONFIG_KEYS: dict[str, OptSpec] = {
    "index-url": _INDEX,
    "extra-index-url": _EXTRA,
    "find-links": _LINKS,
    "trusted-host": OptSpec("--trusted-host", "trust", "host"),
}

_PIP = re.compile(r"pip(?:\d+(?:\.\d+)?)?(?:\.exe)?")
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)?)?(?:\.exe)?|py")
_SHELLS = {"sh", "bash", "ash", "dash", "zsh"}
_WRAPPERS = {"sudo", "env", "exec", "time", "nohup", "command", "then", "do", "else"}
_GH_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
_PLACEHOLDER = re.compile(r"__EXPR(\d+)__")
HEREDOC = re.compile(r"(?<!<)<<(?P<dash>-?)\s*(?P<q>[\"']?)(?P<word>[A-Za-z_][\w.-]*)(?P=q)")


@dataclass(frozen=True)
class _Found:
    value: str
    setting: str
    purpose: Purpose = "install"
    form: HitForm = "url"
    only_if_known: bool = False
    secret: bool = False
    env: tuple[str, str] | None = None  # (name, value) of an assignment


def tokenize(code: str) -> list[str]:
    """Shell words and operators; `${{ expr }}` (GitHub Actions) stays one word."""
    expressions: list[str] = []

    def hold(match: re.Match[str]) -> str:
        expressions.append(match.group(0))
        return f"__EXPR{len(expressions) - 1}__"

    held = _GH_EXPRESSION.sub(hold, code)
    lexer = shlex.shlex(held, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: fall back to plain words
        tokens = held.split()
    return [_PLACEHOLDER.sub(lambda m: expressions[int(m[1])], t) for t in tokens]


def _is_separator(token: str) -> bool:
    return bool(token) and set(token) <= set("();|&")


def split_commands(tokens: list[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for token in tokens:
        if _is_separator(token):
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def _program(tokens: list[str]) -> tuple[int, str] | None:
    """Index and name of the pip/uv/twine/poetry word in a simple command."""
    for i, token in enumerate(tokens):
        base = token.rsplit("/", 1)[-1]
        if _PIP.fullmatch(base):
            return i, "pip"
        if base in ("uv", "twine", "poetry"):
            return i, base
        if _PYTHON.fullmatch(base):
            module = _python_module(tokens, i + 1)
            if module is not None:
                return module
    return None


def _python_module(tokens: list[str], start: int) -> tuple[int, str] | None:
    for j in range(start, len(tokens)):
        word = tokens[j]
        if word == "-m" and j + 1 < len(tokens):
            name = tokens[j + 1]
            return (j + 1, name) if name in ("pip", "twine") else None
        if word.startswith("-m") and len(word) > 2:
            name = word[2:]
            return (j, name) if name in ("pip", "twine") else None
        if not word.startswith("-"):
            return None
    return None


def _label(program: str, args: list[str]) -> str:
    if program != "uv":
        return program
    sub = next((a for a in args if not a.startswith("-")), "")
    return f"uv {sub}".strip()


def _option_values(args: list[str], names: set[str] | dict[str, OptSpec]) -> list[tuple[str, str]]:
    """(option as named, value) for each option in `names`, in any spelling pip/argparse allow."""
    found: list[tuple[str, str]] = []
    j = 0
    while j < len(args):
        arg = args[j]
        name, value = arg, None
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif len(arg) > 2 and arg[0] == "-" and arg[1] != "-" and arg[:2] in names:
            name, value = arg[:2], arg[2:]
        if name in names:
            if value is None and j + 1 < len(args):
                j += 1
                value = args[j]
            if value is not None:
                found.append((name, value))
        j += 1
    return found


def _url_value(value: str, spec: OptSpec) -> str | None:
    if spec.canonical == "--index" and "=" in value.split("://", 1)[0]:
        value = value.split("=", 1)[1]  # uv --index name=url
    if spec.form == "host" or "://" in value or has_variable(value):
        return value
    return None  # a local path (-f ./wheels) or an index name


def _tool_findings(program: str, args: list[str], where: str) -> list[_Found]:
    label = _label(program, args)
    if program == "pip" and args[:1] == ["config"]:
        return _pip_config(args, where)
    if program == "poetry":
        return _poetry(args, where)
    found: list[_Found] = []
    options = _OPTIONS.get(program, {})
    for name, value in _option_values(args, options):
        spec = options[name]
        url = _url_value(value, spec)
        if url is not None:
            setting = f"{where} {label} {spec.canonical}"
            found.append(_Found(url, setting, spec.purpose, spec.form))
    secret_options = _SECRET_OPTIONS.get(label, _SECRET_OPTIONS.get(program, set()))
    for name, value in _option_values(args, secret_options):
        if is_literal_secret(value):
            found.append(_Found(value, f"{where} {label} {name}", secret=True))
    return found


def _pip_config(args: list[str], where: str) -> list[_Found]:
    words = [a for a in args[1:] if not a.startswith("-")]
    if len(words) < 3 or words[0] != "set":
        return []
    key, value = words[1], words[2]
    option = key.split(".", 1)[-1].lower().replace("_", "-")
    spec = PIP_CONFIG_KEYS.get(option)
    if spec is None:
        return []
    setting = f"{where} pip config {key}"
    return [
        _Found(item, setting, spec.purpose, spec.form)
        for item in value.split()
        if _url_value(item, spec) is not None
    ]


def _poetry(args: list[str], where: str) -> list[_Found]:
    words = [a for a in args if not a.startswith("-")]
    if words[:2] == ["source", "add"] and len(words) >= 4:
        return [_Found(words[3], f"{where} poetry source add")]
    if words[:1] == ["config"] and len(words) >= 3:
        key = words[1]
        if key.startswith("repositories."):
            return [_Found(words[2], f"{where} poetry config {key}", "upload")]
        if key.startswith("http-basic.") and len(words) >= 4 and is_literal_secret(words[3]):
            return [_Found(words[3], f"{where} poetry config {key}", secret=True)]
        if key.startswith("pypi-token.") and is_literal_secret(words[2]):
            return [_Found(words[2], f"{where} poetry config {key}", secret=True)]
    return []


def _curl_secret(tokens: list[str], where: str) -> list[_Found]:
    if not tokens or tokens[0].rsplit("/", 1)[-1] != "curl":
        return []
    return [
        _Found(value, f"{where} curl --user", secret=True)
        for _, value in _option_values(tokens[1:], {"-u", "--user"})
        if ":" in value and is_literal_secret(value.split(":", 1)[1])
    ]


def _command_name(tokens: list[str]) -> str:
    for token in tokens:
        base = token.rsplit("/", 1)[-1]
        if base not in _WRAPPERS and not ASSIGNMENT.fullmatch(token):
            return base
    return "command"


def command_findings(tokens: list[str], where: str) -> list[_Found]:
    """What one simple command (no separators) names, in token order."""
    found: list[_Found] = []
    program = _program(tokens)
    if program is not None:
        index, name = program
        found.extend(_tool_findings(name, tokens[index + 1 :], where))
    found.extend(_curl_secret(tokens, where))
    claimed = {f.value for f in found}
    for token in tokens:
        match = ASSIGNMENT.fullmatch(token)
        if match and is_relevant(match["name"]):
            found.append(_Found(match["value"], "", env=(match["name"], match["value"])))
            claimed.add(match["value"])
            continue
        for url in URL_IN_TEXT.findall(token):
            if url not in claimed and not any(url in c for c in claimed):
                setting = f"{where} {_command_name(tokens)} URL"
                found.append(_Found(url, setting, only_if_known=True))
    return found


class _Locator:
    """Finds each value on the physical lines of one logical command, left to right."""

    def __init__(self, segments: Sequence[Line]) -> None:
        self.segments = segments
        self.index, self.pos = 0, 0

    def line_of(self, value: str) -> int:
        for index in range(self.index, len(self.segments)):
            number, text = self.segments[index]
            pos = find_value(text, value, self.pos if index == self.index else 0)
            if pos != -1:
                self.index, self.pos = index, pos + len(value)
                return number
        return self.segments[0][0]


def _record(found: list[_Found], segments: Sequence[Line], where: str) -> Findings:
    out = Findings()
    locator = _Locator(segments)
    for item in found:
        if item.env is not None:
            name, value = item.env
            out.add(env_findings(name, value, locator.line_of(value), where))
        elif item.secret:
            out.secrets.append(Secret(locator.line_of(item.value), item.setting))
        else:
            line = locator.line_of(item.value)
            out.hits.append(
                Hit(line, item.value, item.setting, item.purpose, item.form, item.only_if_known)
            )
    return out


def _logical_lines(lines: Sequence[Line], start: int) -> tuple[list[Line], int]:
    """The physical lines of one command joined by trailing backslashes, and the next index."""
    segments: list[Line] = []
    index = start
    while index < len(lines):
        segments.append(lines[index])
        index += 1
        if not strip_comment(lines[index - 1][1]).rstrip().endswith("\\"):
            break
    return segments, index


def _joined(segments: Sequence[Line]) -> str:
    parts = []
    for _, text in segments:
        code = strip_comment(text).rstrip()
        parts.append(code.removesuffix("\\"))
    return " ".join(parts)


@dataclass(frozen=True)
class _Heredoc:
    word: str
    strip_tabs: bool
    target: str | None
    is_script: bool


def _heredocs(code: str, commands: list[list[str]]) -> list[_Heredoc]:
    markers = list(HEREDOC.finditer(code))
    owners = [c for c in commands for t in c if t == "<<"]
    result = []
    for i, marker in enumerate(markers):
        command = owners[i] if i < len(owners) else []
        result.append(_Heredoc(marker["word"], bool(marker["dash"]), *_heredoc_target(command)))
    return result


def _heredoc_target(command: list[str]) -> tuple[str | None, bool]:
    words = [t for t in command if t not in ("<<",)]
    for i, token in enumerate(command):
        if token in (">", ">>", ">|", "&>") and i + 1 < len(command):
            return command[i + 1], False
    name = _command_name(words) if words else ""
    if name == "tee":
        args = [w for w in words[1:] if not w.startswith("-")]
        return (args[0] if args else None), False
    before = command[: command.index("<<")] if "<<" in command else command
    return None, not before or name in _SHELLS


def _body(lines: Sequence[Line], start: int, doc: _Heredoc) -> tuple[list[Line], int]:
    body: list[Line] = []
    index = start
    while index < len(lines):
        number, text = lines[index]
        index += 1
        if (text.lstrip("\t") if doc.strip_tabs else text).rstrip() == doc.word:
            break
        body.append((number, text))
    return body, index


def heredoc_findings(
    body: list[Line], target: str | None, is_script: bool, where: str, parse_body: BodyParser
) -> Findings:
    """A heredoc body: a config file when its target names one, a script, or plain text."""
    if not body:
        return Findings()
    if is_script:
        return shell_findings(body, f"{where} heredoc", parse_body)
    if target is not None:
        parsed = parse_body(target, "\n".join(text for _, text in body))
        if parsed is not None:
            line_of = {i + 1: number for i, (number, _) in enumerate(body)}
            return parsed.shifted(line_of, f"{where} heredoc {target}")
    out = Findings()
    for number, text in body:
        name = PurePosixPath(target).name if target else "text"
        out.hits.extend(
            Hit(number, url, f"{where} heredoc {name} URL", "install", only_if_known=True)
            for url in URL_IN_TEXT.findall(strip_comment(text))
        )
    return out


def shell_findings(lines: Sequence[Line], where: str, parse_body: BodyParser) -> Findings:
    """Everything a shell script names; `lines` are (line number, physical text)."""
    out = Findings()
    index = 0
    while index < len(lines):
        segments, index = _logical_lines(lines, index)
        code = _joined(segments)
        commands = split_commands(tokenize(code))
        found = [f for command in commands for f in command_findings(command, where)]
        out.add(_record(found, segments, where))
        for doc in _heredocs(code, commands):
            body, index = _body(lines, index, doc)
            out.add(heredoc_findings(body, doc.target, doc.is_script, where, parse_body))
    return out


def tokens_findings(tokens: list[str], segments: Sequence[Line], where: str) -> Findings:
    """An exec-form command (`RUN ["pip", "install", ...]`): the words are already split."""
    return _record(command_findings(tokens, where), segments, where)
