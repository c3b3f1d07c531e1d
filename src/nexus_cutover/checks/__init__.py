"""The checks of the catalogue, as library functions.

Each function takes what it needs (a client, the expected state, paths) and returns a
`Proof`: the problems found (one readable line each, saying what is wrong and what to fix),
or, when there are none, the evidence of what it verified, in one line. A check never passes
on the absence of a finding alone: it says what it positively saw. The acceptance suite in
tests/ calls these and hands each proof to the `prove` fixture; nothing else can bend them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

Problems = list[str]


@dataclass(frozen=True)
class Proof:
    """What a check found: problems (it failed), else the evidence of what it verified."""

    problems: Problems = field(default_factory=list)
    evidence: str = ""

    @classmethod
    def failed(cls, *problems: str) -> Proof:
        return cls(list(problems))

    @classmethod
    def passed(cls, evidence: str) -> Proof:
        return cls([], evidence)

    @classmethod
    def of(cls, problems: Problems, evidence: str) -> Proof:
        """Failed with `problems` when there are any, else passed with `evidence`."""
        return cls(list(problems)) if problems else cls([], evidence)

    @property
    def ok(self) -> bool:
        return not self.problems

    def then(self, other: Proof) -> Proof:
        """Both proofs: the problems of either, else both evidence lines."""
        if not self.ok or not other.ok:
            return Proof([*self.problems, *other.problems])
        return Proof.passed("; ".join(filter(None, (self.evidence, other.evidence))))


def listing(items: Iterable[str], limit: int = 5, separator: str = ", ") -> str:
    """At most `limit` items, then how many more (messages stay one readable line)."""
    shown = list(items)
    head = separator.join(shown[:limit])
    return head + (f" and {len(shown) - limit} more" if len(shown) > limit else "")


def count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"
