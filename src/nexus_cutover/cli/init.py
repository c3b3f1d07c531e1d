"""`init`: write an annotated cutover.toml, from flags or by asking.

Every value comes from a flag; where a flag is missing and the terminal is interactive, the
question is asked with the guide's value as the default (`--yes` takes the defaults). The
file is checked by loading it before it is written, and an existing file is only replaced
with `--force`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nexus_cutover.cli.app import command_parser
from nexus_cutover.errors import ConfigError, ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from nexus_cutover.config import Settings


@dataclass(frozen=True)
class Question:
    flag: str
    prompt: str
    default: str


QUESTIONS: tuple[Question, ...] = (
    Question("nexus_url", "Nexus REST/UI base URL (empty: the local stand-in of `up`)", ""),
    Question("nexus_repository_url", "Nexus repository base URL (/repository/...)", ""),
    Question("nexus_user", "Nexus user", "admin"),
    Question(
        "pypiserver_url", "pypiserver URL (empty after decommissioning)", "http://localhost:8888"
    ),
    Question("packages_dir", "pypiserver's packages folder, if readable from here", ""),
    Question("projects", "project folders that used pypiserver (comma-separated)", ""),
)

TEMPLATE = """\
# nexus-cutover configuration: the target and the expected state.
# Written by `nexus-cutover init`; every key is optional (defaults: the migration guide's
# values). Precedence, low to high: defaults < this file < environment variables < options.
# Relative paths are relative to this file. Passwords never go here: NEXUS_PASSWORD /
# PYPISERVER_PASSWORD, or a file named by `password_file` (a `password` key is refused).

# local: pypiserver + the Nexus stand-in on loopback; external: your servers, by URL;
# docker: the official images in containers.
backend = {backend}
read_only = false          # true: never write (the health phase is always read only)
require_proven = false     # true: skipped or unrun checklist items fail the run
state_dir = ".cutover"     # backups, journals, the last report

[nexus]
url = {nexus_url}
{repository_line}
user = {nexus_user}
# password_file = "nexus.password"   # or NEXUS_PASSWORD
# log_dir = "/nexus-data/log"         # Nexus's log folder, if readable here (TS-10)
timeout = 30.0
# ca_bundle = "internal-ca.pem"       # CA certificates for an https Nexus

[pypiserver]
{pypiserver_line}
# user = "uploader"                   # password: PYPISERVER_PASSWORD or password_file
{packages_line}
# log_file = "/var/log/pypiserver/requests.log"   # its request log: PRE-3, DECOM-4 (README)
# straggler_hours = 24.0              # clients seen this recently (after configure) block Step 8

[http]
# Every request: keep-alive connections, retries of transient faults (connection refused or
# reset, 429/502/503/504 with Retry-After honoured). TLS verification is always on.
workers = 8          # concurrent uploads and downloads, one keep-alive connection each
retries = 3          # further tries after a transient fault, with exponential backoff
# backoff = 0.5      # seconds before the second retry, doubling after (with jitter)
# backoff_max = 10.0 # the longest wait between tries, a server's Retry-After included

[expected]
# Every URL under which clients knew the old index (host:port is what counts).
old_index_urls = {old_index_urls}
# Other names of the Nexus repository base that clients use (e.g. inside Docker builds).
nexus_aliases = []
public_package = "six"                     # fetched through the proxy by the INSTALL checks
canary_project = "nexus-cutover-canary"    # reserved name for canary uploads, removed again
routing_rule = "internal-projects"         # the proxy's BLOCK rule for internal names (SEC-1)
health_role = "nexus-cutover-health"       # the health account's read-only role (SEC-6)
admin_users = ["admin"]                    # accounts client files must not use (SEC-5)

[expected.proxy]
name = "pypi-proxy"
remote_url = "https://pypi.org"
auto_block = true
content_max_age = 1440
metadata_max_age = 1440

[expected.hosted]
name = "pypi-hosted"
write_policy = "Allow redeploy"   # or "Disable redeploy" (ALLOW_ONCE) or "Read-only" (DENY)

[expected.group]
name = "pypi-group"
members = ["pypi-proxy", "pypi-hosted"]

# The guide's optional LDAP section. Uncomment when Nexus must authenticate against a
# directory: LDAP-1/LDAP-2 then fail until Nexus matches it, and `migrate provision` creates
# the server, the group roles and activates LdapRealm. Left out: LDAP checks are not applicable
# (`ldap = true` under [expected] instead: any LDAP server that verifies, with a mapped group).
# Passwords: NEXUS_CUTOVER_LDAP_BIND_PASSWORD / _PROBE_PASSWORD / _DENIED_PASSWORD, or the
# *_password_file keys; never in this file.
# [expected.ldap]
# name = "corp-ldap"
# protocol = "ldap"                          # or "ldaps"
# host = "ldap.example.com"
# port = 389
# search_base = "dc=example,dc=com"
# auth_scheme = "SIMPLE"                     # NONE, SIMPLE, DIGEST_MD5, CRAM_MD5
# bind_dn = "cn=nexus,ou=services,dc=example,dc=com"
# bind_password_file = "secrets/ldap-bind"
# user_base_dn = "ou=people"                 # relative to search_base
# user_object_class = "inetOrgPerson"
# user_id_attribute = "uid"
# group_type = "static"                      # or "dynamic" (user_member_of_attribute)
# group_base_dn = "ou=groups"
# group_object_class = "groupOfNames"
# group_member_attribute = "member"
# group_member_format = "${{dn}}"
# probe_user = "alice"                       # logs in with the roles of probe_groups, publishes
# probe_password_file = "secrets/ldap-alice"
# probe_groups = ["developers"]
# denied_user = "mallory"                    # logs in, must not publish
# denied_password_file = "secrets/ldap-mallory"
#
# [expected.ldap.groups.developers]          # the Nexus role with the group's id
# privileges = ["nx-repository-view-pypi-pypi-hosted-add",
#               "nx-repository-view-pypi-pypi-hosted-edit",
#               "nx-repository-view-pypi-pypi-group-read",
#               "nx-repository-view-pypi-pypi-group-browse"]

