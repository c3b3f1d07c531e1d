"""Running `nexus-cutover` as users do: a real subprocess, in a folder of the test's choosing,
with an environment of its own (no variable of this machine's session leaks in)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# What a subprocess keeps from this environment: where programs are, nothing else.
KEPT = ("PATH", "LANG", "LC_ALL", "TMPDIR")


@dataclass(frozen=True)
class Ran:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err

    def one_line(self) -> str:
        """Its standard error, which must be exactly one non-empty line."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1, f"{self.args}: expected one line on stderr, got {self.err!r}"
        return lines[0]


def environment(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {name: os.environ[name] for name in KEPT if name in os.environ}
    env.update(HOME=str(home), NO_COLOR="1", COLUMNS="200", PIP_CONFIG_FILE=os.devnull)
    env.update(extra or {})
    return env


def nexus_cutover(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = 600
) -> Ran:
    """`python -m nexus_cutover ARGS` in `cwd`; `env` adds to a clean environment."""
    result = subprocess.run(
        [sys.executable, "-m", "nexus_cutover", *args],
        cwd=cwd,
        env=environment(cwd, env),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    return Ran(tuple(args), result.returncode, result.stdout, result.stderr)
