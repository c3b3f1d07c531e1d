"""Start-up: how long after its process starts each command sends its first HTTP request.

    .venv/bin/python -m bench.startup [--rounds 3]

A listener on 127.0.0.1 stands for Nexus and pypiserver: it notes when the first request
arrives and answers 401, so the command stops right after (exit 2, "wrong password"). Each
command runs as a user runs it (the installed `nexus-cutover` script, a fresh process), with
a configuration naming the listener; the time is from just before the process is spawned to
the first request. `--help` and `--version` send none: their time is the whole process. The
pytest plugin's share of pytest's start is pytest on one trivial test file, with and without
the plugin. Medians of `--rounds` runs; the goals are 0.5 s to the first request, 0.3 s for
--help/--version, 0.3 s added to pytest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BIN = Path(sys.executable).parent


class _FirstRequest(ThreadingHTTPServer):
    arrived: float | None = None


class _Refuse(BaseHTTPRequestHandler):
    server: _FirstRequest

    def _answer(self) -> None:
        if self.server.arrived is None:
            self.server.arrived = time.perf_counter()
        self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def listener() -> Iterator[_FirstRequest]:
    server = _FirstRequest(("127.0.0.1", 0), _Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def to_first_request(command: Sequence[str], env: dict[str, str], cwd: Path) -> float:
    with listener() as server:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        env = {**env, "NEXUS_URL": url, "PYPISERVER_URL": url}
        start = time.perf_counter()
        subprocess.run(list(command), env=env, cwd=cwd, capture_output=True, check=False)
        if server.arrived is None:
            sys.exit(f"{' '.join(command)} sent no request")
        return server.arrived - start


def whole_process(command: Sequence[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(list(command), env=env, cwd=cwd, capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cli = str(BIN / "nexus-cutover")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        root = Path(scratch)
        (root / "packages").mkdir()
        (root / "test_trivial.py").write_text("def test_nothing():\n    pass\n")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("NEXUS", "PYPISERVER"))},
            "NEXUS_PASSWORD": "not-the-password",
            "NEXUS_CUTOVER_BACKEND": "external",
            "NEXUS_CUTOVER_STATE_DIR": str(root / "state"),
            "PYPISERVER_PACKAGES_DIR": str(root / "packages"),
        }
        pytest = [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "test_trivial.py"]
        first = {
            "migrate upload": [cli, "migrate", "upload", "--no-progress"],
            "migrate provision": [cli, "migrate", "provision"],
            "run --phase health": [cli, "run", "--phase", "health"],
        }
        whole = {
            "--help": [cli, "--help"],
            "--version": [cli, "--version"],
            "pytest, plugin loaded": pytest,
            "pytest, plugin off": [*pytest, "-p", "no:nexus_cutover"],
        }
        print(f"{'command':<28} {'median s':>9}  (what is timed; {args.rounds} rounds)")
        for name, command in first.items():
            times = [to_first_request(command, env, root) for _ in range(args.rounds)]
            print(f"{name:<28} {statistics.median(times):>9.2f}  to the first request")
        medians = {}
        for name, command in whole.items():
            times = [whole_process(command, env, root) for _ in range(args.rounds)]
            medians[name] = statistics.median(times)
            print(f"{name:<28} {medians[name]:>9.2f}  whole process")
        added = medians["pytest, plugin loaded"] - medians["pytest, plugin off"]
        print(f"{'the plugin adds to pytest':<28} {added:>9.2f}")
        print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")


if __name__ == "__main__":
    main()
