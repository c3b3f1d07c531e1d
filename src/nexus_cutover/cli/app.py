"""nexus-cutover: prove a pypiserver -> Nexus Repository 3 migration is done, and do its steps.

The parser is built from the standard library and the catalogue alone, so `--help` and
`--version` answer at once; each command imports what it needs when it runs.

Adding a command: a module in this package with `add_parser(commands)` and a function
`run(args, settings, console) -> int`, listed in `COMMANDS` below.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from nexus_cutover import __version__
from nexus_cutover.environment import help_table
from nexus_cutover.errors import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from nexus_cutover.config import Settings

# Command name -> module of this package that adds its parser and runs it.
COMMANDS: dict[str, str] = {
    "init": "init",
    "up": "services",
    "down": "services",
    "status": "services",
    "run": "run",
    "checks": "checks",
    "scan": "scan",
    "migrate": "migrate",
    "demo": "demo",
}
# Commands that read no configuration: a broken ./cutover.toml must not stop them.
WITHOUT_CONFIG = frozenset({"init", "checks"})

DESCRIPTION = """\
Prove that a move from pypiserver to a Nexus Repository 3 PyPI setup is done, and automate
the moves of the migration guide. "Migration done" means "the suite passes".

The configuration file is --config FILE, else $NEXUS_CUTOVER_CONFIG, else ./cutover.toml
(`nexus-cutover init` writes one). Passwords come from environment variables or files named
in it, never from the command line.
"""

EPILOG = f"""\
typical use:
  nexus-cutover init                              write an annotated cutover.toml
  nexus-cutover run --phase precutover            before the cutover (reads, one canary)
  nexus-cutover run --phase health                scheduled, read only
  nexus-cutover migrate upload --dry-run          what the upload step would do
  nexus-cutover up && nexus-cutover run           local pypiserver + Nexus stand-in

exit codes:
  0  every selected check passed, or the step did what it says
  1  a check failed, a step left something undone, or (--require-proven) items unproven
  2  bad input: configuration, arguments, unreachable server, TLS failure, credentials
  3  a defect of nexus-cutover (please report it)

environment variables (they override the configuration file):
{help_table()}
"""


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (what, and where to read more), exit code 2.

    Subcommand parsers are of this class too (argparse makes them of the parent's class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.BAD_INPUT, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="nexus-cutover",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_common_options(parser, argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    added: set[str] = set()
    for module_name in COMMANDS.values():
        if module_name not in added:
            added.add(module_name)
            _module(module_name).add_parser(commands)  # type: ignore[attr-defined]
    return parser


def add_common_options(parser: argparse.ArgumentParser, default: object = None) -> None:
    """--config, --state-dir, --backend: accepted before and after the command."""
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        default=default,
        help="TOML file with the target and the expected state (default: $NEXUS_CUTOVER_CONFIG,"
        " then ./cutover.toml)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        metavar="DIR",
        default=default,
        help="where local services, backups and journals live (default: .cutover beside the"
        " configuration file)",
    )
    parser.add_argument(
        "--backend",
        choices=("local", "docker", "external"),
        default=default,
        help="where the servers come from (default: the configuration's, else local)",
    )


def command_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, **kwargs: object
) -> argparse.ArgumentParser:
    """A subcommand's parser, with the common options and the help layout of the main one."""
    parser = commands.add_parser(
        name,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,  # type: ignore[arg-type]
    )
    add_common_options(parser, argparse.SUPPRESS)
    return parser


def _module(name: str) -> object:
    return importlib.import_module(f"nexus_cutover.cli.{name}")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, extra = parser.parse_known_args(arguments)
    if extra and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.pytest_args = [a for a in extra if a != "--"] if args.command == "run" else []
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from nexus_cutover.errors import CutoverError
    from nexus_cutover.redact import redact

    errors = Console(stderr=True)
    secrets: tuple[str, ...] = ()
    try:
        settings = load(args)
        secrets = settings.secrets()
        module = _module(COMMANDS[args.command])
        code: int = module.run(args, settings, Console())  # type: ignore[attr-defined]
        return code
    except CutoverError as error:
        _error(errors, redact(str(error), secrets))
        return ExitCode.BAD_INPUT
    except (OSError, UnicodeError) as error:
        _error(errors, redact(_os_error(error), secrets))
        return ExitCode.BAD_INPUT
    except KeyboardInterrupt:
        _error(errors, "interrupted; every step can be run again to resume")
        return ExitCode.INTERRUPTED


def load(args: argparse.Namespace) -> Settings:
    """The settings of this run: the configuration file is found once, here, in the
    user's current folder, and every path in them is absolute from then on."""
    from nexus_cutover.config import Settings, find_config_file, load_settings

    if args.command in WITHOUT_CONFIG:
        return Settings()
    config_file = find_config_file(getattr(args, "config", None))
    state_dir = getattr(args, "state_dir", None)
    return load_settings(
        config_file,
        {
            "backend": getattr(args, "backend", None),
            "state_dir": state_dir.resolve() if state_dir else None,
        },
    )


def config_line(settings: Settings) -> str:
    """Which configuration this command uses, for the first line it prints."""
    source = settings.config_file or "none (defaults and environment)"
    return f"config: {source}"


def _error(console: Console, text: str) -> None:
    console.print(f"nexus-cutover: error: {text}", markup=False, highlight=False, soft_wrap=True)


def _os_error(error: OSError | UnicodeError) -> str:
    if isinstance(error, UnicodeError):
        return f"a file is not valid UTF-8 text: {error}"
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


if __name__ == "__main__":
    sys.exit(main())
