"""Breakers for PRE-3, CLIENT-1..4, DOCKER-1/2 and SEC-3: client files left on the old index."""

import shutil

from selftests.breakers.lab import Lab, only_failure

CLIENTS = "CLIENT-1,CLIENT-2,CLIENT-4"
OLD = "http://pypi-server:8888/simple"


def _group_url(lab: Lab) -> str:
    return lab.target.nexus.simple("pypi-group").rstrip("/")


def test_unreadable_ci_file_fails_pre_3(lab: Lab) -> None:
    (lab.projects / "billing-api" / ".gitlab-ci.yml").write_text(
        "variables:\n  PIP_INDEX_URL: [unclosed\n", encoding="utf-8"
    )
    only_failure(lab.run("PRE-3,CLIENT-2"), "PRE-3", "billing-api/.gitlab-ci.yml", "incomplete")


def test_user_pip_conf_on_old_index_fails_client_1(lab: Lab) -> None:
    lab.edit("user-config/pip.conf", _group_url(lab), OLD)
    only_failure(lab.run(CLIENTS), "CLIENT-1", "pip.conf", "old index")


def test_project_pip_conf_on_old_index_fails_client_2(lab: Lab) -> None:
    lab.edit("maestro-hive/pip.conf", f"index-url = {_group_url(lab)}", f"index-url = {OLD}")
    only_failure(lab.run(CLIENTS), "CLIENT-2", "maestro-hive/pip.conf")


def test_unresolvable_requirement_fails_client_3(lab: Lab) -> None:
    path = lab.projects / "billing-api" / "requirements.txt"
    path.write_text(path.read_text(encoding="utf-8") + "acme-missing-lib\n", encoding="utf-8")
    only_failure(
        lab.run("CLIENT-3,CLIENT-2"), "CLIENT-3", "billing-api/requirements.txt", "acme-missing-lib"
    )


def test_workflow_on_old_index_fails_client_4(lab: Lab) -> None:
    workflow = lab.projects / "maestro-hive" / ".github" / "workflows" / "ci.yml"
    text = workflow.read_text(encoding="utf-8")
    workflow.write_text(text.replace(_group_url(lab), OLD, 1), encoding="utf-8")
    only_failure(lab.run(CLIENTS), "CLIENT-4", "maestro-hive/.github/workflows/ci.yml")


def test_dockerfile_on_old_index_fails_docker_1(lab: Lab) -> None:
    path = lab.projects / "maestro-hive" / "Dockerfile"
    path.write_text(
        path.read_text(encoding="utf-8") + f"RUN pip install --extra-index-url {OLD} acme-utils\n",
        encoding="utf-8",
    )
    only_failure(lab.run("DOCKER-1,DOCKER-2"), "DOCKER-1", "maestro-hive/Dockerfile")


def test_dockerfile_without_index_fails_docker_2(lab: Lab) -> None:
    (lab.projects / "maestro-hive" / "Dockerfile.tools").write_text(
        "FROM python:3.11-slim\nRUN pip install tox\n", encoding="utf-8"
    )
    only_failure(
        lab.run("DOCKER-1,DOCKER-2"), "DOCKER-2", "maestro-hive/Dockerfile.tools", "names no index"
    )


def test_committed_password_fails_sec_3_without_showing_it(lab: Lab) -> None:
    secret = "hunter2-do-not-print"
    path = lab.projects / "maestro-hive" / "Dockerfile"
    url = _group_url(lab).replace("http://", f"http://deployer:{secret}@")
    path.write_text(
        path.read_text(encoding="utf-8") + f"ENV PIP_EXTRA_INDEX_URL={url}\n", encoding="utf-8"
    )
    verdicts = lab.run("SEC-3,DOCKER-1")
    message = only_failure(verdicts, "SEC-3", "maestro-hive/Dockerfile")
    assert secret not in message
    assert secret not in (lab.report_dir / "report.html").read_text(encoding="utf-8")


INDEX_OPTIONS = ("--index-url", "--extra-index-url", "-i ", "--trusted-host")


def _without_index(lab: Lab) -> None:
    """ledger-worker keeps installing (requirements, pyproject) but names no index any more."""
    pyproject = lab.projects / "ledger-worker" / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.split("[[tool.pdm.source]]")[0], encoding="utf-8")
    requirements = lab.projects / "ledger-worker" / "requirements-dev.txt"
    lines = requirements.read_text(encoding="utf-8").splitlines()
    requirements.write_text(
        "\n".join(line for line in lines if not line.startswith(INDEX_OPTIONS)) + "\n",
        encoding="utf-8",
    )


def test_project_relying_on_a_machine_wide_pip_conf_fails_client_2(lab: Lab) -> None:
    _without_index(lab)
    only_failure(lab.run("CLIENT-2,CLIENT-4"), "CLIENT-2", "ledger-worker", "names no index at all")


def test_project_without_pip_configuration_or_ci_fails_client_2(lab: Lab) -> None:
    _without_index(lab)
    shutil.rmtree(lab.projects / "ledger-worker" / ".github")
    only_failure(
        lab.run("CLIENT-2,CLIENT-1"),
        "CLIENT-2",
        "ledger-worker has no pip configuration and no CI file",
    )


def test_workflow_installing_without_an_index_fails_client_4(lab: Lab) -> None:
    workflow = lab.projects / "maestro-hive" / ".github" / "workflows" / "lint.yml"
    workflow.write_text(
        "name: lint\non: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pip install ruff\n",
        encoding="utf-8",
    )
    only_failure(
        lab.run("CLIENT-4,CLIENT-2"),
        "CLIENT-4",
        "maestro-hive/.github/workflows/lint.yml installs Python packages but names no index",
    )


def test_requirements_file_resolving_to_nothing_fails_client_3(lab: Lab) -> None:
    """An emptied requirements file: pip succeeds and its report lists nothing."""
    path = lab.projects / "billing-api" / "requirements.txt"
    path.write_text("# everything moved to pyproject.toml\n", encoding="utf-8")
    only_failure(
        lab.run("CLIENT-3,CLIENT-2"), "CLIENT-3", "billing-api/requirements.txt", "lists nothing"
    )
