"""DOCKER-3: every project Dockerfile that installs Python packages builds, pip resolving
through Nexus.

Each Dockerfile is built with the Docker CLI from its project folder (the build context), on
the configured build network (default: the host's, so an index on 127.0.0.1 is reachable),
with `--add-host` for names that only the builds know (the Docker-side name of Nexus, e.g.
`maestro-nexus`). A failing build is a problem line ending with the tail of its log.

Where base images cannot be pulled, `base_images` maps a FROM image to a local one (e.g.
`python:3.11-slim` -> `nexus-cutover/python:3.11`) and `pull=False` turns a missing base
image into a problem instead of a pull. Builders without heredoc support (the legacy builder,
Docker without buildx) get `RUN`/`COPY` heredocs translated into equivalent plain
instructions. Both rewrite a copy of the project; the project itself is never touched.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from nexus_cutover.checks import Proof
from nexus_cutover.checks.clients import installing_dockerfiles
from nexus_cutover.config import DockerBuildSettings
from nexus_cutover.redact import redact
from nexus_cutover.target import Target

HeredocMode = Literal["auto", "native", "translate"]

LOCAL_PYTHON_IMAGE = "nexus-cutover/python:3.11"
# What .ci/docker-setup's image stands in for: the fixture projects' base images.
LOCAL_BASE_IMAGES: Mapping[str, str] = {
    "python:3.11-slim": LOCAL_PYTHON_IMAGE,
    "ghcr.io/astral-sh/uv:python3.11-bookworm-slim": LOCAL_PYTHON_IMAGE,
}
HEREDOC_DIR = ".nexus-cutover-heredocs"
TAG_REPOSITORY = "nexus-cutover-docker3"

_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_INSTRUCTIONS = ("RUN", "COPY", "ADD")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# What the Docker CLI prints about the legacy builder on every build: not the build's story.
_NOTICES = (
    "DEPRECATED: The legacy builder",
    "BuildKit is currently disabled",
    "environment-variable.",
    "Install the buildx component",
    "https://docs.docker.com/go/buildx",
)


def local_build_images(settings: DockerBuildSettings | None = None) -> DockerBuildSettings:
    """The base images .ci/docker-setup builds, the guide's host names on 127.0.0.1."""
    return (settings or DockerBuildSettings()).model_copy(
        update={
            "base_images": dict(LOCAL_BASE_IMAGES),
            "pull": False,
            "add_hosts": {"maestro-nexus": "127.0.0.1", "pypi-server": "127.0.0.1"},
        }
    )


@dataclass(frozen=True)
class Rewritten:
    text: str
    files: Mapping[str, str]  # context-relative path -> content (COPY heredocs)
    base_images: tuple[str, ...]  # external FROM images after substitution
    changed: bool


def dockerfiles_build(
    projects: Sequence[Path], target: Target, options: DockerBuildSettings
) -> Proof:
    """DOCKER-3: build each installing Dockerfile; one problem line per failing build."""
    translate = _translates_heredocs(options)
    hosts = {**alias_hosts(target), **options.add_hosts}
    problems = []
    built = []
    for project in projects:
        if not project.is_dir():
            problems.append(f"{project}: project folder not found")
            continue
        for dockerfile in installing_dockerfiles(project):
            problem = build_problem(
                project, dockerfile, options, hosts, translate, target.secrets()
            )
            if problem:
                problems.append(problem)
            else:
                built.append(f"{project.name}/{dockerfile.relative_to(project).as_posix()}")
    if not problems and not built:
        problems.append("no Dockerfile installs Python packages: nothing was built")
    return Proof.of(
        problems,
        f"{len(built)} Dockerfiles built, pip resolving through Nexus: {', '.join(built)}",
    )


def alias_hosts(target: Target) -> dict[str, str]:
    """Nexus's other names (expected.nexus_aliases) -> the address the target reaches it on,
    when that is an IP address (so builds on the host network reach the same server)."""
    nexus_host = urlsplit(target.nexus.repository_url).hostname or ""
    try:
        ipaddress.ip_address(nexus_host)
    except ValueError:
        return {}
    names = (urlsplit(alias).hostname for alias in target.expected.nexus_aliases)
    return {name: nexus_host for name in names if name and name != nexus_host}


