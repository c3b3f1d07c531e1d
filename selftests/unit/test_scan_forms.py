"""The scanner's matching rules, masking, and the forms the fixture trees do not show,
checked on small files written to tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexus_cutover.scan import (
    IndexReference,
    ScanContext,
    ScanResult,
    classify_url,
    detect_kind,
    mask_url,
    scan_file,
    scan_tree,
)

CTX = ScanContext(
    old_indexes=("http://localhost:8888", "http://pypi-server:8888/simple"),
    nexus_bases=("http://localhost:28083", "http://maestro-nexus:8083"),
)
GROUP = "http://localhost:28083/repository/pypi-group/simple"


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def scan_one(tmp_path: Path, relative: str, text: str) -> ScanResult:
    return scan_file(write(tmp_path, relative, text), tmp_path, CTX)


def summary(result: ScanResult) -> list[tuple[int, str, str, str]]:
    return [(r.line, r.setting, r.text, r.classification) for r in result.references]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # old index: root, /simple, /simple/, /simple/<pkg>/, /packages/<file>
        ("http://localhost:8888", "old-index"),
        ("http://localhost:8888/", "old-index"),
        ("http://pypi-server:8888/simple", "old-index"),
        ("http://pypi-server:8888/simple/", "old-index"),
        ("http://localhost:8888/simple/acme-utils/", "old-index"),
        ("http://localhost:8888/packages/acme_data-1.0.0-py3-none-any.whl", "old-index"),
        # host and port as a unit, scheme ignored, case-insensitive host, userinfo, encoding
        ("https://LOCALHOST:8888/simple", "old-index"),
        ("http://deploy:pw@localhost:8888/simple", "old-index"),
        ("http://pypi%2Dserver:8888/simple", "old-index"),
        ("http://localhost/simple", "unknown"),
        ("http://pypi-server/simple", "unknown"),
        # Nexus: the group under any alias, other repositories, percent-encoded paths
        (GROUP, "nexus-group"),
        (GROUP + "/", "nexus-group"),
        ("http://maestro-nexus:8083/repository/pypi-group/simple", "nexus-group"),
        ("http://localhost:28083/repository/pypi%2Dgroup/simple/", "nexus-group"),
        (
            "http://localhost:28083/repository/pypi-group/packages/acme-data/1.0.0/a.whl",
            "nexus-group",
        ),
        ("http://localhost:28083/repository/pypi-hosted/", "nexus-other"),
        ("http://localhost:28083/repository/pypi-groupie/simple", "nexus-other"),
        ("http://maestro-nexus:80/repository/pypi-group/simple", "unknown"),
        # variables and placeholders: reported, but unknown
        ("http://${NEXUS_HOST}:8083/repository/pypi-group/simple", "unknown"),
        ("$PIP_INDEX_URL", "unknown"),
        ("${{ vars.INDEX }}", "unknown"),
        ("http://localhost:${PORT}/simple", "unknown"),
        ("http://<nexus-host>:28083/repository/pypi-group/simple", "unknown"),
        ("https://pypi.org/simple", "unknown"),
        # trusted-host entries
        ("pypi-server", "old-index"),
        ("localhost:8888", "old-index"),
        ("localhost:28083", "nexus-group"),
        ("maestro-nexus", "nexus-group"),
    ],
)
def test_classify_url(url: str, expected: str) -> None:
    assert classify_url(url, CTX) == expected


def test_classify_url_with_a_base_path_and_another_group() -> None:
    ctx = ScanContext(
        old_indexes=("http://old.example:8080/pypi/simple/",),
        nexus_bases=("https://nexus.example/nexus/",),
        group="python-all",
    )
    assert classify_url("http://old.example:8080/pypi/simple/six/", ctx) == "old-index"
    assert classify_url("http://old.example:8080/other/", ctx) == "unknown"
    assert classify_url("https://nexus.example/nexus/repository/python-all/simple", ctx) == (
        "nexus-group"
    )
    assert classify_url("https://nexus.example:443/nexus/repository/pypi-group/simple", ctx) == (
        "nexus-other"
    )


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("http://deploy:Hunter2@localhost:8888/simple", "http://deploy:****@localhost:8888/simple"),
        ("http://u:p%40ss@h:1/simple", "http://u:****@h:1/simple"),
        ("https://ghp_abcdefghijklmnopqrstuvwxyz0123@h/simple", "https://****@h/simple"),
        ("http://h/simple?token=abc123", "http://h/simple?token=****"),
        ("http://alice@h/simple", "http://alice@h/simple"),
        ("http://u:${NEXUS_PASSWORD}@h/simple", "http://u:${NEXUS_PASSWORD}@h/simple"),
        ("http://h:8888/simple", "http://h:8888/simple"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


@pytest.mark.parametrize(
    ("relative", "text"),
    [
        ("pip.conf", "[global]\n# index-url = http://localhost:8888/simple\n; trusted-host = x\n"),
        ("requirements.txt", "# -i http://localhost:8888/simple\nsix  # http://localhost:8888/\n"),
        (
            "Dockerfile",
            "FROM x\n# RUN pip install -i http://localhost:8888/simple six\n"
            "RUN pip install six  # --index-url http://localhost:8888/simple\n",
        ),
        (
            ".github/workflows/ci.yml",
            "env:\n  # PIP_INDEX_URL: http://localhost:8888/simple\n  X: 1\njobs: {}\n",
        ),
        (
            ".gitlab-ci.yml",
            "job:\n  script:\n    # - pip install -i http://localhost:8888/s x\n    - echo ok\n",
        ),
        (
            "Jenkinsfile",
            "// sh 'pip install -i http://localhost:8888/simple x'\n"
            "/* PIP_INDEX_URL = 'http://localhost:8888/simple' */\n",
        ),
        (
            "tox.ini",
            "[testenv]\nset_env =\n    # PIP_INDEX_URL = http://localhost:8888/simple\n    A = 1\n",
        ),
        ("pyproject.toml", '[tool.uv]\n# index-url = "http://localhost:8888/simple"\n'),
        ("uv.toml", '# index-url = "http://localhost:8888/simple"\n'),
        (
            ".pypirc",
            "[distutils]\nindex-servers = x\n[x]\n# repository = http://localhost:8888/\n"
            "repository = " + GROUP + "\n",
        ),
    ],
)
def test_comments_are_never_references(tmp_path: Path, relative: str, text: str) -> None:
    result = scan_one(tmp_path, relative, text)
    assert result.problems == ()
    assert all(r.classification != "old-index" for r in result.references)


def test_github_heredoc_expressions_and_folded_scalars(tmp_path: Path) -> None:
    result = scan_one(
        tmp_path,
        ".github/workflows/ci.yml",
        """\
