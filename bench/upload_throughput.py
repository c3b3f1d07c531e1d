"""Upload throughput: the bounded thread pool of `migrate upload` against the guide's loop.

    .venv/bin/python -m bench.upload_throughput [--files 1000] [--workers 8]

Generates N small distinct wheels (100 projects x 10 versions by default), starts the local
services (real pypiserver, Nexus stand-in), and uploads the same files
  (a) with `migrate.upload` (a bounded pool of twine Repository objects, one keep-alive
      session per worker), into the hosted repository;
  (b) with the guide's Step 3 loop, one `twine upload` process per file, into a second,
      empty hosted repository;
then checks both repositories hold every file and prints wall times, files/s and the ratio.

The wheels are written with the standard library following the wheel spec
(selftests/migrate/distfiles.py): each is a real, distinct project-version that twine and
Nexus accept; building 1,000 projects with `python -m build` would take minutes and measure
the build backend rather than the upload.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from nexus_cutover import migrate
from nexus_cutover.backends.local import start_local
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.config import Settings
from nexus_cutover.migrate.upload import hosted_files
from nexus_cutover.repoconfig import desired_body
from nexus_cutover.target import Target
from selftests.migrate.distfiles import write_wheel

LOOP_HOSTED = "bench-loop-hosted"


@dataclass(frozen=True)
class Timing:
    method: str
    files: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.files / self.seconds


def make_wheels(folder: Path, count: int) -> list[Path]:
    return [
        write_wheel(folder, f"bench-project-{n // 10:03d}", f"1.0.{n % 10}") for n in range(count)
    ]


def pooled(target: Target, folder: Path, workers: int) -> Timing:
    start = time.perf_counter()
    result = migrate.upload(target, folder, workers=workers, progress=False)
    elapsed = time.perf_counter() - start
    if not result.ok:
        sys.exit(f"pooled upload failed: {result.problems[:3]} {result.parity_missing[:3]}")
    return Timing(f"bounded pool ({workers} workers)", result.uploaded, elapsed)


def guide_loop(target: Target, wheels: list[Path], home: Path) -> Timing:
    """`for package in *.whl; do twine upload --repository-url ... "$package"; done`"""
    sandbox = Sandbox(home, target.secrets())
    url = target.nexus.repository(LOOP_HOSTED)
    start = time.perf_counter()
    for wheel in wheels:
        run = sandbox.twine(
            ["upload", "--non-interactive", "--repository-url", url, str(wheel)],
            target.nexus.credentials,
        )
        if not run.ok:
            sys.exit(f"twine upload {wheel.name} failed: {run.tail()}")
    return Timing("guide loop (1 twine process per file)", len(wheels), time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as scratch:
        root = Path(scratch)
        wheels = make_wheels(root / "wheels", args.files)
        services = start_local(root / "services")
        try:
            target = services.target(Settings())
            client = NexusClient(target.nexus)
            migrate.provision(client, target.expected, dry_run=False)
            loop_expected = target.expected.model_copy(
                update={"hosted": target.expected.hosted.model_copy(update={"name": LOOP_HOSTED})}
            )
            client.save_repository(
                "hosted", LOOP_HOSTED, desired_body("hosted", loop_expected, None), update=False
            )

            timings = [
                pooled(target, root / "wheels", args.workers),
                guide_loop(target, wheels, root / "home"),
            ]
            for repository in (target.expected.hosted.name, LOOP_HOSTED):
                held = len(hosted_files(client, repository))
                if held != args.files:
                    sys.exit(f"{repository} holds {held} files, expected {args.files}")
        finally:
            services.stop()
    report(timings, args.files)


def report(timings: list[Timing], files: int) -> None:
    print(f"{files} wheels, every one verified in its hosted repository (assets API)")
    print(f"{'method':<42} {'files':>6} {'wall s':>8} {'files/s':>8}")
    for timing in timings:
        print(f"{timing.method:<42} {timing.files:>6} {timing.seconds:>8.1f} {timing.rate:>8.1f}")
    pool, loop = timings
    print(f"speed-up of the pool over the loop: {loop.seconds / pool.seconds:.1f}x")


if __name__ == "__main__":
    main()