def build_problem(
    project: Path,
    dockerfile: Path,
    options: DockerBuildSettings,
    hosts: Mapping[str, str],
    translate: bool,
    secret_values: Sequence[str] = (),
) -> str | None:
    """Build one Dockerfile; None when it builds, else '<project>/<file> ...: <log tail>'."""
    relative = dockerfile.relative_to(project).as_posix()
    name = f"{project.name}/{relative}"
    try:
        source = dockerfile.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"{name} cannot be read: {error}"
    rewritten = rewrite_dockerfile(source, options.base_images, translate)
    if not options.pull:
        missing = [image for image in rewritten.base_images if not image_present(options, image)]
        if missing:
            return (
                f"{name} cannot be built here: base image {', '.join(missing)} is not"
                " present and pulls are off; map it to a local image"
                " (NEXUS_CUTOVER_BASE_IMAGES) or pull it"
            )
    tag = f"{TAG_REPOSITORY}/{_slug(name)}:{secrets.token_hex(4)}"
    with _context(project, relative, rewritten) as context:
        command = build_command(options, context, context / relative, tag, hosts, translate)
        # Heredocs are translated exactly when the builder is the legacy one (no buildx).
        ok, output = _run(command, options, legacy=translate)
    if ok and not options.keep_images:
        _run([options.docker, "image", "rm", "--force", tag], options, legacy=translate)
    if ok:
        return None
    return f"{name} does not build: {redact(log_tail(output, options.tail_lines), secret_values)}"


def log_tail(output: str, lines: int) -> str:
    """The last meaningful lines of a build log on one line: no colours, no builder notices."""
    stripped = (line.strip() for line in _ANSI.sub("", output).splitlines())
    kept = [line for line in stripped if line and not line.startswith(_NOTICES)]
    return " | ".join(kept[-lines:]) or "(no output)"


def build_command(
    options: DockerBuildSettings,
    context: Path,
    dockerfile: Path,
    tag: str,
    hosts: Mapping[str, str],
    legacy: bool,
) -> list[str]:
    command = [options.docker, "build", "--file", str(dockerfile), "--tag", tag]
    if options.network:
        command += ["--network", options.network]
    for host, address in sorted(hosts.items()):
        command += ["--add-host", f"{host}:{address}"]
    for key in sorted(options.build_args):
        # The value comes from the environment (see _run): it may hold a credential.
        command += ["--build-arg", key]
    if legacy:
        command.append("--force-rm")  # the legacy builder keeps failed steps' containers
    return [*command, str(context)]


def image_present(options: DockerBuildSettings, image: str) -> bool:
    ok, _output = _run([options.docker, "image", "inspect", image], options, legacy=False)
    return ok


def _translates_heredocs(options: DockerBuildSettings) -> bool:
    if options.heredocs != "auto":
        return options.heredocs == "translate"
    ok, _output = _run([options.docker, "buildx", "version"], options, legacy=False)
    return not ok