on: push
jobs:
  a:
    steps:
      - run: |
          cat > ~/.config/pip/pip.conf <<'EOF'
          [global]
          index-url = ${{ vars.NEXUS_URL }}/repository/pypi-group/simple
          EOF
          pip install --index-url ${{ secrets.INDEX }} -r requirements.txt
      - run: >
          pip install
          --extra-index-url http://pypi-server:8888/simple
          acme-utils
""",
    )
    assert summary(result) == [
        (
            8,
            "GitHub Actions run heredoc ~/.config/pip/pip.conf: pip.conf [global] index-url",
            "${{ vars.NEXUS_URL }}/repository/pypi-group/simple",
            "unknown",
        ),
        (10, "GitHub Actions run pip --index-url", "${{ secrets.INDEX }}", "unknown"),
        (
            13,
            "GitHub Actions run pip --extra-index-url",
            "http://pypi-server:8888/simple",
            "old-index",
        ),
    ]


def test_dockerfile_exec_form_script_heredoc_and_secret_env(tmp_path: Path) -> None:
    result = scan_one(
        tmp_path,
        "Containerfile",
        """\
FROM python:3.11-slim
RUN ["pip", "install", "--index-url", "http://localhost:8888/simple", "six"]
RUN <<EOF
pip install -i http://pypi-server:8888/simple six
EOF
ENV TWINE_PASSWORD=hunter2 TWINE_USERNAME=ci
RUN printf '[global]\\nindex-url = http://localhost:8888/simple\\n' > /etc/pip.conf
RUN curl -fsS https://example.org/install.sh
""",
    )
    assert summary(result) == [
        (2, "Dockerfile RUN pip --index-url", "http://localhost:8888/simple", "old-index"),
        (
            4,
            "Dockerfile RUN heredoc pip --index-url",
            "http://pypi-server:8888/simple",
            "old-index",
        ),
        (7, "Dockerfile RUN printf URL", "http://localhost:8888/simple", "old-index"),
    ]
    assert [(c.line, c.setting) for c in result.credentials] == [(6, "ENV TWINE_PASSWORD")]
    assert result.references[0].file_kind == "dockerfile"


def test_command_line_secrets_are_credentials(tmp_path: Path) -> None:
    result = scan_one(
        tmp_path,
        ".gitlab-ci.yml",
        """\
