"""The breakers' lab: break real local services, run the real checks, read the verdict.

Each breaker gets freshly started, migrated services (pypiserver + Nexus stand-in), breaks one
thing, and runs the acceptance suite in its own pytest process against them, exactly as a
user would (`--backend local` reusing running services), then reads report.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from nexus_cutover.backends.local import LocalBackend, LocalServices
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.config import LdapExpectation, Settings, load_settings
from nexus_cutover.samples import build_samples
from nexus_cutover.target import Target

CHECKOUT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Verdict:
    outcome: str
    message: str


@dataclass
class Lab:
    services: LocalServices
    settings: Settings
    report_dir: Path

    @property
    def target(self) -> Target:
        return self.services.target(self.settings)

    @property
    def nexus(self) -> NexusClient:
        return NexusClient(self.target.nexus)

    @property
    def projects(self) -> Path:
        return self.services.root / "projects"

    @property
    def auth(self) -> tuple[str, str]:
        credentials = self.target.nexus.credentials
        assert credentials is not None
        return credentials.as_tuple()

    def rest(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call to the stand-in's REST API as admin (how a user would break things)."""
        url = f"{self.target.nexus.rest_url}{path}"
        return requests.request(method, url, auth=self.auth, timeout=30, **kwargs)

    def delete_asset(self, repository: str, filename: str) -> None:
        for asset in self.nexus.assets(repository):
            if asset.filename == filename:
                assert self.rest("DELETE", f"/v1/assets/{asset.id}").status_code == 204
                return
        raise AssertionError(f"{filename} not in {repository}")

    def delete_component(self, repository: str, name: str, version: str) -> None:
        for component in self.nexus.components(repository):
            if component.name == name and component.version == version:
                self.nexus.delete_component(component.id)
                return
        raise AssertionError(f"{name} {version} not in {repository}")

    def edit(self, relative: str, old: str, new: str) -> Path:
        """Replace text in a file of the migrated sample projects."""
        path = self.projects / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    def run(
        self,
        checks: str | None,
        *extra: str,
        external: bool = False,
        target: Target | None = None,
        expected: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        config: Path | None = None,
        ldap: bool = True,
    ) -> dict[str, Verdict]:
        """Run the suite for `checks` (None: all) against the lab; outcome and message per ID.

        `external` points `--backend external` at the lab through a generated cutover.toml
        (nothing is reused or started), instead of the local backend's reuse of running services;
        `target` (e.g. the lab seen through a fault proxy) and `expected` (TOML lines of the
        [expected] table, e.g. "ldap = true") shape that file. `env` adds variables. `config`
        runs through a cutover.toml of the caller's instead (e.g. as another Nexus user);
        `ldap=False` leaves the lab's [expected.ldap] table out of the generated one.
        """
        shutil.rmtree(self.report_dir, ignore_errors=True)
        env = dict(os.environ, NEXUS_CUTOVER_STATE_DIR=str(self.settings.state_dir), **(env or {}))
        if config is not None:
            backend = ["--backend", "external", "--cutover-config", str(config)]
        elif external or target is not None or expected:
            written = write_external_config(
                target or self.target, self.report_dir.parent / "cutover.toml", expected, ldap=ldap
            )
            backend = ["--backend", "external", "--cutover-config", str(written)]
        else:
            backend = ["--backend", "local"]
        # Its own basetemp: pytest would otherwise prune this session's temporary folders.
        basetemp = self.report_dir.parent / "suite-tmp"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(CHECKOUT / "tests"),
                "-p",
                "no:cacheprovider",
                "--rootdir",
                str(CHECKOUT),
                *backend,
                *(["--checks", checks] if checks else []),
                "--basetemp",
                str(basetemp),
                "--cutover-report",
                str(self.report_dir),
                "-q",
                "--no-header",
                *extra,
            ],
            env=env,
            cwd=CHECKOUT,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        report = self.report_dir / "report.json"
        assert report.exists(), f"the suite wrote no report:\n{result.stdout[-3000:]}"
        verdicts: dict[str, Verdict] = {}
        for check in json.loads(report.read_text(encoding="utf-8"))["checks"]:
            old = verdicts.get(check["id"])
            if old is None or old.outcome == "passed":
                verdicts[check["id"]] = Verdict(check["outcome"], check["message"])
            if check["outcome"] == "passed":
                assert check["evidence"].strip(), f"{check['id']} passed without evidence"
        return verdicts


