"""Starting and stopping the old index: the local backend's own pypiserver, or steps to print."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nexus_cutover.migrate.errors import MigrationError
from nexus_cutover.processes import pid_alive
from nexus_cutover.services import LocalServices, load_local, start_pypiserver


def local_services(state_dir: Path) -> LocalServices:
    services = load_local(state_dir)
    if services is None:
        raise MigrationError(f"no local services are running in {state_dir}; start them with"
                             " `nexus-cutover up`")
    return services


def pypiserver_running(services: LocalServices) -> bool:
    return services.pypiserver is not None and pid_alive(services.pypiserver.pid)


def start_local_pypiserver(state_dir: Path) -> bool:
    """Start pypiserver on its old port (client configs name it); False if it already runs."""
    services = local_services(state_dir)
    if pypiserver_running(services):
        return False
    process = start_pypiserver(
        services.packages_dir, services.root / "secrets" / "htpasswd", services.pypiserver_port,
        services.root / "pypiserver" / "pypiserver.log",
    )
    replace(services, pypiserver=process).save()
    return True


def stop_local_pypiserver(state_dir: Path) -> bool:
    """Stop it by its process id; False if it was not running."""
    services = local_services(state_dir)
    was_running = pypiserver_running(services)
    if services.pypiserver is not None:
        services.stop_pypiserver()  # also clears a stale record of a process that died
    return was_running
