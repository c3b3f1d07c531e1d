"""The checks of the catalogue, as library functions.

Each function takes what it needs (a client, the expected state, paths) and returns a
`Proof`: the problems found (one readable line each, saying what is wrong and what to fix),
or, when there are none, the evidence of what it verified. Older checks return a bare list of
problems. The acceptance suite in tests/ calls these; so does nothing else that could bend
them.
"""

from __future__ import annotations

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

    @property
    def ok(self) -> bool:
        return not self.problems
