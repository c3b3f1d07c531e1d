"""The catalogue is whole: one acceptance test per check ID, and a breaker for each."""

import ast
import re
from pathlib import Path

from nexus_cutover.catalogue import CHECK_IDS, CHECKLIST

ROOT = Path(__file__).resolve().parents[2]


def _marked_checks(folder: Path) -> list[str]:
    """Every @pytest.mark.check("ID") in the acceptance suite."""
    found = []
    for module in sorted(folder.glob("test_*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "check"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append(str(node.args[0].value))
    return found


def test_every_check_has_exactly_one_acceptance_test() -> None:
    marked = _marked_checks(ROOT / "tests")
    assert sorted(marked) == sorted(CHECK_IDS), "tests/ and the catalogue disagree"


def test_every_checklist_item_names_known_checks_and_every_check_is_in_an_item() -> None:
    named = [check for item in CHECKLIST for check in item.checks]
    assert set(named) <= CHECK_IDS
    assert set(named) == CHECK_IDS
    assert len(CHECKLIST) == 10


def _only_failure_ids(source: str) -> set[str]:
    """The check ID argument of every only_failure(verdicts, "ID", ...) call."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "only_failure"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
        ):
            found.add(str(node.args[1].value))
    return found


def test_every_check_has_a_breaker() -> None:
    """A breaker asserts its check fails: only_failure(..., "ID", ...) or an outcome check."""
    sources = [
        path.read_text(encoding="utf-8")
        for folder in ("selftests/breakers", "selftests/docker")
        for path in sorted((ROOT / folder).glob("test_*.py"))
    ]
    broken = set().union(*map(_only_failure_ids, sources))
    for source in sources:
        broken |= set(re.findall(r'verdicts\["([A-Z]+-\d+)"\]\.outcome == "failed"', source))
    assert sorted(CHECK_IDS - broken) == []


def test_every_check_says_what_a_pass_records() -> None:
    from nexus_cutover.catalogue import CHECKS

    assert [c.id for c in CHECKS if not c.evidence.strip()] == []


def test_readme_check_table_is_the_catalogues() -> None:
    """The README's table is generated (`nexus-cutover checks --markdown`), never edited."""
    from nexus_cutover.catalogue import markdown_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, (
        "README.md's check table differs from the catalogue: paste the output of"
        " `nexus-cutover checks --markdown`"
    )


def test_tests_take_phases_and_writes_from_the_catalogue() -> None:
    """A test carries only its check ID: phase or writes markers would be a second source."""
    for module in sorted((ROOT / "tests").glob("test_*.py")):
        text = module.read_text(encoding="utf-8")
        assert "mark.phase" not in text, module.name
        assert "mark.writes" not in text, module.name


def _check_tests(folder: Path) -> list[tuple[str, ast.FunctionDef]]:
    """(module, function) of every test marked with a check ID in the acceptance suite."""
    found = []
    for module in sorted(folder.glob("test_*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "check"
                for d in node.decorator_list
            ):
                found.append((module.name, node))
    return found


def test_every_check_hands_its_proof_to_prove() -> None:
    """Each acceptance test takes `prove` and calls it: the only way a pass records evidence."""
    tests = _check_tests(ROOT / "tests")
    assert len(tests) == len(CHECK_IDS)
    silent = [
        f"{module}::{function.name}"
        for module, function in tests
        if "prove" not in [a.arg for a in function.args.args]
        or not any(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "prove"
            for node in ast.walk(function)
        )
    ]
    assert silent == [], "these checks could pass without evidence"


def test_nothing_fails_a_check_without_its_proof() -> None:
    """`require(problems)` is gone: a bare list of problems can pass with nothing proven."""
    for folder in ("tests", "fixtures", "src/nexus_cutover"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            assert "require" not in names, path


PASS_WITHOUT_EVIDENCE = """
import pytest

from nexus_cutover.checks import Proof


@pytest.mark.check("PRE-1")
def test_passes_silently() -> None:
    pass


@pytest.mark.check("TS-1")
def test_proves_nothing(prove) -> None:
    prove(Proof.passed(" "))


@pytest.mark.check("TS-2")
def test_proves_something(prove) -> None:
    prove(Proof.passed("three repositories listed"))
"""


def test_a_pass_without_evidence_is_recorded_as_a_failure(tmp_path: Path) -> None:
    """The plugin turns a check that passes without evidence into a failure (report.json)."""
    import json
    import subprocess
    import sys

    (tmp_path / "test_team.py").write_text(PASS_WITHOUT_EVIDENCE, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "test_team.py",
            "--cutover-report",
            "out",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in report["checks"]}
    assert by_id["PRE-1"]["outcome"] == "failed"
    assert "without recording evidence" in by_id["PRE-1"]["message"]
    assert by_id["TS-1"]["outcome"] == "failed"
    assert "recorded no evidence" in by_id["TS-1"]["message"]
    assert by_id["TS-2"] == by_id["TS-2"] | {
        "outcome": "passed",
        "evidence": "three repositories listed",
    }
