"""The sample migration the local and docker backends start from.

pypiserver is seeded with the sample distributions and the sample client projects are copied
into the state folder; `run_sample_migration` then does the guide's Steps 1-4 with the
library's own migration steps, so the suite finds a migrated target.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from nexus_cutover import migrate
from nexus_cutover.backends.base import BACKUP_NAME, PROJECTS, StartedServices
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.clients.sandbox import Run, Sandbox
from nexus_cutover.config import Settings
from nexus_cutover.errors import CutoverError
from nexus_cutover.migrate.state import StatePaths
from nexus_cutover.resources import SAMPLE_PROJECTS_DIR
from nexus_cutover.samples import build_samples
from nexus_cutover.target import Target


def sample_dists(settings: Settings) -> list[Path]:
    """The sample distributions, written once and kept in the state folder."""
    return build_samples(settings.state_dir / "samples")


def seed_packages(packages: Path, dists: list[Path]) -> None:
    packages.mkdir(parents=True, exist_ok=True)
    for path in dists:
        if not (packages / path.name).exists():
            shutil.copy2(path, packages / path.name)


def seed_projects(root: Path, *, fresh: bool) -> None:
    """Copy the sample client projects to `root/projects`; `fresh` starts them (and the
    journal of `configure`) anew, so the sample migration points them at the servers that
    run now."""
    projects = root / PROJECTS
    if fresh and projects.exists():
        shutil.rmtree(projects)
        shutil.rmtree(StatePaths(root).journal_dir, ignore_errors=True)
    if not projects.exists():
        shutil.copytree(SAMPLE_PROJECTS_DIR, projects)


def provision_guard_rails(target: Target) -> None:
    """Beyond the guide: the proxy's routing rule for the internal names, the health role."""
    admin = NexusAdmin(target.nexus)
    projects = migrate.internal_projects(target, admin)
    migrate.provision_routing(admin, target.expected, projects)
    migrate.provision_health_role(admin, target.expected)


# A forgotten job among the sample clients: it keeps installing from pypiserver until
# `configure` rewrites its pip.conf, so the demo and the breakers can show a straggler found.
STRAGGLER_JOB = "nightly-report"


def seed_straggler_job(projects: Path, pypiserver_url: str) -> Path:
    """The nightly report job's files, pointing at the pypiserver that runs (once)."""
    folder = projects / STRAGGLER_JOB
    if folder.exists():
        return folder
    folder.mkdir(parents=True)
    (folder / "pip.conf").write_text(
        "# pip settings of the nightly report job (cron on the reporting host)\n"
        f"[global]\nindex-url = {pypiserver_url}/simple/\n",
        encoding="utf-8",
    )
    (folder / "requirements.txt").write_text(
        "# what the nightly report installs\nacme-report-tools\nacme-utils\n", encoding="utf-8"
    )
    return folder


def run_straggler_job(projects: Path, workdir: Path) -> Run:
    """Run the nightly job once, as cron would: real pip, its own pip.conf, whatever index
    that names (pypiserver before `configure`, the group after)."""
    folder = projects / STRAGGLER_JOB
    box = Sandbox(workdir / "nightly-home")
    return box.pip(
        [
            "download",
            "--no-deps",
            "--dest",
            str(workdir / "nightly-downloads"),
            "-r",
            str(folder / "requirements.txt"),
        ],
        pip_config=folder / "pip.conf",
    )


def run_sample_migration(services: StartedServices, settings: Settings) -> Target:
    """The guide's Steps 1-4 done by the library: backup, provision, upload, configure."""
    target = services.target(settings)
    migrate.backup(services.packages_dir, services.root / "backup" / BACKUP_NAME)
    migrate.provision(NexusClient(target.nexus), target.expected, dry_run=False)
    provision_guard_rails(target)
    if target.expected.ldap_details is not None:
        migrate.provision_ldap(
            NexusClient(target.nexus), target.expected.ldap_details, target.ldap_passwords.bind
        )
    uploaded = migrate.upload(target, services.packages_dir, progress=False)
    if not uploaded.ok:
        problems = [*uploaded.problems, *uploaded.parity_missing, uploaded.aborted or ""]
        raise CutoverError(
            "the sample upload did not reach parity: " + "; ".join(filter(None, problems))[:500]
        )
    if services.projects_dir.is_dir():
        migrate.configure(target, [services.projects_dir], dry_run=False)
    return services.target(settings)
