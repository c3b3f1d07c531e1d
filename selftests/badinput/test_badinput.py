"""Every bad input of the corpus (cases.py), through the real command line: the documented
exit code, one readable line naming the thing, no traceback, no password, and nothing
written (no state folder, no half archive, no report; nothing uploaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from selftests.badinput.cases import CASES, Case
from selftests.badinput.conftest import World
from selftests.reliability.cli import nexus_cutover

SECRET_WORDS = ("Hunter-in-toml-2", "Hunter-in-url-2", "Wrong-Password-7", "Secret-In-From-9")


def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"{{{key}}}", value)
    return text


def tree(folder: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, world: World, tmp_path: Path) -> None:
    values = world.values()
    folder = tmp_path / "here"
    folder.mkdir()
    for relative, content in case.files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if relative.endswith("/"):
            path.mkdir()  # an empty folder
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(fill(content, values), encoding="utf-8")
    before = tree(folder)
    env = {name: fill(value, values) for name, value in case.env.items()}
    ran = nexus_cutover(folder, *(fill(a, values) for a in case.args), env=env, timeout=300)

    assert ran.code == case.code, f"{case.name}: exit {ran.code}\n{ran.output}"
    message = ran.one_line() if case.stream == "err" else " ".join(ran.out.split())
    for phrase in case.phrases:
        assert fill(phrase, values) in message, f"{case.name}: {phrase!r} not in {message!r}"
    assert "Traceback" not in ran.output
    passwords = [*SECRET_WORDS, values["admin_pw"], values["pypi_pw"]]
    assert [p for p in passwords if p in ran.output] == []
    assert tree(folder) == before, f"{case.name} wrote or changed files"
    assert world.hosted_files() == [], f"{case.name} uploaded something"


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    from selftests.badinput import cases

    kinds = (
        cases.CONFIGURATION,
        cases.CREDENTIALS,
        cases.NETWORK,
        cases.TLS,
        cases.DISTRIBUTIONS,
        cases.PROJECT_TREES,
    )
    assert len(CASES) >= 40
    assert all(len(kind) >= 5 for kind in kinds)
    assert len({case.name for case in CASES}) == len(CASES)
