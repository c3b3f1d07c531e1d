"""The embedded default: local services, a sample migration, and the Target that describes them."""

from __future__ import annotations

import shutil
from pathlib import Path

from nexus_cutover import migrate
from nexus_cutover.config import Settings
from nexus_cutover.nexus import NexusClient
from nexus_cutover.samples import build_samples
from nexus_cutover.services import LocalServices, Services, start_local
from nexus_cutover.target import Target

CHECKOUT = Path(__file__).resolve().parents[2]
SAMPLE_PROJECTS = CHECKOUT / "fixtures" / "projects" / "old"
BACKUP_NAME = "pypi-packages-backup.tar.gz"
USER_CONFIG = "user-config"


def sample_dists(settings: Settings) -> list[Path]:
    """The sample distributions, built once and kept in the state folder."""
    return build_samples(settings.state_dir / "samples")


def start_seeded(root: Path, settings: Settings) -> LocalServices:
    """pypiserver holding the sample packages, and an empty Nexus stand-in (not migrated)."""
    services = start_local(root, sample_dists(settings))
    projects = root / "projects"
    if SAMPLE_PROJECTS.is_dir() and not projects.exists():
        shutil.copytree(SAMPLE_PROJECTS, projects)
    return services


def run_sample_migration(services: Services, settings: Settings) -> Target:
    """The guide's Steps 1-4 done by the library: backup, provision, upload, configure."""
    target = local_target(services, settings)
    client = NexusClient(target.nexus)
    migrate.backup(services.packages_dir, services.root / "backup" / BACKUP_NAME)
    migrate.provision(client, target.expected, dry_run=False)
    migrate.upload(target, services.packages_dir, progress=False)
    projects = services.root / "projects"
    if projects.is_dir():
        migrate.configure(target, [projects], dry_run=False)
    return target


def start_sample_migration(root: Path, settings: Settings) -> LocalServices:
    services = start_seeded(root, settings)
    try:
        run_sample_migration(services, settings)
    except BaseException:
        services.stop()
        raise
    return services


def latest_archive(packages_dir: Path) -> Path | None:
    """The newest `packages-archived-YYYYMMDD` folder beside the packages folder (Step 8)."""
    archives = sorted(packages_dir.parent.glob(f"{packages_dir.name}-archived-*"))
    return archives[-1] if archives else None


def local_target(services: Services, settings: Settings) -> Target:
    """The services' Target, with the sample projects and backup as the client side."""
    target = services.target(settings)
    projects = services.root / "projects"
    # user-config stands for a developer's home folder, not a committed project.
    user_config = projects / USER_CONFIG
    clients = settings.clients.model_copy(
        update={
            "projects": tuple(
                sorted(p for p in projects.iterdir() if p.is_dir() and p.name != USER_CONFIG)
            )
            if projects.is_dir()
            else (),
            "pip_config_files": (user_config / "pip.conf",) if user_config.is_dir() else (),
            "pypirc": user_config / ".pypirc" if user_config.is_dir() else None,
            "backup_archive": services.root / "backup" / BACKUP_NAME,
            "archive_dir": latest_archive(services.packages_dir),
        }
    )
    expected = settings.expected.model_copy(
        update={
            "old_index_urls": (*settings.expected.old_index_urls, services.pypiserver_url),
        }
    )
    return Target(
        backend=target.backend,
        nexus=target.nexus,
        pypiserver=target.pypiserver,
        expected=expected,
        clients=clients,
        state_dir=target.state_dir,
        read_only=target.read_only,
    )


def write_external_config(services: Services, target: Target, path: Path) -> Path:
    """A cutover.toml that points `--backend external` at these running services."""
    import tomlkit

    secrets = services.root / "secrets"
    clients = target.clients
    document = {
        "backend": "external",
        "state_dir": str(services.root),
        "nexus": {
            "url": target.nexus.url,
            "repository_url": target.nexus.repository_url,
            "user": target.nexus.credentials.user if target.nexus.credentials else "admin",
            "password_file": str(secrets / "nexus-admin"),
            "log_file": str(services.nexus_data / "log" / "nexus.log"),
        },
        "pypiserver": {
            "url": target.pypiserver.url or "",
            "user": target.pypiserver.credentials.user if target.pypiserver.credentials else "",
            "password_file": str(secrets / "pypiserver"),
            "packages_dir": str(services.packages_dir),
        },
        "expected": {"old_index_urls": list(target.expected.old_index_urls)},
        "clients": {
            "projects": [str(p) for p in clients.projects],
            "pip_config_files": [str(p) for p in clients.pip_config_files],
            **({"pypirc": str(clients.pypirc)} if clients.pypirc else {}),
            **({"backup_archive": str(clients.backup_archive)} if clients.backup_archive else {}),
        },
    }
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return path
