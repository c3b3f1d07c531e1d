"""Scale: how upload, the parity checks and the health phase grow with files and projects.

    .venv/bin/python -m bench.scale [--files 1000 3000 10000] [--projects 1 10 50] [--rounds 1]

Two series on fresh local services (a real pypiserver and the Nexus stand-in): the number of
files at 10 projects, and the number of projects at the smallest number of files. Each
setup's corpus (bench/corpus.py, median 10 KB) is served by pypiserver next to the 117
sample files (the sample client projects need them); every command runs as a user runs it,
the installed `nexus-cutover` in a new process against the running services, timed from
spawn to exit:
  upload   `nexus-cutover migrate upload` of every file into an empty hosted repository;
  parity   `nexus-cutover run --checks PARITY-1,PARITY-2,PARITY-3` on warm servers; the first
           run after the upload is timed apart ("cold"): through the group, the proxy member
           is asked first for every file and asks its remote once per file before its
           negative cache answers (real Nexus does the same);
  health   `nexus-cutover run --phase health` (DOCKER-3 fails where no base image is present
           and DECOM-2 while pypiserver runs: both are quick and do not change the timing).
For each series the growth exponent b of time ~ size^b between its smallest and largest
setup says whether a measure grows linearly (b near 1), less (fixed costs dominate: start-up,
pip runs) or more.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import write_corpus
from nexus_cutover import migrate
from nexus_cutover.backends.local import MIGRATED_MARKER, start_local
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Settings
from nexus_cutover.samples import build_samples

CLI = str(Path(sys.executable).parent / "nexus-cutover")
MEASURES = ("upload", "parity cold", "parity", "health")


@dataclass(frozen=True)
class Setup:
    files: int
    projects: int


def timed(command: list[str], allowed: tuple[int, ...] = (0,)) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEXUS", "PYPISERVER"))}
    start = time.perf_counter()
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if run.returncode not in allowed:
        sys.exit(f"{' '.join(command[1:4])} exited {run.returncode}: {run.stdout[-1500:]}")
    return elapsed


def measure(setup: Setup, root: Path, samples: list[Path]) -> dict[str, float]:
    """One fresh set of services holding the corpus; the three commands timed."""
    corpus = write_corpus(root / "corpus", setup.files, setup.projects)
    state = root / "state"
    settings = Settings(state_dir=state)
    services = start_local(state / "local", [*corpus, *samples])
    try:
        target = services.target(settings)
        migrate.provision(NexusClient(target.nexus), target.expected, dry_run=False)
        times = {
            "upload": timed([CLI, "migrate", "upload", "--no-progress", "--state-dir", str(state)])
        }
        migrate.configure(target, [services.projects_dir], dry_run=False)
        (services.root / MIGRATED_MARKER).write_text("ok\n", encoding="utf-8")
        run = [CLI, "run", "--state-dir", str(state), "-q"]
        parity = [*run, "--checks", "PARITY-1,PARITY-2,PARITY-3"]
        times["parity cold"] = timed(parity)
        times["parity"] = timed(parity)
        times["health"] = timed([*run, "--phase", "health"], allowed=(0, 1))
        return times
    finally:
        services.stop()


def growth(sizes: list[int], seconds: list[float]) -> str:
    exponent = math.log(seconds[-1] / seconds[0]) / math.log(sizes[-1] / sizes[0])
    if exponent < 0.8:
        verdict = "less than linear"
    elif exponent <= 1.2:
        verdict = "linear"
    else:
        verdict = "MORE than linear"
    return f"b={exponent:.2f} {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--projects", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    by_files = [Setup(files, 10) for files in args.files]
    by_projects = [Setup(args.files[0], projects) for projects in args.projects]
    setups = list(dict.fromkeys([*by_files, *by_projects]))
    results: dict[Setup, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        samples = build_samples(Path(scratch) / "samples")
        for setup in setups:
            rounds = []
            for number in range(args.rounds):
                folder = Path(scratch) / f"{setup.files}-{setup.projects}-{number}"
                rounds.append(measure(setup, folder, samples))
            results[setup] = {m: statistics.median(r[m] for r in rounds) for m in MEASURES}
            row = "  ".join(f"{m} {results[setup][m]:6.1f}s" for m in MEASURES)
            print(
                f"  measured {setup.files:>6} files {setup.projects:>3} projects: {row}", flush=True
            )
    print(f"\n| files | projects | {' | '.join(f'{m} s' for m in MEASURES)} |")
    print(f"|---:|---:|{'---:|' * len(MEASURES)}")
    for setup in setups:
        cells = " | ".join(f"{results[setup][m]:.1f}" for m in MEASURES)
        print(f"| {setup.files} | {setup.projects} | {cells} |")
    print()
    for label, series, axis in (
        ("files (10 projects)", by_files, "files"),
        (f"projects ({args.files[0]} files)", by_projects, "projects"),
    ):
        sizes = [int(getattr(s, axis)) for s in series]
        verdicts = [f"{m} {growth(sizes, [results[s][m] for s in series])}" for m in MEASURES]
        print(f"growth with {label}: {'; '.join(verdicts)}")
    print(
        f"medians of {args.rounds} round(s); load average after: "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)"
    )


if __name__ == "__main__":
    main()
