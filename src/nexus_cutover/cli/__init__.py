"""The `nexus-cutover` command: `app` builds the parser and runs a command; each command is a
module of its own here (init, services, run, checks, scan, migrate, demo)."""

from nexus_cutover.cli.app import main

__all__ = ["main"]
