"""Upload throughput: `nexus-cutover migrate upload` against the guide's loop and the ceiling.

    .venv/bin/python -m bench.upload_throughput [--files 1000 10000] [--workers 8]
        [--rounds 3] [--loop-files 100] [--sweep 1,2,4,8,16]

For each size, one fresh local Nexus stand-in and a corpus of distinct files (bench/corpus.py:
wheels and sdists of 100 projects, median 10 KB). Each round uploads the corpus into fresh,
empty hosted repositories of that server, three ways:
  cli   `nexus-cutover migrate upload` as a user runs it: the installed script, a new
        process, a configuration file naming the server; timed from spawn to exit;
  pool  the ceiling: a minimal keep-alive upload pool in this process (N threads, one
        requests Session each, name/version/content only, no checks, no retries);
  loop  the guide's Step 3: one `twine upload` process per file, on the first
        --loop-files files (its rate does not depend on the count).
Every repository is then read back through the assets API and must hold every file. Medians
of the rounds; the ratio cli/pool is the goal (>= 0.9, whole process included). --sweep
runs cli and pool once per worker count on the first size, to choose the default.
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
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
from packaging.utils import parse_sdist_filename, parse_wheel_filename

from bench.corpus import write_corpus
from nexus_cutover import migrate
from nexus_cutover.backends.local import LocalServices, start_local
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.config import Settings
from nexus_cutover.migrate.upload import hosted_files
from nexus_cutover.repoconfig import desired_body

CLI = str(Path(sys.executable).parent / "nexus-cutover")


@dataclass(frozen=True)
class Timing:
    method: str
    files: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.files / self.seconds


class Bench:
    """One fresh server and a corpus; each run uploads into a new empty hosted repository."""

    def __init__(self, services: LocalServices, corpus: Path, scratch: Path) -> None:
        self.services = services
        self.target = services.target(Settings())
        self.client = NexusClient(self.target.nexus)
        self.corpus = corpus
        self.files = sorted(corpus.iterdir())
        self.scratch = scratch
        self.created = 0

    def new_hosted(self, method: str) -> str:
        self.created += 1
        name = f"bench-{method}-{self.created}"
        expected = self.target.expected.model_copy(
            update={"hosted": self.target.expected.hosted.model_copy(update={"name": name})}
        )
        self.client.save_repository(
            "hosted", name, desired_body("hosted", expected, None), update=False
        )
        return name

    def verify(self, hosted: str, count: int) -> None:
        held = len(hosted_files(self.client, hosted))
        if held != count:
            sys.exit(f"{hosted} holds {held} files, expected {count}")

    def cli(self, workers: int) -> Timing:
        hosted = self.new_hosted("cli")
        config = self.scratch / f"{hosted}.toml"
        nexus = self.target.nexus
        config.write_text(
            f'backend = "external"\nstate_dir = "{self.scratch / hosted}"\n'
            f'[nexus]\nurl = "{nexus.url}"\nrepository_url = "{nexus.repository_url}"\n'
            f'user = "admin"\npassword_file = "{self.services.secrets_dir / "nexus-admin"}"\n'
            f'[pypiserver]\nurl = ""\npackages_dir = "{self.corpus}"\n'
            f'[expected.hosted]\nname = "{hosted}"\n',
            encoding="utf-8",
        )
        command = [CLI, "--config", str(config), "migrate", "upload", "--no-progress"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEXUS", "PYPISERVER"))}
        start = time.perf_counter()
        run = subprocess.run(
            [*command, "--workers", str(workers)], env=env, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - start
        if run.returncode != 0:
            sys.exit(f"migrate upload failed ({run.returncode}): {run.stdout[-800:]}{run.stderr}")
        self.verify(hosted, len(self.files))
        return Timing(f"cli, {workers} workers", len(self.files), elapsed)

    def pool(self, workers: int) -> Timing:
        hosted = self.new_hosted("pool")
        url = self.target.nexus.repository(hosted)
        credentials = self.target.nexus.credentials
        auth = credentials.as_tuple() if credentials else None
        start = time.perf_counter()
        minimal_pool(url, auth, self.files, workers)
        elapsed = time.perf_counter() - start
        self.verify(hosted, len(self.files))
        return Timing(f"pool, {workers} workers", len(self.files), elapsed)

    def loop(self, count: int) -> Timing:
        """`for f in packages/*; do twine upload --repository-url ... "$f"; done`"""
        hosted = self.new_hosted("loop")
        files = self.files[:count]
        sandbox = Sandbox(self.scratch / f"{hosted}-home", self.target.secrets())
        url = self.target.nexus.repository(hosted)
        start = time.perf_counter()
        for path in files:
            run = sandbox.twine(
                ["upload", "--non-interactive", "--repository-url", url, str(path)],
                self.target.nexus.credentials,
            )
            if not run.ok:
                sys.exit(f"twine upload {path.name} failed: {run.tail()}")
        elapsed = time.perf_counter() - start
        self.verify(hosted, len(files))
        return Timing("loop, 1 twine process per file", len(files), elapsed)


def minimal_pool(
    url: str, auth: tuple[str, str] | None, files: Sequence[Path], workers: int
) -> None:
    """The least an uploader can do: POST name, version and the file, on keep-alive."""
    local = threading.local()

    def session() -> requests.Session:
        found: requests.Session | None = getattr(local, "session", None)
        if found is None:
            found = requests.Session()
            found.auth = auth
            local.session = found
        return found

    def upload(path: Path) -> None:
        name, version = _name_version(path.name)
        with path.open("rb") as stream:
            answer = session().post(
                url,
                data={
                    ":action": "file_upload",
                    "protocol_version": "1",
                    "name": name,
                    "version": version,
                },
                files={"content": (path.name, stream, "application/octet-stream")},
                timeout=60,
            )
        if answer.status_code >= 300:
            raise SystemExit(f"pool upload of {path.name} answered {answer.status_code}")

    with ThreadPoolExecutor(max_workers=workers) as executor:
        list(executor.map(upload, files))


def _name_version(filename: str) -> tuple[str, str]:
    if filename.endswith(".whl"):
        name, version, *_ = parse_wheel_filename(filename)
    else:
        name, version = parse_sdist_filename(filename)
    return str(name), str(version)


def median_timing(timings: list[Timing]) -> Timing:
    seconds = statistics.median(t.seconds for t in timings)
    return Timing(timings[0].method, timings[0].files, seconds)


def measure_size(files: int, args: argparse.Namespace, root: Path, sweep: bool) -> None:
    corpus = root / f"corpus-{files}"
    write_corpus(corpus, files, projects=100)
    services = start_local(root / f"services-{files}")
    try:
        bench = Bench(services, corpus, root)
        migrate.provision(bench.client, bench.target.expected, dry_run=False)
        if sweep:
            report_sweep(bench, args)
        rounds = {"cli": [], "pool": [], "loop": []}  # type: dict[str, list[Timing]]
        for _ in range(args.rounds):
            rounds["pool"].append(bench.pool(args.workers))
            rounds["cli"].append(bench.cli(args.workers))
            rounds["loop"].append(bench.loop(min(args.loop_files, files)))
        report(files, {method: median_timing(t) for method, t in rounds.items()}, args.rounds)
    finally:
        services.stop()


def report_sweep(bench: Bench, args: argparse.Namespace) -> None:
    print(f"worker sweep, {len(bench.files)} files (one round each):")
    print(f"  {'workers':>7} {'cli files/s':>12} {'pool files/s':>13} {'cli/pool':>9}")
    for workers in args.sweep:
        pool, cli = bench.pool(workers), bench.cli(workers)
        print(f"  {workers:>7} {cli.rate:>12.0f} {pool.rate:>13.0f} {cli.rate / pool.rate:>9.2f}")


def report(files: int, timings: dict[str, Timing], rounds: int) -> None:
    print(f"\n{files} files (corpus of 100 projects), medians of {rounds} rounds:")
    print(f"  {'method':<34} {'files':>6} {'wall s':>8} {'files/s':>8}")
    for timing in timings.values():
        print(f"  {timing.method:<34} {timing.files:>6} {timing.seconds:>8.2f} {timing.rate:>8.1f}")
    cli, pool, loop = timings["cli"], timings["pool"], timings["loop"]
    print(
        f"  cli / pool rate: {cli.rate / pool.rate:.2f}"
        f"   cli / loop rate: {cli.rate / loop.rate:.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loop-files", type=int, default=100)
    parser.add_argument(
        "--sweep", type=lambda text: [int(n) for n in text.split(",")], default=None
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as scratch:
        for number, files in enumerate(args.files):
            measure_size(files, args, Path(scratch), sweep=number == 0 and bool(args.sweep))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")


if __name__ == "__main__":
    main()
