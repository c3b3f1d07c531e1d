"""Which Dockerfiles DOCKER-2/3 treat as installing Python packages (heredoc RUNs too)."""

from __future__ import annotations

from pathlib import Path

from nexus_cutover.checks.clients import installing_dockerfiles


def write(folder: Path, text: str) -> Path:
    folder.mkdir()
    path = folder / "Dockerfile"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_pip_install_inside_a_run_heredoc_counts(tmp_path: Path) -> None:
    path = write(
        tmp_path / "heredoc",
        "FROM python:3.11-slim\nRUN <<EOF\nset -e\npip install acme-utils\nEOF\n",
    )
    assert installing_dockerfiles(path.parent) == [path]


def test_a_copy_heredoc_that_mentions_pip_install_does_not(tmp_path: Path) -> None:
    path = write(
        tmp_path / "copy",
        "FROM python:3.11-slim\nCOPY <<EOF /notes.txt\npip install acme-utils\nEOF\nRUN true\n",
    )
    assert installing_dockerfiles(path.parent) == []


def test_a_plain_run_counts(tmp_path: Path) -> None:
    path = write(tmp_path / "plain", "FROM python:3.11-slim\nRUN pip install acme-utils\n")
    assert installing_dockerfiles(path.parent) == [path]
