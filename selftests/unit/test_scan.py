"""The index scanner against the fixture project trees (fixtures/projects/{old,migrated,broken})."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from nexus_cutover.scan import (
    IndexReference,
    ScanContext,
    ScanResult,
    render_text,
    result_to_json,
    scan_file,
    scan_tree,
)

PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects"
OLD, MIGRATED, BROKEN = PROJECTS / "old", PROJECTS / "migrated", PROJECTS / "broken"
CTX = ScanContext(
    old_indexes=("http://localhost:8888", "http://pypi-server:8888/simple"),
    nexus_bases=("http://localhost:28083", "http://maestro-nexus:8083"),
)
SECRETS = ("Hunter2", "s3cr3t-pypiserver", "s3cr3t")


@pytest.fixture(scope="module")
def old() -> ScanResult:
    return scan_tree(OLD, CTX)


@pytest.fixture(scope="module")
def migrated() -> ScanResult:
    return scan_tree(MIGRATED, CTX)


def refs_at(result: ScanResult, path: str, line: int) -> list[IndexReference]:
    return [r for r in result.references if r.path == path and r.line == line]


def physical_line(root: Path, ref: IndexReference) -> str:
    return (root / ref.path).read_text(encoding="utf-8").splitlines()[ref.line - 1]


# (path, line, setting, classification, purpose) for every form the scanner must find
OLD_FORMS = [
    # pip.conf: several sections, multi-line values
    ("maestro-hive/pip.conf", 3, "pip.conf [global] index-url", "old-index", "install"),
    ("maestro-hive/pip.conf", 5, "pip.conf [global] extra-index-url", "old-index", "install"),
    ("maestro-hive/pip.conf", 7, "pip.conf [global] trusted-host", "old-index", "trust"),
    ("maestro-hive/pip.conf", 8, "pip.conf [global] trusted-host", "old-index", "trust"),
    ("maestro-hive/pip.conf", 13, "pip.conf [install] find-links", "old-index", "install"),
    ("user-config/pip.conf", 6, "pip.conf [install] trusted-host", "old-index", "trust"),
    # requirements and constraints: -i, --index-url, --index-url=, -f, direct reference
    ("maestro-hive/requirements.txt", 2, "requirements --index-url", "old-index", "install"),
    ("maestro-hive/requirements.txt", 3, "requirements --trusted-host", "old-index", "trust"),
    ("maestro-hive/constraints.txt", 1, "requirements --index-url", "old-index", "install"),
    ("maestro-hive/requirements/dev.in", 2, "requirements --index-url", "old-index", "install"),
    ("maestro-hive/requirements/dev.in", 3, "requirements --find-links", "old-index", "install"),
    (
        "maestro-hive/requirements/wheels.txt",
        2,
        "requirements direct reference",
        "old-index",
        "install",
    ),
    (
        "ledger-worker/requirements-dev.txt",
        1,
        "requirements --extra-index-url",
        "old-index",
        "install",
    ),
    # Dockerfiles
    ("maestro-hive/Dockerfile", 4, "ENV PIP_INDEX_URL", "old-index", "install"),
    ("maestro-hive/Dockerfile", 5, "ENV PIP_TRUSTED_HOST", "old-index", "trust"),
    (
        "maestro-hive/Dockerfile",
        12,
        "Dockerfile RUN heredoc /etc/pip.conf: pip.conf [global] index-url",
        "old-index",
        "install",
    ),
    (
        "maestro-hive/Dockerfile",
        13,
        "Dockerfile RUN heredoc /etc/pip.conf: pip.conf [global] trusted-host",
        "old-index",
        "trust",
    ),
    ("maestro-hive/Dockerfile", 17, "Dockerfile RUN pip --index-url", "old-index", "install"),
    ("maestro-hive/Dockerfile", 18, "Dockerfile RUN pip --trusted-host", "old-index", "trust"),
    (
        "maestro-hive/Dockerfile",
        21,
        "Dockerfile RUN pip config global.index-url",
        "old-index",
        "install",
    ),
    ("billing-api/Dockerfile", 2, "ARG PIP_INDEX_URL", "old-index", "install"),
    ("billing-api/Dockerfile", 6, "Dockerfile COPY pip.conf", "old-index", "install"),
    ("billing-api/Dockerfile", 9, "Dockerfile RUN uv pip --index-url", "old-index", "install"),
    ("ledger-worker/worker.Dockerfile", 2, "ENV UV_DEFAULT_INDEX", "old-index", "install"),
    ("ledger-worker/worker.Dockerfile", 3, "ENV UV_INDEX", "old-index", "install"),
    ("ledger-worker/worker.Dockerfile", 4, "ENV UV_EXTRA_INDEX_URL", "old-index", "install"),
    ("ledger-worker/worker.Dockerfile", 5, "Dockerfile COPY .pypirc", "old-index", "upload"),
    (
        "ledger-worker/worker.Dockerfile",
        7,
        "Dockerfile COPY heredoc /etc/uv/uv.toml: uv.toml index-url",
        "old-index",
        "install",
    ),
    (
        "ledger-worker/worker.Dockerfile",
        9,
        "Dockerfile RUN pip --index-url",
        "old-index",
        "install",
    ),
    # GitHub Actions: env at workflow, job and step level; run lines; $GITHUB_ENV; with:
    (
        "maestro-hive/.github/workflows/ci.yml",
        5,
        "GitHub Actions env PIP_INDEX_URL",
        "old-index",
        "install",
    ),
    (
        "maestro-hive/.github/workflows/ci.yml",
        12,
        "GitHub Actions env PIP_EXTRA_INDEX_URL",
        "old-index",
        "install",
    ),
    (
        "maestro-hive/.github/workflows/ci.yml",
        23,
        "GitHub Actions run PIP_INDEX_URL",
        "old-index",
        "install",
    ),
    (
        "maestro-hive/.github/workflows/ci.yml",
        26,
        "GitHub Actions env UV_INDEX_URL",
        "old-index",
        "install",
    ),
    (
        "maestro-hive/.github/workflows/ci.yml",
        29,
        "GitHub Actions run pip --index-url",
        "old-index",
        "install",
    ),
    (
        "maestro-hive/.github/workflows/ci.yml",
        30,
        "GitHub Actions run pip --trusted-host",
        "old-index",
        "trust",
    ),
    (
        "maestro-hive/.github/workflows/ci.yml",
        34,
        "GitHub Actions run twine --repository-url",
        "old-index",
        "upload",
    ),
    (
        "ledger-worker/.github/workflows/release.yaml",
        9,
        "GitHub Actions env UV_PUBLISH_URL",
        "old-index",
        "upload",
    ),
    (
        "ledger-worker/.github/workflows/release.yaml",
        13,
        "GitHub Actions run uv publish --publish-url",
        "old-index",
        "upload",
    ),
    (
        "ledger-worker/.github/workflows/release.yaml",
        16,
        "GitHub Actions with repository-url",
        "old-index",
        "upload",
    ),
    # GitLab CI: top-level and job variables, before_script, script, an included local file
    ("billing-api/.gitlab-ci.yml", 5, "GitLab CI variables PIP_INDEX_URL", "old-index", "install"),
    ("billing-api/.gitlab-ci.yml", 6, "GitLab CI variables PIP_TRUSTED_HOST", "old-index", "trust"),
    (
        "billing-api/.gitlab-ci.yml",
        13,
        "GitLab CI before_script pip config global.index-url",
        "old-index",
        "install",
    ),
    (
        "billing-api/.gitlab-ci.yml",
        19,
        "GitLab CI variables UV_DEFAULT_INDEX",
        "old-index",
        "install",
    ),
    (
        "billing-api/.gitlab-ci.yml",
        23,
        "GitLab CI script uv pip --index-url",
        "old-index",
        "install",
    ),
    (
        "billing-api/ci/publish.yml",
        5,
        "GitLab CI variables TWINE_REPOSITORY_URL",
        "old-index",
        "upload",
    ),
    ("billing-api/ci/publish.yml", 10, "GitLab CI after_script curl URL", "old-index", "install"),
    # Jenkinsfile
    ("billing-api/Jenkinsfile", 4, "Jenkinsfile environment PIP_INDEX_URL", "old-index", "install"),
    ("billing-api/Jenkinsfile", 11, "Jenkinsfile withEnv PIP_TRUSTED_HOST", "old-index", "trust"),
    (
        "billing-api/Jenkinsfile",
        11,
        "Jenkinsfile withEnv UV_EXTRA_INDEX_URL",
        "old-index",
        "install",
    ),
    ("billing-api/Jenkinsfile", 12, "Jenkinsfile sh pip --index-url", "old-index", "install"),
    ("billing-api/Jenkinsfile", 21, "Jenkinsfile sh twine --repository-url", "old-index", "upload"),
    # tox.ini and setup.cfg
    ("maestro-hive/tox.ini", 6, "tox.ini [testenv] set_env PIP_INDEX_URL", "old-index", "install"),
    (
        "maestro-hive/tox.ini",
        12,
        "tox.ini [testenv:smoke] install_command pip --index-url",
        "old-index",
        "install",
    ),
    ("maestro-hive/setup.cfg", 12, "setup.cfg [easy_install] index_url", "old-index", "install"),
    ("maestro-hive/setup.cfg", 13, "setup.cfg [easy_install] find_links", "old-index", "install"),
    # pyproject.toml and uv.toml
    (
        "billing-api/pyproject.toml",
        12,
        "pyproject [tool.uv] extra-index-url",
        "old-index",
        "install",
    ),
    (
        "billing-api/pyproject.toml",
        13,
        "pyproject [tool.uv] allow-insecure-host",
        "old-index",
        "trust",
    ),
    ("billing-api/pyproject.toml", 16, "pyproject [tool.uv.pip] index-url", "old-index", "install"),
    ("billing-api/pyproject.toml", 20, "pyproject [[tool.uv.index]] url", "old-index", "install"),
    (
        "billing-api/pyproject.toml",
        21,
        "pyproject [[tool.uv.index]] publish-url",
        "old-index",
        "upload",
    ),
    (
        "billing-api/pyproject.toml",
        29,
        "pyproject [[tool.poetry.source]] url",
        "old-index",
        "install",
    ),
    (
        "ledger-worker/pyproject.toml",
        9,
        "pyproject [[tool.pdm.source]] url",
        "old-index",
        "install",
    ),
    ("billing-api/uv.toml", 2, "uv.toml index-url", "old-index", "install"),
    ("billing-api/uv.toml", 6, "uv.toml [[index]] url", "old-index", "install"),
    ("billing-api/uv.toml", 9, "uv.toml [pip] extra-index-url", "old-index", "install"),
    # .pypirc
    ("user-config/.pypirc", 6, ".pypirc [pypiserver] repository", "old-index", "upload"),
    ("ledger-worker/.pypirc", 5, ".pypirc [internal] repository", "old-index", "upload"),
]


@pytest.mark.parametrize(("path", "line", "setting", "classification", "purpose"), OLD_FORMS)
def test_old_tree_has_every_form(
    old: ScanResult, path: str, line: int, setting: str, classification: str, purpose: str
) -> None:
    found = [r for r in refs_at(old, path, line) if r.setting == setting]
    assert len(found) == 1, [r.setting for r in refs_at(old, path, line)]
    assert found[0].classification == classification
    assert found[0].purpose == purpose


def test_old_tree_names_the_old_index_in_every_project(old: ScanResult) -> None:
    projects = {p.name for p in OLD.iterdir() if p.is_dir()}
    flagged = {r.path.split("/")[0] for r in old.references if r.classification == "old-index"}
    assert flagged == projects == {"maestro-hive", "billing-api", "ledger-worker", "user-config"}
    assert old.problems == ()


def test_both_variants_hold_the_same_projects_and_file_kinds() -> None:
    def kinds(root: Path) -> set[tuple[str, str]]:
        result = scan_tree(root, CTX)
        return {(r.path.split("/")[0], r.file_kind) for r in result.references}

    assert kinds(OLD) == kinds(MIGRATED)


def test_migrated_tree_points_at_nexus_only(migrated: ScanResult) -> None:
    assert migrated.problems == ()
    assert migrated.credentials == ()
    assert {r.classification for r in migrated.references if r.purpose == "install"} == {
        "nexus-group"
    }
    uploads = [r for r in migrated.references if r.purpose == "upload"]
    assert uploads
    assert all(r.classification == "nexus-other" for r in uploads)
    assert all(r.url is None or "/repository/pypi-hosted/" in r.url for r in uploads)
    trusts = [r for r in migrated.references if r.purpose == "trust"]
    assert {r.text for r in trusts} == {"localhost", "maestro-nexus"}
    assert all(r.classification == "nexus-group" for r in trusts)


def test_migrated_dockerfiles_use_the_group_like_the_guide(migrated: ScanResult) -> None:
    refs = [r for r in migrated.references if r.file_kind == "dockerfile" and r.url]
    assert refs
    assert all(r.classification == "nexus-group" for r in refs if r.purpose == "install")
    step7 = refs_at(migrated, "maestro-hive/Dockerfile", 18)
    assert [r.url for r in step7] == ["http://maestro-nexus:8083/repository/pypi-group/simple"]


@pytest.mark.parametrize("root", [OLD, MIGRATED], ids=["old", "migrated"])
def test_text_is_the_exact_uncommented_substring_of_its_line(root: Path) -> None:
    for ref in scan_tree(root, CTX).references:
        line = physical_line(root, ref)
        assert ref.text in line, (ref.path, ref.line, ref.setting)
        assert not line.lstrip().startswith(("#", "//", "/*")), (ref.path, ref.line)


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("maestro-hive/pip.conf", 12),
        ("maestro-hive/requirements.txt", 4),
        ("maestro-hive/.github/workflows/ci.yml", 28),
        ("billing-api/.gitlab-ci.yml", 21),
        ("billing-api/Dockerfile", 8),
        ("billing-api/Jenkinsfile", 5),
        ("billing-api/Jenkinsfile", 18),
    ],
)
def test_commented_out_old_urls_are_ignored(old: ScanResult, path: str, line: int) -> None:
    assert "8888" in (OLD / path).read_text(encoding="utf-8").splitlines()[line - 1]
    assert refs_at(old, path, line) == []


def test_credentials_are_flagged_and_masked(old: ScanResult) -> None:
    assert {(c.path, c.line, c.setting) for c in old.credentials} == {
        (
            "maestro-hive/.github/workflows/ci.yml",
            29,
            "URL userinfo in GitHub Actions run pip --index-url",
        ),
        ("user-config/.pypirc", 8, ".pypirc [pypiserver] password"),
    }
    (ref,) = refs_at(old, "maestro-hive/.github/workflows/ci.yml", 29)
    assert ref.credentials
    assert ref.url == "http://deploy:****@localhost:8888/simple"
    assert ref.text == "http://deploy:Hunter2@localhost:8888/simple"
    assert "Hunter2" not in repr(ref)
    assert sum(r.credentials for r in old.references) == 1


def test_insecure_trusted_host_flags(old: ScanResult) -> None:
    def flag(path: str, line: int, setting: str) -> bool:
        (ref,) = [r for r in refs_at(old, path, line) if r.setting == setting]
        return ref.insecure_trusted_host

    # plain http URL whose host is trusted in the same file, and the trust entry itself
    assert flag("maestro-hive/pip.conf", 3, "pip.conf [global] index-url")
    assert flag("maestro-hive/pip.conf", 7, "pip.conf [global] trusted-host")
    # pypi-server is not trusted in this workflow (only localhost is)
    assert not flag(
        "maestro-hive/.github/workflows/ci.yml", 12, "GitHub Actions env PIP_EXTRA_INDEX_URL"
    )
    # no trusted host at all in setup.cfg
    assert not flag("maestro-hive/setup.cfg", 12, "setup.cfg [easy_install] index_url")


def test_copy_reference_takes_the_class_of_the_copied_file(
    old: ScanResult, migrated: ScanResult
) -> None:
    (copy,) = refs_at(old, "billing-api/Dockerfile", 6)
    assert (copy.url, copy.text, copy.classification) == (None, "/etc/pip.conf", "old-index")
    (copy,) = refs_at(migrated, "billing-api/Dockerfile", 6)
    assert copy.classification == "nexus-group"
    (pypirc,) = refs_at(migrated, "ledger-worker/worker.Dockerfile", 4)
    assert (pypirc.text, pypirc.purpose, pypirc.classification) == (
        "/home/app/",
        "upload",
        "nexus-other",
    )


def test_trusted_localhost_follows_the_urls_of_its_file(
    old: ScanResult, migrated: ScanResult
) -> None:
    # `localhost` names both the old index (:8888) and Nexus (:28083)
    old_trust = refs_at(old, "user-config/pip.conf", 3)
    new_trust = refs_at(migrated, "user-config/pip.conf", 3)
    assert [r.classification for r in old_trust] == ["old-index"]
    assert [r.classification for r in new_trust] == ["nexus-group"]


def test_broken_files_become_problems_and_the_rest_is_scanned() -> None:
    result = scan_tree(BROKEN, CTX)
    problems = {p.path: p for p in result.problems}
    assert set(problems) == {
        "shop-frontend/.github/workflows/ci.yml",
        "shop-frontend/pyproject.toml",
        "shop-frontend/pip.conf",
    }
    assert problems["shop-frontend/.github/workflows/ci.yml"].line == 7
    assert "not valid YAML at line 7" in problems["shop-frontend/.github/workflows/ci.yml"].message
    assert problems["shop-frontend/pyproject.toml"].line == 7
    assert "not valid TOML" in problems["shop-frontend/pyproject.toml"].message
    assert problems["shop-frontend/pip.conf"].line == 1
    assert all("\n" not in p.message for p in result.problems)
    assert not any(s in p.message for p in result.problems for s in SECRETS)
    assert [(r.path, r.classification) for r in result.references] == [
        ("shop-frontend/requirements.txt", "old-index")
    ]
    assert result.files_scanned == 4


def test_scan_file_reads_a_user_config_given_explicitly() -> None:
    folder = OLD / "user-config"
    result = scan_file(folder / ".pypirc", folder, CTX)
    assert result.files_scanned == 1
    assert [(r.path, r.line, r.purpose) for r in result.references] == [(".pypirc", 6, "upload")]
    assert [(c.path, c.setting) for c in result.credentials] == [
        (".pypirc", ".pypirc [pypiserver] password")
    ]


def test_result_to_json_shape(old: ScanResult, migrated: ScanResult) -> None:
    document = result_to_json([old, migrated], ["http://localhost:8888/simple"])
    assert set(document) == {"roots", "old_index_urls", "references", "credentials", "problems"}
    assert document["roots"] == [str(old.root), str(migrated.root)]
    assert document["old_index_urls"] == ["http://localhost:8888/simple"]
    records = document["references"]
    assert isinstance(records, list)
    assert len(records) == len(old.references) + len(migrated.references)
    keys = {
        "root",
        "path",
        "line",
        "url",
        "classification",
        "credentials",
        "insecure_trusted_host",
        "setting",
        "purpose",
    }
    assert all(set(r) == keys for r in records)
    assert all(not str(r["path"]).startswith("/") for r in records)
    assert json.loads(json.dumps(document)) == document
    dumped = json.dumps(document)
    assert not any(s in dumped for s in SECRETS)
    copy = next(r for r in records if r["setting"] == "Dockerfile COPY pip.conf")
    assert copy["url"] is None
    credentials = document["credentials"]
    assert isinstance(credentials, list)
    assert len(credentials) == len(old.credentials) + len(migrated.credentials) > 0
    assert all(set(c) == {"root", "path", "line", "setting"} for c in credentials)


def test_render_text_groups_by_file_and_masks_secrets(old: ScanResult) -> None:
    console = Console(record=True, width=250)
    render_text([old, scan_tree(BROKEN, CTX)], console)
    output = console.export_text()
    assert "maestro-hive/pip.conf" in output
    assert "http://deploy:****@localhost:8888/simple" in output
    assert ".pypirc [pypiserver] password" in output
    assert "not valid TOML" in output
    assert not any(s in output for s in SECRETS)