release:
  script:
    - twine upload -u admin -p hunter2 --repository-url http://localhost:8888/ dist/*
    - twine upload -u admin -p "$NEXUS_PASSWORD" dist/*
    - curl -u admin:hunter2 http://localhost:28081/service/rest/v1/status
  variables:
    TWINE_PASSWORD: ${NEXUS_PASSWORD}
""",
    )
    assert [(c.line, c.setting) for c in result.credentials] == [
        (3, "GitLab CI script twine -p"),
        (5, "GitLab CI script curl --user"),
    ]
    assert [r.purpose for r in result.references] == ["upload"]


def test_ambiguous_trusted_host_and_https(tmp_path: Path) -> None:
    result = scan_one(
        tmp_path,
        "pip.conf",
        f"""\
[global]
index-url = https://localhost:8888/simple
trusted-host = localhost
[install]
extra-index-url = {GROUP}
""",
    )
    by_line = {r.line: r for r in result.references}
    assert by_line[3].classification == "old-index"
    assert by_line[3].insecure_trusted_host
    assert not by_line[2].insecure_trusted_host  # https
    assert by_line[5].insecure_trusted_host


def test_variable_hosts_are_reported_as_unknown(tmp_path: Path) -> None:
    result = scan_one(
        tmp_path,
        "Jenkinsfile",
        """\
pipeline {
  environment { PIP_INDEX_URL = "${env.NEXUS}/repository/pypi-group/simple" }
  stages { stage('x') { steps { sh "pip install -i \\$PIP_INDEX_URL six" } } }
}
""",
    )
    assert [(r.line, r.classification) for r in result.references] == [
        (2, "unknown"),
        (3, "unknown"),
    ]


def test_tree_follows_includes_and_skips_tool_folders(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "-r deps/base.txt\nsix>=1.16\n")
    write(tmp_path, "deps/base.txt", "-i http://localhost:8888/simple\nidna\n")
    write(tmp_path, ".gitlab-ci.yml", "include:\n  - local: ci/*.yml\n")
    write(
        tmp_path,
        "ci/jobs.yml",
        "job:\n  variables:\n    PIP_INDEX_URL: http://pypi-server:8888/simple\n",
    )
    for folder in (".venv", "venv", "node_modules", ".tox", ".git", "__pycache__"):
        write(tmp_path, f"{folder}/pip.conf", "[global]\nindex-url = http://localhost:8888/\n")
    result = scan_tree(tmp_path, CTX)
    assert [(r.path, r.line) for r in result.references] == [
        ("ci/jobs.yml", 3),
        ("deps/base.txt", 1),
    ]
    assert result.files_scanned == 4


def test_missing_include_undecodable_file_and_unknown_kind(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "-c missing.txt\n")
    (tmp_path / "constraints.txt").write_bytes(b"--index-url http://h/\xff\xfe\n")
    result = scan_tree(tmp_path, CTX)
    messages = sorted(p.message for p in result.problems)
    assert messages == [
        "requirements: includes missing.txt, which does not exist",
        "requirements: not UTF-8 text (line 1)",
    ]
    unknown = scan_one(tmp_path, "notes.md", "http://localhost:8888/simple\n")
    assert unknown.files_scanned == 0
    assert [p.message for p in unknown.problems] == [
        "not a file kind the scanner knows (by its name)"
    ]


def test_explicit_kind_for_a_file_with_another_name(tmp_path: Path) -> None:
    path = write(tmp_path, "custom-pip-config", "[global]\nindex-url = http://localhost:8888/\n")
    result = scan_file(path, tmp_path, CTX, kind="pip.conf")
    assert summary(result) == [
        (2, "pip.conf [global] index-url", "http://localhost:8888/", "old-index")
    ]


def test_requirements_problems_are_readable_lines(tmp_path: Path) -> None:
    result = scan_one(tmp_path, "requirements/base.in", "--bogus http://u:pw@h/\nsix >=\n./pkg\n")
    assert [(p.line, p.message) for p in result.problems] == [
        (1, "requirements: line 1: no such option: --bogus"),
        (2, "requirements: line 2 is not a valid requirement"),
    ]


def test_tox_defaults_indexserver_and_deps(tmp_path: Path) -> None:
    result = scan_one(
        tmp_path,
        "tox.ini",
        """\
[tox]
indexserver =
    default = http://pypi-server:8888/simple

[testenv]
setenv = PIP_INDEX_URL={env:PIP_INDEX_URL:http://localhost:8888/simple}
deps =
    --extra-index-url http://localhost:8888/simple/
    six>=1.16
commands =
    pip install --find-links http://localhost:8888/packages/ acme-utils
""",
    )
    assert [(r.line, r.setting) for r in result.references] == [
        (3, "tox.ini [tox] indexserver"),
        (6, "tox.ini [testenv] setenv PIP_INDEX_URL"),
        (8, "tox.ini [testenv] deps: requirements --extra-index-url"),
        (11, "tox.ini [testenv] commands pip --find-links"),
    ]
    assert {r.classification for r in result.references} == {"old-index"}


def test_pip_conf_colon_keys_and_pypirc_sections(tmp_path: Path) -> None:
    conf = scan_one(tmp_path, "pip.ini", "[global]\nindex_url:http://localhost:8888/simple\n")
    assert summary(conf) == [
        (2, "pip.conf [global] index-url", "http://localhost:8888/simple", "old-index")
    ]
    pypirc = scan_one(
        tmp_path,
        ".pypirc",
        f"""\
[distutils]
index-servers = nexus

[nexus]
repository = {GROUP.replace("pypi-group/simple", "pypi-hosted/")}

[old]
repository = http://localhost:8888/
password = still-here
""",
    )
    # twine reads only the listed servers, but a stored password is a finding wherever it is
    assert [(r.line, r.classification) for r in pypirc.references] == [(5, "nexus-other")]
    assert [(c.line, c.setting) for c in pypirc.credentials] == [(9, ".pypirc [old] password")]


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("pip.ini", "pip.conf"),
        ("requirements-dev.txt", "requirements"),
        ("constraints.txt", "requirements"),
        ("requirements/test.txt", "requirements"),
        ("dev.in", "requirements"),
        ("MANIFEST.in", None),
        ("Dockerfile.prod", "dockerfile"),
        ("api.Dockerfile", "dockerfile"),
        ("Dockerfile.dockerignore", None),
        ("Containerfile", "dockerfile"),
        (".github/workflows/ci.yaml", "github-actions"),
        ("docs/workflows/ci.yml", None),
        (".gitlab-ci.yml", "gitlab-ci"),
        ("Jenkinsfile", "jenkinsfile"),
        ("tox.ini", "tox.ini"),
        ("setup.cfg", "setup.cfg"),
        ("pyproject.toml", "pyproject"),
        ("uv.toml", "uv.toml"),
        (".pypirc", "pypirc"),
    ],
)
def test_detect_kind(relative: str, kind: str | None) -> None:
    assert detect_kind(Path(relative)) == kind


def test_references_hide_their_raw_text_from_repr() -> None:
    ref = IndexReference(
        path="a",
        line=1,
        text="http://u:pw@h/",
        url="http://u:****@h/",
        setting="s",
        file_kind="pip.conf",
        classification="unknown",
        credentials=True,
        insecure_trusted_host=False,
        purpose="install",
    )
    assert "pw@" not in repr(ref)
