"""`migrate upload` through the fault proxy (selftests/faults/proxy.py) in front of the real
stand-in: connection resets, 503 bursts, slow answers and cut-short bodies on a tenth of the
requests. The verdict must be right every time (parity claimed only when hosted, read past
the proxy, really holds every file), and runs again must get there with nothing duplicated."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nexus_cutover.backends.local import LocalServices
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import Settings
from nexus_cutover.dists import inventory_folder
from selftests.faults.proxy import (
    Action,
    FaultProxy,
    Request,
    ResetConnection,
    Rule,
    RuleSet,
    ServiceUnavailable,
    SlowDown,
    TruncateBody,
    Upstream,
)
from selftests.reliability.cli import Ran, nexus_cutover

FRACTION = 0.10  # of the requests the upload makes, each fault in turn
MAX_RUNS = 40  # resumptions allowed to reach parity through the faults


@dataclass
class Sometimes(Rule):
    """Each matching request, with probability `fraction` (seeded), gets the next fault of
    `faults` in turn: a reset, a 503, a slow answer, a body cut short."""

    fraction: float = FRACTION
    seed: int = 2024
    faults: tuple[Rule, ...] = field(
        default_factory=lambda: (
            ResetConnection(),
            ServiceUnavailable(retry_after=0),
            SlowDown(seconds=0.5),
            TruncateBody(keep=7),
        )
    )

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 (a test's dice, not a secret)
        self._lock = threading.Lock()
        self.by_kind: Counter[str] = Counter()

    def applies(self, request: Request) -> bool:
        if not super().applies(request):
            return False
        with self._lock:
            return self._random.random() < self.fraction

    def respond(self, request: Request, upstream: Upstream) -> Action:
        with self._lock:
            fault = self.faults[sum(self.by_kind.values()) % len(self.faults)]
            self.by_kind[type(fault).__name__] += 1
        return fault.respond(request, upstream)


@dataclass
class Proxied:
    services: LocalServices
    rules: RuleSet
    folder: Path

    def upload(self) -> Ran:
        return nexus_cutover(self.folder, "migrate", "upload", "--no-progress", "--workers", "4")

    def hosted(self) -> dict[str, str | None]:
        """hosted as it is, read past the proxy: name -> sha256, each asset once."""
        target = self.services.target(Settings())
        assets = [
            a
            for a in NexusClient(target.nexus).assets("pypi-hosted")
            if a.path.startswith("packages/")
        ]
        names = Counter(a.filename for a in assets)
        assert max(names.values(), default=1) == 1, names.most_common(3)
        return {a.filename: a.sha256 for a in assets}


@pytest.fixture
def proxied(provisioned: LocalServices, tmp_path: Path) -> Iterator[Proxied]:
    rules = RuleSet()
    with (
        FaultProxy(provisioned.nexus_url, rules) as rest,
        FaultProxy(provisioned.repository_url, rules) as repository,
    ):
        folder = tmp_path / "work"
        folder.mkdir()
        (folder / "cutover.toml").write_text(
            "\n".join(
                [
                    'backend = "external"',
                    "[nexus]",
                    f'url = "{rest.url}"',
                    f'repository_url = "{repository.url}"',
                    'user = "admin"',
                    f"password_file = {json.dumps(str(provisioned.secrets_dir / 'nexus-admin'))}",
                    "[pypiserver]",
                    'url = ""',
                    f"packages_dir = {json.dumps(str(provisioned.packages_dir))}",
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        yield Proxied(provisioned, rules, folder)


def right_verdict(ran: Ran, hosted: dict[str, str | None], source: dict[str, str]) -> bool:
    """The run's claim matches hosted; returns whether it claimed parity."""
    assert "Traceback" not in ran.output, ran.output
    claimed = "parity verified" in ran.out
    really = all(hosted.get(name) == digest for name, digest in source.items())
    assert claimed == (ran.code == 0), ran.output
    assert claimed <= really, f"parity claimed but hosted lacks files:\n{ran.out}"
    if not claimed:
        assert "parity NOT verified" in ran.out or ran.code == 2, ran.output
    return claimed


def test_through_ten_percent_faults_every_verdict_is_right_and_runs_again_reach_parity(
    proxied: Proxied,
) -> None:
    source = {d.filename: d.sha256 for d in inventory_folder(proxied.services.packages_dir).files}
    faults = Sometimes()
    proxied.rules.add(faults)
    runs = 0
    while True:
        runs += 1
        ran = proxied.upload()
        hosted = proxied.hosted()
        assert set(hosted) <= set(source)
        if right_verdict(ran, hosted, source) or runs == MAX_RUNS:
            break
    print(f"parity after {runs} runs; faults injected: {dict(faults.by_kind)}")  # the figures
    assert "parity verified" in ran.out, f"no parity after {runs} runs:\n{ran.output}"
    assert proxied.hosted() == source
    assert set(faults.by_kind) == {
        "ResetConnection",
        "ServiceUnavailable",
        "SlowDown",
        "TruncateBody",
    }, faults.by_kind


def test_one_run_reaches_parity_under_ten_percent_faults(proxied: Proxied) -> None:
    source = {d.filename: d.sha256 for d in inventory_folder(proxied.services.packages_dir).files}
    proxied.rules.add(Sometimes(faults=(ResetConnection(), ServiceUnavailable(retry_after=0))))
    ran = proxied.upload()
    assert ran.code == 0, ran.output
    assert "parity verified" in ran.out
    assert proxied.hosted() == source
