"""`up`, `down`, `status`: the local backend's pypiserver and Nexus stand-in, kept running."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from nexus_cutover.cli.app import command_parser
from nexus_cutover.errors import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from nexus_cutover.backends.local import LocalServices
    from nexus_cutover.config import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command_parser(
        commands,
        "up",
        help="start local pypiserver and the Nexus stand-in, with the sample migration done",
        description="Start a real pypiserver holding sample packages and the Nexus stand-in"
        " on free loopback ports, migrate the samples (backup, provision, upload, configure"
        " the sample projects) and leave both running: `run`, `migrate` and the pytest"
        " fixtures use them until `down`. Running it again changes nothing.",
    )
    command_parser(
        commands,
        "down",
        help="stop the local services started by `up` (their data is kept)",
        description="Stop the processes `up` started, by their process ids. Their data"
        " folders stay; the next `up` starts from them on the same ports.",
    )
    command_parser(
        commands,
        "status",
        help="show the local services: processes, URLs, data folders, migration state",
        description="Exit code 0 when the services run, 1 when they do not.",
    )


def run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from nexus_cutover.backends.local import LocalBackend
    from nexus_cutover.cli.app import config_line

    backend = LocalBackend(settings.model_copy(update={"backend": "local"}))
    _print(console, f"{config_line(settings)}; state {backend.root}")
    if args.command == "up":
        already = backend.running()
        with console.status("starting pypiserver and the Nexus stand-in, migrating samples..."):
            services = backend.up()
        verb = "already up" if already else "up"
        _print(console, f"{verb}:", describe(services))
        _print(console, "Nexus admin password file:", str(services.secrets_dir / "nexus-admin"))
        return ExitCode.OK
    if args.command == "down":
        stopped = backend.down()
        if stopped is None:
            _print(console, "no local services are running in", str(backend.root))
            return ExitCode.OK
        pids = f"nexus-standin pid {stopped.nexus.pid}"
        if stopped.pypiserver:
            pids += f", pypiserver pid {stopped.pypiserver.pid}"
        _print(console, "stopped:", pids, f"(data kept in {stopped.root})")
        return ExitCode.OK
    running = backend.running()
    if running is None:
        _print(console, "down: no local services are running in", str(backend.root))
        return ExitCode.FAILED
    _print(console, "up:", describe(running))
    return ExitCode.OK


def describe(services: LocalServices) -> str:
    old = (
        f"{services.pypiserver_url} (pid {services.pypiserver.pid})"
        if services.pypiserver and services.pypiserver_running()
        else "stopped"
    )
    migrated = "done" if services.migrated else "not run"
    return (
        f"Nexus stand-in {services.nexus_url} (repositories {services.repository_url},"
        f" pid {services.nexus.pid}, data {services.nexus_data});"
        f" pypiserver {old} (packages {services.packages_dir});"
        f" sample projects {services.projects_dir}; sample migration {migrated}"
    )


def _print(console: Console, *parts: str) -> None:
    console.print(" ".join(parts), markup=False, highlight=False, soft_wrap=True)
