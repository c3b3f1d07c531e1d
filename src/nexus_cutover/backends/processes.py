"""Local server processes: free loopback ports, start detached, stop by process id."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nexus_cutover.backends.logs import file_tail
from nexus_cutover.backends.readiness import WaitStrategy, wait_until_responsive

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((LOOPBACK, port)) != 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class RunningProcess:
    name: str
    pid: int
    log: Path

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate by process id, then kill if it does not exit in time.

        A process id saved by an earlier `up` may have been reused by an unrelated process
        since: only a process whose command line names this server is signalled.
        """
        if not pid_alive(self.pid) or not self.is_ours():
            return
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _reap(self.pid):
                return
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        _reap(self.pid)

    def is_ours(self) -> bool:
        try:
            command = Path(f"/proc/{self.pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            return True  # no /proc to ask: trust the saved id
        text = command.decode("utf-8", "replace")
        return self.name in text or self.name.replace("-", "_") in text


def _reap(pid: int) -> bool:
    """True while the process still runs (reaps it if it is our exited child)."""
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass  # not our child (started by an earlier `up`): fall back to a signal probe
    return pid_alive(pid)


def start_process(
    name: str,
    command: Sequence[str],
    log: Path,
    ready: WaitStrategy,
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
) -> RunningProcess:
    """Start `command` detached, logging to `log`, and wait until `ready` says so."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as stream:
        process = subprocess.Popen(
            list(command),
            stdout=stream,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # survives the CLI that started it (`nexus-cutover up`)
        )
    running = RunningProcess(name, process.pid, log)

    def died() -> str | None:
        code = process.poll()
        return None if code is None else f"exited with status {code}"

    try:
        wait_until_responsive(
            ready, what=name, timeout=timeout, died=died, log_tail=lambda: file_tail(log, 5)
        )
    except BaseException:
        running.stop()
        raise
    return running