def _run(command: Sequence[str], options: DockerBuildSettings, legacy: bool) -> tuple[bool, str]:
    env = {**os.environ, **options.build_args}
    if legacy:
        env["DOCKER_BUILDKIT"] = "0"  # without buildx, DOCKER_BUILDKIT=1 refuses to build
    try:
        result = subprocess.run(
            list(command),
            capture_output=True,
            text=True,
            env=env,
            timeout=options.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        partial = expired.stdout or ""
        text = partial.decode(errors="replace") if isinstance(partial, bytes) else partial
        return False, f"{text}\ntimed out after {options.timeout:.0f}s"
    except FileNotFoundError:
        return False, f"{options.docker}: Docker CLI not found"
    return result.returncode == 0, result.stdout + result.stderr


@contextmanager
def _context(project: Path, relative: str, rewritten: Rewritten) -> Iterator[Path]:
    """The project itself, or a scratch copy holding the rewritten Dockerfile."""
    if not rewritten.changed:
        yield project
        return
    with tempfile.TemporaryDirectory(prefix="nexus-cutover-docker3-") as scratch:
        context = Path(scratch) / project.name
        shutil.copytree(project, context, symlinks=True)
        (context / relative).write_text(rewritten.text, encoding="utf-8")
        for path, content in rewritten.files.items():
            (context / path).parent.mkdir(parents=True, exist_ok=True)
            (context / path).write_text(content, encoding="utf-8")
        ignore = context / ".dockerignore"
        if rewritten.files and ignore.is_file():
            # An allow-list .dockerignore ("*" then "!...") would hide the heredoc files.
            with ignore.open("a", encoding="utf-8") as stream:
                stream.write(f"\n!{HEREDOC_DIR}\n")
        yield context


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "dockerfile"


def rewrite_dockerfile(
    text: str, base_images: Mapping[str, str], translate_heredocs: bool
) -> Rewritten:
    """Substitute FROM images and (optionally) translate heredocs; list the base images."""
    lines = text.splitlines()
    out: list[str] = []
    files: dict[str, str] = {}
    stages: set[str] = set()
    bases: list[str] = []
    index = 0
    while index < len(lines):
        start = index
        while lines[index].rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
        instruction = lines[start : index + 1]
        index += 1
        keyword = _keyword(instruction[0])
        if keyword == "FROM":
            instruction = _substitute_from(instruction, base_images, stages, bases)
        elif translate_heredocs and keyword in _HEREDOC_INSTRUCTIONS:
            markers = _heredoc_markers(" ".join(instruction), keyword)
            if markers:
                bodies, after = _read_bodies(lines, index, markers)
                if bodies is not None:  # else: kept as is, the builder reports it
                    instruction = _translate(keyword, instruction, markers, bodies, files)
                    index = after
        out.extend(instruction)
    new_text = "\n".join(out) + ("\n" if text.endswith("\n") else "")
    return Rewritten(new_text, files, tuple(bases), new_text != text or bool(files))


def _keyword(line: str) -> str:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return ""
    return stripped.split(None, 1)[0].upper()


def _substitute_from(
    instruction: list[str], base_images: Mapping[str, str], stages: set[str], bases: list[str]
) -> list[str]:
    """`FROM [--platform=..] image [AS name]`: map the image; remember stage names."""
    words = " ".join(part.rstrip().removesuffix("\\") for part in instruction).split()
    position = next((i for i, word in enumerate(words[1:], 1) if not word.startswith("--")), None)
    if position is None:
        return instruction
    image = words[position]
    if len(words) > position + 2 and words[position + 1].upper() == "AS":
        stages.add(words[position + 2].lower())
    substitute = base_images.get(image) or base_images.get(_short_name(image))
    final = substitute or image
    if final.lower() not in stages and final != "scratch" and "$" not in final:
        bases.append(final)
    if not substitute:
        return instruction
    words[position] = substitute
    return [" ".join(words)]


def _short_name(image: str) -> str:
    """docker.io/library/python:3.11 -> python:3.11, the form a mapping is likely to use."""
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/"):
        if image.startswith(prefix):
            return image[len(prefix) :]
    return image


def _heredoc_markers(instruction: str, keyword: str) -> list[tuple[bool, str]]:
    """(strip tabs, delimiter) for each `<<WORD` of a shell-form instruction."""
    body = instruction.strip()[len(keyword) :].strip()
    if body.startswith("["):
        return []  # exec form: no heredocs
    return [(dash == "-", word) for dash, _quote, word in _HEREDOC.findall(body)]


def _read_bodies(
    lines: list[str], index: int, markers: list[tuple[bool, str]]
) -> tuple[list[list[str]] | None, int]:
    """The heredoc bodies after an instruction, in order; None if a terminator is missing."""
    bodies = []
    for strip_tabs, word in markers:
        body: list[str] = []
        while index < len(lines):
            line = lines[index].lstrip("\t") if strip_tabs else lines[index]
            index += 1
            if line == word:
                break
            body.append(line)
        else:
            return None, index
        bodies.append(body)
    return bodies, index


def _translate(
    keyword: str,
    instruction: list[str],
    markers: list[tuple[bool, str]],
    bodies: list[list[str]],
    files: dict[str, str],
) -> list[str]:
    joined = " ".join(part.rstrip().removesuffix("\\").strip() for part in instruction)
    if keyword == "RUN":
        return [_translate_run(joined, markers, bodies)]
    return [_translate_copy(joined, markers, bodies, files)]


def _translate_run(joined: str, markers: list[tuple[bool, str]], bodies: list[list[str]]) -> str:
    """The shell runs what BuildKit would run: the command with its heredocs, or (for a bare
    `RUN <<EOF`) the body as a script. Base64 keeps it one line for the legacy parser."""
    _keyword, rest = joined.split(None, 1)
    words = rest.split()
    flags = []
    while words and words[0].startswith("--"):  # RUN --mount=... --network=...
        flags.append(words.pop(0))
    command = " ".join(words)
    if len(markers) == 1 and _HEREDOC.fullmatch(command):
        script = "\n".join(bodies[0]) + "\n"
        if script.startswith("#!"):  # BuildKit runs such a body as an executable file
            run = (
                f"printf %s {_b64(script)} | base64 -d > /tmp/.heredoc"
                " && chmod +x /tmp/.heredoc && /tmp/.heredoc && rm -f /tmp/.heredoc"
            )
        else:
            run = f'eval "$(printf %s {_b64(script)} | base64 -d)"'
        return " ".join(["RUN", *flags, run])
    lines = [command]
    for (_strip_tabs, word), body in zip(markers, bodies, strict=True):
        lines += [*body, word]
    script = "\n".join(lines) + "\n"
    return " ".join(["RUN", *flags, f'eval "$(printf %s {_b64(script)} | base64 -d)"'])


def _translate_copy(
    joined: str, markers: list[tuple[bool, str]], bodies: list[list[str]], files: dict[str, str]
) -> str:
    """`COPY <<NAME dest`: the body becomes a file NAME in the context (no ARG expansion)."""
    result = joined
    for (_strip_tabs, word), body in zip(markers, bodies, strict=True):
        path = f"{HEREDOC_DIR}/{len(files)}/{word}"
        files[path] = "\n".join(body) + "\n"
        match = _HEREDOC.search(result)
        if match:
            result = result[: match.start()] + path + result[match.end() :]
    return result


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")
