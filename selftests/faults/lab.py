"""The fault lab: migrated local services seen through two fault proxies (REST, repositories).

The suite runs against the proxies with `--backend external` and a generated cutover.toml,
exactly as against a real Nexus; the real repository URL is given as a Nexus alias so the
sample projects' files still count as Nexus. Faults are rules on the proxies (see proxy.py) or
edits of the stand-in's data folder, as an operator could make them (SQLite, blob files).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from nexus_cutover.target import Target
from selftests.breakers.lab import Lab, Verdict
from selftests.faults.proxy import FaultProxy, Rule, RuleSet

# The checks every fault run executes: all that speak to Nexus or pypiserver, none that read
# the sample projects' files (those name the real, unproxied repository URL on purpose).
FAULT_CHECKS = (
    "PRE-1,REPO-1,REPO-2,REPO-3,REPO-4,PARITY-1,PARITY-2,PARITY-3,INSTALL-1,INSTALL-2,"
    "INSTALL-3,PUBLISH-1,PUBLISH-3,TS-1,TS-2,TS-5,TS-6,TS-7,TS-8,SEC-1,SEC-2"
)


@dataclass
class FaultLab:
    lab: Lab
    rules: RuleSet
    rest: FaultProxy
    repository: FaultProxy

    @property
    def target(self) -> Target:
        """The lab's target with every Nexus URL through the proxies."""
        real = self.lab.target
        nexus = replace(real.nexus, url=self.rest.url, repository_url=self.repository.url)
        aliases = (*real.expected.nexus_aliases, real.nexus.repository_url)
        expected = real.expected.model_copy(update={"nexus_aliases": aliases})
        return replace(real, nexus=nexus, expected=expected)

    def run(self, checks: str = FAULT_CHECKS) -> dict[str, Verdict]:
        return self.lab.run(checks, target=self.target)

    @property
    def database(self) -> Path:
        return self.lab.services.nexus_data / "db" / "standin.sqlite3"

    def sql(self, statement: str, *parameters: object) -> int:
        """Change the stand-in's database as an operator could; returns the rows changed."""
        with sqlite3.connect(self.database, timeout=30) as connection:
            return connection.execute(statement, parameters).rowcount

    def blob_of(self, repository: str, filename: str) -> Path:
        with sqlite3.connect(self.database, timeout=30) as connection:
            row = connection.execute(
                "SELECT blob_ref FROM asset WHERE repository = ? AND path LIKE ?",
                (repository, f"%/{filename}"),
            ).fetchone()
        assert row is not None, f"{filename} not in {repository}"
        ref = str(row[0])
        return (
            self.lab.services.nexus_data
            / "blobs"
            / "default"
            / "content"
            / ref[:2]
            / (f"{ref}.bytes")
        )


@contextmanager
def proxied(lab: Lab) -> Iterator[FaultLab]:
    rules = RuleSet()
    target = lab.target
    with (
        FaultProxy(target.nexus.url, rules) as rest,
        FaultProxy(target.nexus.repository_url, rules) as repository,
    ):
        yield FaultLab(lab, rules, rest, repository)


@dataclass(frozen=True)
class Fault:
    """One realistic fault, the check that must catch it, and what else it breaks."""

    name: str
    where: str  # storage, index pages, REST listings, auth, migration steps, transport
    catcher: str
    phrases: tuple[str, ...]
    rules: Callable[[], list[Rule]] = field(default=lambda: [], compare=False)
    # Checks that fail too because the broken state is theirs as well.
    collateral: frozenset[str] = frozenset()
    # A data-folder edit made before the run (on fresh services).
    setup: Callable[[FaultLab], None] | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return self.name


def caught(verdicts: dict[str, Verdict], fault: Fault) -> None:
    """The fault's catcher failed naming every phrase; exactly the expected checks failed."""
    failed = {ident for ident, verdict in verdicts.items() if verdict.outcome == "failed"}
    assert failed, f"{fault}: NOT CAUGHT, every check passed: {verdicts}"
    verdict = verdicts[fault.catcher]
    assert verdict.outcome == "failed", f"{fault}: {fault.catcher} did not fail: {verdicts}"
    for phrase in fault.phrases:
        assert phrase in verdict.message, f"{fault}: message lacks {phrase!r}: {verdict.message}"
    unexpected = {
        ident: verdicts[ident].message for ident in failed - {fault.catcher} - fault.collateral
    }
    assert not unexpected, f"{fault}: other checks failed too: {unexpected}"
    quiet = fault.collateral - failed
    assert not quiet, f"{fault}: expected to fail as well, but did not: {sorted(quiet)}"