def only_failure(
    verdicts: dict[str, Verdict], failing: str, *phrases: str, also: tuple[str, ...] = ()
) -> str:
    """Assert that `failing` failed naming every phrase, and every other check passed.

    `also` names checks that must fail too because the broken state is theirs as well
    (e.g. DECOM-1, which fails whenever anything else does).
    """
    assert failing in verdicts, f"{failing} did not run: {verdicts}"
    verdict = verdicts[failing]
    assert verdict.outcome == "failed", f"{failing} did not fail: {verdict}"
    for phrase in phrases:
        assert phrase in verdict.message, f"{failing}'s message lacks {phrase!r}: {verdict.message}"
    for other in also:
        assert verdicts[other].outcome == "failed", f"{other} should fail too: {verdicts[other]}"
    others = {
        k: v
        for k, v in verdicts.items()
        if k != failing and k not in also and v.outcome != "passed"
    }
    assert not others, f"other checks did not pass: {others}"
    assert len(verdicts) > 1 + len(also), f"run a neighbouring check too: {verdicts}"
    return verdict.message


@pytest.fixture(scope="session")
def samples_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("samples")
    build_samples(cache)
    return cache


@contextmanager
def started_lab(root: Path, samples_cache: Path) -> Iterator[Lab]:
    """Fresh local services in `root` after a complete sample migration; stopped after."""
    state = root / "state"
    shutil.copytree(samples_cache, state / "samples")
    settings = load_settings(overrides={"state_dir": state, "backend": "local"}, environ={})
    services = LocalBackend(settings).up()
    try:
        yield Lab(services, settings, root / "report")
    finally:
        services.stop()


@pytest.fixture
def lab(tmp_path: Path, samples_cache: Path) -> Iterator[Lab]:
    """Fresh local services after a complete sample migration: every check passes here."""
    with started_lab(tmp_path, samples_cache) as started:
        yield started


def reconfigure(lab: Lab, kind: str, name: str, **changes: object) -> None:
    """GET a repository's configuration, change dotted fields, PUT it back (as the UI would)."""
    import requests

    target = lab.target
    url = f"{target.nexus.rest_url}/v1/repositories/pypi/{kind}/{name}"
    auth = target.nexus.credentials.as_tuple() if target.nexus.credentials else None
    config = requests.get(url, auth=auth, timeout=30).json()
    for dotted, value in changes.items():
        node = config
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    response = requests.put(url, json=config, auth=auth, timeout=30)
    assert response.status_code == 204, response.text


def write_external_config(
    target: Target, path: Path, expected: Sequence[str] = (), *, ldap: bool = True
) -> Path:
    """A cutover.toml that points `--backend external` at the lab's running services."""
    secrets = target.state_dir / "secrets"

    def text(value: object) -> str:
        return json.dumps(str(value))  # a TOML basic string is a JSON string

    def texts(values: tuple[object, ...]) -> str:
        return "[" + ", ".join(text(v) for v in values) + "]"

    clients = target.clients
    lines = [
        'backend = "external"',
        f"state_dir = {text(target.state_dir)}",
        "[nexus]",
        f"url = {text(target.nexus.url)}",
        f"repository_url = {text(target.nexus.repository_url)}",
        'user = "admin"',
        f"password_file = {text(secrets / 'nexus-admin')}",
        f"log_dir = {text(target.nexus.log_dir)}",
        "[pypiserver]",
        f"url = {text(target.pypiserver.url)}",
        'user = "uploader"',
        f"password_file = {text(secrets / 'pypiserver')}",
        f"packages_dir = {text(target.pypiserver.packages_dir)}",
        "[expected]",
        f"old_index_urls = {texts(target.expected.old_index_urls)}",
        f"nexus_aliases = {texts(target.expected.nexus_aliases)}",
        *expected,
        "[clients]",
        f"projects = {texts(clients.projects)}",
        f"pip_config_files = {texts(clients.pip_config_files)}",
    ]
    if clients.pypirc:
        lines.append(f"pypirc = {text(clients.pypirc)}")
    if clients.backup_archive:
        lines.append(f"backup_archive = {text(clients.backup_archive)}")
    if clients.archive_dir:
        lines.append(f"archive_dir = {text(clients.archive_dir)}")
    # An `ldap = ...` line of `expected` decides instead of the lab's own expectation.
    overridden = any(line.replace(" ", "").startswith("ldap=") for line in expected)
    if ldap and not overridden and target.expected.ldap_details is not None:
        lines += ldap_section(target.expected.ldap_details)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ldap_section(expected: LdapExpectation) -> list[str]:
    """[expected.ldap] as a user writes it (password files, never passwords)."""
    data = expected.model_dump(mode="json", exclude_none=True)
    groups = data.pop("groups", {})
    lines = ["[expected.ldap]", *(f"{key} = {json.dumps(value)}" for key, value in data.items())]
    for group, role in groups.items():
        lines.append(f"[expected.ldap.groups.{group}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in role.items()]
    return lines
