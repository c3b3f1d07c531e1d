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
from nexus_cutover.config import Settings
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


def run_sample_migration(services: StartedServices, settings: Settings) -> Target:
    """The guide's Steps 1-4 done by the library: backup, provision, upload, configure."""
    target = services.target(settings)
    migrate.backup(services.packages_dir, services.root / "backup" / BACKUP_NAME)
    migrate.provision(NexusClient(target.nexus), target.expected, dry_run=False)
    if target.expected.ldap_details is not None:
        migrate.provision_ldap(
            NexusClient(target.nexus), target.expected.ldap_details, target.ldap_passwords.bind
        )
    migrate.upload(target, services.packages_dir, progress=False)
    if services.projects_dir.is_dir():
        migrate.configure(target, [services.projects_dir], dry_run=False)
    return services.target(settings)
