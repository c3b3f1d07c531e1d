"""A real read-only account for the health phase of started services (the demo's last word).

The user holds only the role `migrate provision` made (`expected.health_role`), with a random
password kept beside the others; `health_config` writes a cutover.toml that runs the suite as
that user against the same servers (`--backend external`), the way an ops host would.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from nexus_cutover.backends.base import StartedServices, read_secret, write_secret
from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.config import Settings

HEALTH_USER = "nexus-health"
ACCOUNT_FILE = "nexus-health"


def create_health_account(services: StartedServices, settings: Settings) -> str:
    """The health user (created once, holding only the health role); its user id."""
    password_file = services.secrets_dir / ACCOUNT_FILE
    if not password_file.exists():
        write_secret(password_file, secrets.token_urlsafe(18))
    admin = NexusAdmin(services.target(settings).nexus)
    if not any(u.get("userId") == HEALTH_USER for u in admin.users()):
        admin.create_user(
            {
                "userId": HEALTH_USER,
                "firstName": "nexus-cutover",
                "lastName": "health check",
                "emailAddress": f"{HEALTH_USER}@example.com",
                "password": read_secret(services.secrets_dir, ACCOUNT_FILE),
                "status": "active",
                "roles": [settings.expected.health_role],
            }
        )
    return HEALTH_USER


def health_config(services: StartedServices, settings: Settings, path: Path) -> Path:
    """A cutover.toml for `--backend external` as the health user, pypiserver gone."""
    target = services.target(settings)
    clients = target.clients

    def text(value: object) -> str:
        return json.dumps(str(value))  # a TOML basic string is a JSON string

    def texts(values: tuple[object, ...]) -> str:
        return "[" + ", ".join(text(v) for v in values) + "]"

    lines = [
        'backend = "external"',
        f"state_dir = {text(target.state_dir)}",
        "[nexus]",
        f"url = {text(target.nexus.url)}",
        f"repository_url = {text(target.nexus.repository_url)}",
        f"user = {text(HEALTH_USER)}",
        f"password_file = {text(services.secrets_dir / ACCOUNT_FILE)}",
        f"log_dir = {text(target.nexus.log_dir)}",
        "[pypiserver]",
        'url = ""',
        *([f"log_file = {text(target.pypiserver.log_file)}"] if target.pypiserver.log_file else []),
        "[expected]",
        f"old_index_urls = {texts(target.expected.old_index_urls)}",
        f"health_role = {text(settings.expected.health_role)}",
        "[clients]",
        f"projects = {texts(clients.projects)}",
        f"pip_config_files = {texts(clients.pip_config_files)}",
        *([f"pypirc = {text(clients.pypirc)}"] if clients.pypirc else []),
        *([f"backup_archive = {text(clients.backup_archive)}"] if clients.backup_archive else []),
        *([f"archive_dir = {text(clients.archive_dir)}"] if clients.archive_dir else []),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
