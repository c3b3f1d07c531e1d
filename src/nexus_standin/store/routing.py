"""Routing rules: stored rules, their validation, and whether a rule lets a path through.

As 3.77 has them:
- a rule is a name, a description, a mode (BLOCK or ALLOW) and regular-expression matchers
  (`RoutingRuleXO`, `RoutingMode`), kept in its own table with a unique, case-sensitive name
  (`RoutingRuleDAO.xml`: `repository_routing_rule`, `UNIQUE (name)`) and a generated id;
- the store validates every create and update and collects all errors at once
  (`RoutingRuleStoreImpl.validate`), with the messages below;
- a repository refers to its rule by id (`Configuration.getRoutingRuleId`), so renaming a rule
  keeps it attached; the REST API resolves the id back to the name;
- a path is allowed by a BLOCK rule when no matcher matches the whole path, by an ALLOW rule
  when one does (`RoutingRuleHelperImpl.isAllowed`, Java `String.matches`).

Matchers are Python regular expressions here; Java's syntax differs in corners (possessive
quantifiers, `\\p{...}` classes), so such a matcher may be refused here but not by Nexus.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import ValidationFailed
from .db import Database
from .repos import Repository

BLOCK, ALLOW = "BLOCK", "ALLOW"
MODES = (BLOCK, ALLOW)
# The id a proxy's stored configuration keeps its rule under (not a field of the REST API).
RULE_ID_KEY = "routingRuleId"
# 3.77 `NamePatternConstants.REGEX`.
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9\-]{1}[a-zA-Z0-9_\-\.]*$")
NON_EMPTY = "A non-empty value must be specified"
NAME_CHARACTERS = (
    "Only letters, digits, underscores(_), hyphens(-), and dots(.) are allowed and may not"
    " start with underscore or dot."
)
NOT_NONE = "Rule must not be named None"
NON_NULL = "A non-null value must be specified"
NO_MATCHERS = "At least one rule must be specified"
EMPTY_MATCHER = "Empty matchers are not allowed"
DUPLICATE = "A rule with the same name already exists. Name must be unique."

SCHEMA = """
CREATE TABLE IF NOT EXISTS routing_rule (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    mode TEXT NOT NULL,
    description TEXT,
    matchers TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class RoutingRule:
    name: str
    description: str | None
    mode: str
    matchers: tuple[str, ...]
    id: str = ""

    def allows(self, path: str) -> bool:
        """`RoutingRuleHelperImpl.isAllowed`: any matcher matching the whole path decides."""
        matches = any(re.fullmatch(matcher, path) for matcher in self.matchers)
        return matches if self.mode == ALLOW else not matches


def validate(name: object, description: object, mode: object, matchers: object) -> RoutingRule:
    """`RoutingRuleStoreImpl.validate`: every error at once, as (id, message) pairs."""
    errors: list[tuple[str, str]] = []
    if not isinstance(name, str) or not name.strip():
        errors.append(("name", NON_EMPTY))
    elif not NAME_PATTERN.match(name):
        errors.append(("name", NAME_CHARACTERS))
    elif name.lower() == "none":
        errors.append(("name", NOT_NONE))
    if description is None:
        errors.append(("description", NON_NULL))
    if mode is None:
        errors.append(("mode", NON_EMPTY))
    if not isinstance(matchers, list) or not matchers:
        errors.append(("matchers", NO_MATCHERS))
    else:
        errors.extend(_matcher_errors(matchers))
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(name, str)
    assert isinstance(matchers, list)
    return RoutingRule(name, str(description), str(mode), tuple(str(m) for m in matchers))


def _matcher_errors(matchers: list[object]) -> list[tuple[str, str]]:
    errors = []
    for index, matcher in enumerate(matchers):
        where = f"matchers[{index}]"
        if not isinstance(matcher, str) or not matcher.strip():
            errors.append((where, EMPTY_MATCHER))
            continue
        try:
            re.compile(matcher)
        except re.error as error:
            errors.append((where, f"Invalid regex: {error}"))
    return errors


class RoutingRuleStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        with db.write(ignore_freeze=True) as conn:
            conn.execute(SCHEMA)

    def all(self) -> list[RoutingRule]:
        rows = self._db.read().execute("SELECT * FROM routing_rule ORDER BY name").fetchall()
        return [_rule(row) for row in rows]

    def by_name(self, name: str) -> RoutingRule | None:
        """Exact, case-sensitive, as the SQL lookup `readByName` is."""
        row = self._db.read().execute("SELECT * FROM routing_rule WHERE name = ?", (name,))
        found = row.fetchone()
        return _rule(found) if found else None

    def by_id(self, rule_id: str) -> RoutingRule | None:
        row = self._db.read().execute("SELECT * FROM routing_rule WHERE id = ?", (rule_id,))
        found = row.fetchone()
        return _rule(found) if found else None

    def create(self, rule: RoutingRule) -> RoutingRule:
        created = RoutingRule(rule.name, rule.description, rule.mode, rule.matchers, _new_id())
        with self._db.write() as conn:
            if _taken(conn.execute("SELECT id FROM routing_rule WHERE name = ?", (rule.name,))):
                raise ValidationFailed([("name", DUPLICATE)])
            conn.execute(
                "INSERT INTO routing_rule (name, id, mode, description, matchers)"
                " VALUES (?, ?, ?, ?, ?)",
                _row(created),
            )
        return created

    def update(self, old: RoutingRule, new: RoutingRule) -> None:
        """Replace `old` (renaming allowed; the id, and so every assignment, stays)."""
        with self._db.write() as conn:
            clash = conn.execute(
                "SELECT id FROM routing_rule WHERE name = ? AND id != ?", (new.name, old.id)
            )
            if _taken(clash):
                raise ValidationFailed([("name", DUPLICATE)])
            conn.execute(
                "UPDATE routing_rule SET name = ?, mode = ?, description = ?, matchers = ?"
                " WHERE id = ?",
                (new.name, new.mode, new.description, json.dumps(list(new.matchers)), old.id),
            )

    def delete(self, rule: RoutingRule) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM routing_rule WHERE id = ?", (rule.id,))

    def rule_of(self, repo: Repository) -> RoutingRule | None:
        """The rule a repository is assigned, if it still exists (`RoutingRuleCache`)."""
        rule_id = repo.config.get(RULE_ID_KEY)
        return self.by_id(str(rule_id)) if rule_id else None

    def blocks(self, repo: Repository, path: str) -> bool:
        """True when the repository's rule refuses `path` (no rule: everything passes)."""
        rule = self.rule_of(repo)
        return rule is not None and not rule.allows(path)

    def users(self, rule: RoutingRule, repos: Iterable[Repository]) -> int:
        """How many repositories are assigned `rule` (`calculateAssignedRepositories`)."""
        return sum(repo.config.get(RULE_ID_KEY) == rule.id for repo in repos)


def _new_id() -> str:
    return str(uuid.uuid4())


def _taken(cursor: sqlite3.Cursor) -> bool:
    return cursor.fetchone() is not None


def _row(rule: RoutingRule) -> tuple[str, str, str, str | None, str]:
    return (rule.name, rule.id, rule.mode, rule.description, json.dumps(list(rule.matchers)))


def _rule(row: sqlite3.Row) -> RoutingRule:
    return RoutingRule(
        name=row["name"],
        description=row["description"],
        mode=row["mode"],
        matchers=tuple(json.loads(row["matchers"])),
        id=row["id"],
    )
