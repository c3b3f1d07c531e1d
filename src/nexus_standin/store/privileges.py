"""Privileges: the built-in ones, the ones every repository brings, and administrator-made ones.

A privilege grants one Shiro wildcard permission (3.77 privilege descriptors):
- application `nx-<domain>-<action>`: `nexus:<domain>:<actions>`
  (3.77 `NexusSecurityContributor` and the other `*SecurityContributor`s);
- repository-view `nx-repository-view-<format>-<repo>-<action>`:
  `nexus:repository-view:<format>:<repo>:<action>` (`RepositoryViewPrivilegeDescriptor`), made
  for every format (`<format>-*-...`) and repository (`RepositoryFormatSecurityContributor`);
- repository-admin `nx-repository-admin-<format>-<repo>-<action>`:
  `nexus:repository-admin:<format>:<repo>:<action>` (`RepositoryAdminPrivilegeDescriptor`), made
  for all repositories (`*-*-...`) and every repository, without a per-repository `add`
  (`RepositoryAdminSecurityContributor`);
- wildcard: its pattern (`nx-all` is `nexus:*`).
Actions `*` stand for every action. Built-in privileges are read-only and not stored; the
repository ones follow the repository list.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from .db import Database
from .repos import Repository

APPLICATION, VIEW, ADMIN, WILDCARD = (
    "application",
    "repository-view",
    "repository-admin",
    "wildcard",
)
FORMAT = "pypi"
BREAD = ("browse", "read", "edit", "add", "delete")
ALL = "*"
ALL_PRIVILEGES = "nx-all"


@dataclass(frozen=True)
class Privilege:
    name: str
    type: str
    description: str
    read_only: bool = True
    domain: str = ""  # application
    format: str = ""  # repository-view / repository-admin
    repository: str = ""
    actions: str = ""  # comma-separated, as Nexus stores them ("read", "*", "create,read")
    pattern: str = ""  # wildcard

    @property
    def permission(self) -> str:
        if self.type == APPLICATION:
            return f"nexus:{self.domain}:{self.actions}"
        if self.type in (VIEW, ADMIN):
            return f"nexus:{self.type}:{self.format}:{self.repository}:{self.actions}"
        return self.pattern


def _application(name: str, domain: str, actions: str, description: str) -> Privilege:
    return Privilege(name, APPLICATION, description, domain=domain, actions=actions)


def _crud(prefix: str, domain: str, title: str) -> list[Privilege]:
    """`createCrudAndAllApplicationPrivileges`: -all, -create, -read, -update, -delete."""
    return [
        _application(f"{prefix}-all", domain, "*", f"All permissions for {title}"),
        _application(f"{prefix}-create", domain, "create,read", f"Create permission for {title}"),
        _application(f"{prefix}-read", domain, "read", f"Read permission for {title}"),
        _application(f"{prefix}-update", domain, "update,read", f"Update permission for {title}"),
        _application(f"{prefix}-delete", domain, "delete,read", f"Delete permission for {title}"),
    ]


def _application_privileges() -> list[Privilege]:
    privileges = [
        Privilege(ALL_PRIVILEGES, WILDCARD, "All permissions", pattern="nexus:*"),
        _application("nx-settings-all", "settings", "*", "All permissions for Settings"),
        _application("nx-settings-read", "settings", "read", "Read permission for Settings"),
        _application(
            "nx-settings-update", "settings", "update,read", "Update permission for Settings"
        ),
        _application("nx-bundles-all", "bundles", "*", "All permissions for Bundles"),
        _application("nx-bundles-read", "bundles", "read", "Read permission for Bundles"),
        _application("nx-search-read", "search", "read", "Read permission for Search"),
        _application("nx-apikey-all", "apikey", "*", "All permissions for APIKey"),
        _application(
            "nx-userschangepw", "userschangepw", "create,read", "Change password permission"
        ),
        _application("nx-component-upload", "component", "create", "Upload component permission"),
        _application("nx-metrics-all", "metrics", "*", "All permissions for Metrics"),
        _application(
            "nx-healthcheck-read", "healthcheck", "read", "Read permission for Healthcheck"
        ),
        _application("nx-tasks-run", "tasks", "start,stop", "Run permission for Tasks"),
        _application("nx-atlas-all", "atlas", "*", "All permissions for Atlas"),
    ]
    for prefix, domain, title in (
        ("nx-privileges", "privileges", "Privileges"),
        ("nx-roles", "roles", "Roles"),
        ("nx-users", "users", "Users"),
        ("nx-tasks", "tasks", "Tasks"),
        ("nx-blobstores", "blobstores", "Blobstores"),
        ("nx-capabilities", "capabilities", "Capabilities"),
        ("nx-selectors", "selectors", "Selectors"),
        ("nx-ldap", "ldap", "Ldap"),
    ):
        privileges.extend(_crud(prefix, domain, title))
    return privileges


BUILT_IN = {privilege.name: privilege for privilege in _application_privileges()}


def repository_privilege(kind: str, fmt: str, repo: str, action: str) -> Privilege:
    """`RepositoryViewPrivilegeDescriptor.privilege` / `RepositoryAdminPrivilegeDescriptor`."""
    what = "repository views" if kind == VIEW else "repository administration"
    if repo != ALL:
        target = f"{fmt}-{repo}"
    elif fmt != ALL:
        target = f"all '{fmt}'-format"
    else:
        target = "all"
    doing = "All privileges" if action == ALL else f"{action.capitalize()} privilege"
    return Privilege(
        f"nx-{kind}-{fmt}-{repo}-{action}",
        kind,
        f"{doing} for {target} {what}",
        format=fmt,
        repository=repo,
        actions=action,
    )


def _repository_privileges(repos: Iterable[Repository]) -> list[Privilege]:
    actions = (ALL, *BREAD)
    privileges = [repository_privilege(VIEW, ALL, ALL, a) for a in actions]
    privileges += [repository_privilege(VIEW, FORMAT, ALL, a) for a in actions]
    privileges += [repository_privilege(ADMIN, ALL, ALL, a) for a in actions]
    for repo in repos:
        privileges += [repository_privilege(VIEW, repo.format, repo.name, a) for a in actions]
        # No per-repository repository-admin "add" (RepositoryAdminSecurityContributor).
        privileges += [
            repository_privilege(ADMIN, repo.format, repo.name, a) for a in actions if a != "add"
        ]
    return privileges


class PrivilegeStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self, repos: Iterable[Repository]) -> list[Privilege]:
        """Every privilege, sorted by name as the API lists them."""
        found = {p.name: p for p in [*BUILT_IN.values(), *_repository_privileges(repos)]}
        found.update({p.name: p for p in self._stored()})
        return [found[name] for name in sorted(found)]

    def get(self, name: str, repos: Iterable[Repository]) -> Privilege | None:
        return next((p for p in self.all(repos) if p.name == name), None)

    def permissions(self, names: Iterable[str], repos: Iterable[Repository]) -> frozenset[str]:
        """The permissions the named privileges grant; unknown names grant nothing."""
        known = {p.name: p for p in self.all(repos)}
        return frozenset(known[name].permission for name in names if name in known)

    def save(self, privilege: Privilege) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO privilege (name, type, config) VALUES (?, ?, ?)",
                (privilege.name, privilege.type, json.dumps(_config(privilege))),
            )

    def delete(self, name: str) -> bool:
        with self._db.write() as conn:
            return conn.execute("DELETE FROM privilege WHERE name = ?", (name,)).rowcount > 0

    def _stored(self) -> list[Privilege]:
        rows = self._db.read().execute("SELECT * FROM privilege ORDER BY name").fetchall()
        return [_privilege(row) for row in rows]


def _config(privilege: Privilege) -> dict[str, str]:
    return {
        "description": privilege.description,
        "domain": privilege.domain,
        "format": privilege.format,
        "repository": privilege.repository,
        "actions": privilege.actions,
        "pattern": privilege.pattern,
    }


def _privilege(row: sqlite3.Row) -> Privilege:
    config = json.loads(row["config"])
    return Privilege(
        name=row["name"],
        type=row["type"],
        read_only=False,
        description=str(config.get("description", "")),
        domain=str(config.get("domain", "")),
        format=str(config.get("format", "")),
        repository=str(config.get("repository", "")),
        actions=str(config.get("actions", "")),
        pattern=str(config.get("pattern", "")),
    )