[clients]
# Every project that used pypiserver: scanned for index URLs (CLIENT-*, DOCKER-*, SEC-3).
projects = {projects}
# Global and user pip configuration to check (CLIENT-1, TS-3, TS-9).
pip_config_files = []
# pypirc = "~/.pypirc"                                     # PUBLISH-2
# backup_archive = "backups/pypi-packages-backup.tar.gz"   # PRE-2, ROLLBACK-1
# archive_dir = "packages-archived-YYYYMMDD"               # DECOM-3, after Step 8

[capacity]
# Nexus Community Edition usage limits (CAP-1, CAP-2); default: those of the Nexus version.
# components_limit = 40000
# requests_per_day_limit = 100000
# proxy_components = 5000   # the proxy cache's expected size (default: what it holds now)
warn_at = 0.75             # pass with a warning from here
fail_at = 0.9              # the health check fails from here, before Nexus refuses
"""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        commands,
        "init",
        help="write an annotated cutover.toml (from flags, or by asking)",
        description="Write a configuration file with every key explained. Values not given"
        " as flags are asked for on a terminal (the default in brackets); --yes takes the"
        " defaults without asking.",
    )
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        default=Path("cutover.toml"),
        metavar="FILE",
        help="where to write (default ./cutover.toml)",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.add_argument("--yes", "-y", action="store_true", help="ask nothing; use defaults")
    parser.add_argument("--nexus-url", metavar="URL", dest="nexus_url")
    parser.add_argument("--nexus-repository-url", metavar="URL", dest="nexus_repository_url")
    parser.add_argument("--nexus-user", metavar="USER", dest="nexus_user")
    parser.add_argument("--pypiserver-url", metavar="URL", dest="pypiserver_url")
    parser.add_argument("--packages-dir", metavar="DIR", dest="packages_dir")
    parser.add_argument(
        "--project",
        action="append",
        metavar="DIR",
        dest="project_list",
        help="a project folder that used pypiserver (repeatable)",
    )


def run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from nexus_cutover.config import load_settings

    output: Path = args.output.resolve()
    if output.exists() and not args.force:
        raise ConfigError(f"{output} exists: give --force to replace it")
    ask = _asker(args)
    values = {q.flag: _value(args, q, ask) for q in QUESTIONS}
    text = render(values)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.new")
    partial.write_text(text, encoding="utf-8")
    try:
        load_settings(partial, environ={})  # never write a file the tool would refuse
    except ConfigError as error:
        partial.unlink()
        raise ConfigError(str(error).replace(str(partial), str(output))) from None
    partial.replace(output)
    console.print(f"wrote {output}", markup=False, highlight=False)
    console.print(
        "next: export NEXUS_PASSWORD=..., then `nexus-cutover run --phase precutover`",
        markup=False,
        highlight=False,
    )
    return ExitCode.OK


def _asker(args: argparse.Namespace) -> Callable[[Question], str] | None:
    if args.yes or not sys.stdin.isatty():
        return None

    def ask(question: Question) -> str:
        shown = f" [{question.default}]" if question.default else ""
        answer = input(f"{question.prompt}{shown}: ").strip()
        return answer or question.default

    return ask


def _value(
    args: argparse.Namespace, question: Question, ask: Callable[[Question], str] | None
) -> str:
    given = (
        ",".join(args.project_list)
        if question.flag == "projects" and args.project_list
        else getattr(args, question.flag, None)
    )
    if given is not None:
        return str(given)
    return ask(question) if ask else question.default


def old_index_urls(pypiserver_url: str) -> list[str]:
    """The guide's names of the old index, and the one given (clients may use either)."""
    from nexus_cutover.config import Expected

    urls = list(Expected().old_index_urls)
    given = f"{pypiserver_url}/simple" if pypiserver_url else None
    return urls if given is None or given in urls else [given, *urls]


def render(values: dict[str, str]) -> str:
    def quoted(text: str) -> str:
        return json.dumps(text)  # a TOML basic string is a JSON string

    old = values["pypiserver_url"].rstrip("/")
    projects = [p.strip() for p in values["projects"].split(",") if p.strip()]
    # No Nexus given: a configuration for the local services of `nexus-cutover up`.
    backend = "external" if values["nexus_url"] else "local"
    return TEMPLATE.format(
        backend=quoted(backend),
        nexus_url=quoted(values["nexus_url"] or "http://localhost:28081"),
        repository_line=(
            f"repository_url = {quoted(values['nexus_repository_url'])}"
            if values["nexus_repository_url"]
            else '# repository_url = "http://localhost:28083"   # if /repository/ differs'
        ),
        nexus_user=quoted(values["nexus_user"]),
        pypiserver_line=f"url = {quoted(old)}" if old else 'url = ""  # none: decommissioned',
        packages_line=(
            f"packages_dir = {quoted(values['packages_dir'])}"
            if values["packages_dir"]
            else '# packages_dir = "/srv/pypi-server/packages"'
        ),
        old_index_urls=json.dumps(old_index_urls(old)),
        projects=json.dumps(projects),
    )
