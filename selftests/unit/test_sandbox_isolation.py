"""The pip sandbox loads exactly the configuration a check names, nothing machine-wide.

Real pip in a real virtualenv. The caller's environment is made hostile on purpose (a
machine-wide pip.conf through XDG_CONFIG_DIRS, PIP_* variables); where the machine has
/etc/pip.conf or /etc/xdg/pip/pip.conf of its own, those are exercised as they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nexus_cutover.clients.sandbox import Sandbox

MACHINE_INDEX = "http://127.0.0.1:9/machine-wide/simple"


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    machine = tmp_path / "xdg" / "pip"
    machine.mkdir(parents=True)
    (machine / "pip.conf").write_text(f"[global]\nindex-url = {MACHINE_INDEX}\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    monkeypatch.setenv("PIP_INDEX_URL", MACHINE_INDEX)
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))


def test_no_configuration_at_all_without_a_named_file(tmp_path: Path, hostile: None) -> None:
    box = Sandbox(tmp_path / "home")
    assert box.loaded_config_files(None) == []
    listing = box.pip(["config", "list"]).output
    assert "machine-wide" not in listing
    assert "find-links" not in listing
    assert "global." not in listing


def test_only_the_named_file_with_a_named_file(tmp_path: Path, hostile: None) -> None:
    named = tmp_path / "under-test.conf"
    named.write_text("[global]\nindex-url = http://127.0.0.1:9/group/simple\n", encoding="utf-8")
    box = Sandbox(tmp_path / "home")
    assert box.loaded_config_files(named) == [named]
    listing = box.pip(["config", "list"], pip_config=named).output
    assert "global.index-url='http://127.0.0.1:9/group/simple'" in listing
    assert "machine-wide" not in listing
    for machine_file in ("/etc/pip.conf", "/etc/xdg/pip/pip.conf"):
        assert machine_file not in box.pip(["config", "debug"], pip_config=named).output.replace(
            f"{machine_file}, exists: False", ""
        )
