"""GitHub Actions workflows and GitLab CI files, composed by PyYAML into nodes that keep
their line numbers. `env:`/`variables:` count at every level; `run:`/`script:` bodies go
through the shell scanner."""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nexus_cutover.scan.envvars import ASSIGNMENT, env_findings
from nexus_cutover.scan.model import Findings, Hit, Include, Problem
from nexus_cutover.scan.shell import BodyParser, Line, shell_findings
from nexus_cutover.scan.text import split_lines
from nexus_cutover.scan.urls import has_variable


@dataclass(frozen=True)
class _Dialect:
    label: str
    env_keys: frozenset[str]
    script_keys: frozenset[str]


GITHUB = _Dialect("GitHub Actions", frozenset({"env"}), frozenset({"run"}))
GITLAB = _Dialect(
    "GitLab CI", frozenset({"variables"}), frozenset({"script", "before_script", "after_script"})
)


def _yaml_problem(exc: yaml.MarkedYAMLError, label: str) -> Problem:
    """Where the broken construct starts and what is wrong, from PyYAML's marks (its
    snippet of the file is left out: it may show a secret)."""
    start, found = exc.context_mark, exc.problem_mark
    mark = start or found
    if mark is None:
        return Problem(None, f"{label}: not valid YAML: {exc.problem}")
    message = f"{label}: not valid YAML at line {mark.line + 1}, column {mark.column + 1}"
    if start is not None and exc.context:
        message += f" ({exc.context})"
    message += f": {exc.problem}"
    if start is not None and found is not None and found.line != start.line:
        message += f" at line {found.line + 1}"
    return Problem(mark.line + 1, message)


def _compose(text: str, label: str) -> tuple[list[Node], Problem | None]:
    try:
        return [n for n in yaml.compose_all(text, Loader=yaml.SafeLoader) if n is not None], None
    except yaml.MarkedYAMLError as exc:
        return [], _yaml_problem(exc, label)
    except yaml.YAMLError as exc:
        return [], Problem(None, f"{label}: not valid YAML ({type(exc).__name__})")


def _scalar_lines(node: ScalarNode, raw: list[str]) -> list[Line]:
    """Script lines with their physical line numbers, without the block's indentation (a
    heredoc's end marker must start the line). A literal block maps line for line; other
    styles are folded by YAML, so they all start at the node's line."""
    if node.style != "|":
        return [(node.start_mark.line + 1, line) for line in node.value.split("\n")]
    end = node.end_mark.line + (1 if node.end_mark.column else 0)
    lines: list[Line] = []
    indent: int | None = None
    for index in range(node.start_mark.line + 1, min(end, len(raw))):
        text = raw[index]
        if text.strip():
            width = len(text) - len(text.lstrip())
            indent = width if indent is None else indent
            if width < indent:
                break
        lines.append((index + 1, text[indent or 0 :]))
    return lines


def _scripts(node: Node, raw: list[str], where: str, embedded: BodyParser) -> Findings:
    found = Findings()
    if isinstance(node, ScalarNode):
        found.add(shell_findings(_scalar_lines(node, raw), where, embedded))
    elif isinstance(node, SequenceNode):
        for item in node.value:
            found.add(_scripts(item, raw, where, embedded))
    return found


def _env_block(node: MappingNode, where: str) -> Findings:
    found = Findings()
    for key, value in node.value:
        if isinstance(value, MappingNode):  # GitLab: {value: ..., description: ...}
            value = next((v for k, v in value.value if k.value == "value"), None)
        if isinstance(key, ScalarNode) and isinstance(value, ScalarNode):
            found.add(env_findings(key.value, value.value, value.start_mark.line + 1, where))
    return found


def _action_inputs(node: MappingNode, where: str) -> Findings:
    """`with:` inputs: pypa/gh-action-pypi-publish `repository-url`, any `*index-url`, and
    docker/build-push-action `build-args` lines."""
    found = Findings()
    for key, value in node.value:
        if not (isinstance(key, ScalarNode) and isinstance(value, ScalarNode)):
            continue
        line, name, text = value.start_mark.line + 1, key.value, value.value.strip()
        if name == "build-args":
            for arg in text.splitlines():
                match = ASSIGNMENT.fullmatch(arg.strip())
                if match:
                    arg_where = f"{where} build-args"
                    found.add(env_findings(match["name"], match["value"], line, arg_where))
        elif "://" in text or has_variable(text):
            if name in ("repository-url", "repository_url"):
                found.hits.append(Hit(line, text, f"{where} with {name}", "upload"))
            elif "index-url" in name or "index_url" in name:
                found.hits.append(Hit(line, text, f"{where} with {name}", "install"))
    return found


def _walk(node: Node, dialect: _Dialect, raw: list[str], embedded: BodyParser) -> Findings:
    found = Findings()
    if isinstance(node, SequenceNode):
        for item in node.value:
            found.add(_walk(item, dialect, raw, embedded))
    if not isinstance(node, MappingNode):
        return found
    for key_node, value in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        where = f"{dialect.label} {key}"
        if key in dialect.env_keys and isinstance(value, MappingNode):
            found.add(_env_block(value, where))
        elif key in dialect.script_keys:
            found.add(_scripts(value, raw, where, embedded))
        elif key == "with" and dialect is GITHUB and isinstance(value, MappingNode):
            found.add(_action_inputs(value, dialect.label))
        else:
            found.add(_walk(value, dialect, raw, embedded))
    return found


def _local_includes(root: Node) -> list[Include]:
    if not isinstance(root, MappingNode):
        return []
    node = next((v for k, v in root.value if getattr(k, "value", None) == "include"), None)
    items = node.value if isinstance(node, SequenceNode) else [node] if node else []
    paths = []
    for item in items:
        if isinstance(item, ScalarNode) and not item.value.startswith(("http://", "https://")):
            paths.append(item.value)
        elif isinstance(item, MappingNode):
            paths += [
                v.value for k, v in item.value if k.value == "local" and isinstance(v, ScalarNode)
            ]
    return [Include("gitlab-ci", p.lstrip("/"), "project") for p in paths]


def _parse(text: str, dialect: _Dialect, embedded: BodyParser) -> Findings:
    documents, problem = _compose(text, dialect.label)
    if problem:
        return Findings(problems=[problem])
    found = Findings()
    raw = split_lines(text)
    for document in documents:
        found.add(_walk(document, dialect, raw, embedded))
        if dialect is GITLAB:
            found.includes.extend(_local_includes(document))
    return found


def parse_github_actions(text: str, embedded: BodyParser) -> Findings:
    return _parse(text, GITHUB, embedded)


def parse_gitlab_ci(text: str, embedded: BodyParser) -> Findings:
    return _parse(text, GITLAB, embedded)
