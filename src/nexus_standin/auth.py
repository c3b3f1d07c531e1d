"""HTTP Basic authentication and privilege checks (Nexus's repository-view privilege names)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass

from .errors import Forbidden, Unauthorized
from .repos import Repository
from .security import (
    ALL_PRIVILEGES,
    AUTHENTICATING_REALM,
    SecurityStore,
    User,
    hash_password,
    password_matches,
)

VIEW_PREFIX = "nx-repository-view-"
ACTIONS = ("browse", "read", "edit", "add", "delete")


@dataclass(frozen=True)
class Subject:
    user_id: str
    authenticated: bool
    privileges: frozenset[str]

    def permits(self, privilege: str) -> bool:
        return ALL_PRIVILEGES in self.privileges or privilege in self.privileges

    def permits_repository(self, repo: Repository, action: str) -> bool:
        if ALL_PRIVILEGES in self.privileges:
            return True
        return any(
            _view_grants(granted, repo.format, repo.name, action) for granted in self.privileges
        )

    def demand(self, allowed: bool) -> None:
        """401 asks an anonymous caller to log in; a logged-in caller without rights gets 403."""
        if not allowed:
            raise Forbidden() if self.authenticated else Unauthorized()

    def demand_repository(self, repo: Repository, action: str) -> None:
        self.demand(self.permits_repository(repo, action))

    def demand_admin(self) -> None:
        self.demand(ALL_PRIVILEGES in self.privileges)


def _view_grants(granted: str, fmt: str, repo: str, action: str) -> bool:
    if not granted.startswith(VIEW_PREFIX):
        return False
    granted_format, _, rest = granted[len(VIEW_PREFIX) :].partition("-")
    granted_repo, _, granted_action = rest.rpartition("-")
    return (
        granted_format in ("*", fmt)
        and granted_repo in ("*", repo)
        and granted_action in ("*", action)
    )


def parse_basic(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


class Authenticator:
    def __init__(self, security: SecurityStore) -> None:
        self._security = security
        # Verified (user, sha256(password)) -> the stored hash it matched; avoids re-running
        # PBKDF2 on every pip request while still noticing a password change.
        self._verified: dict[tuple[str, str], str] = {}
        self._decoy_hash = hash_password(secrets.token_hex(16))

    def subject(self, authorization: str | None) -> Subject:
        if not authorization:
            return self.anonymous()
        credentials = parse_basic(authorization)
        if credentials is None:
            raise Unauthorized()
        user = self._authenticate(*credentials)
        if user is None:
            raise Unauthorized()
        return Subject(user.user_id, True, self._security.privileges_of(user.roles))

    def anonymous(self) -> Subject:
        settings = self._security.anonymous()
        user = self._security.user(str(settings.get("userId", "anonymous")))
        if not settings.get("enabled") or user is None:
            return Subject("anonymous", False, frozenset())
        return Subject(user.user_id, False, self._security.privileges_of(user.roles))

    def _authenticate(self, user_id: str, password: str) -> User | None:
        if AUTHENTICATING_REALM not in self._security.active_realms():
            return None
        user = self._security.user(user_id)
        if user is None:
            # Same work as a real check, so timing does not tell whether the user exists.
            password_matches(password, self._decoy_hash)
            return None
        if not self._password_ok(user, password) or user.status in ("disabled", "locked"):
            return None
        return user

    def _password_ok(self, user: User, password: str) -> bool:
        key = (user.user_id, hashlib.sha256(password.encode()).hexdigest())
        if self._verified.get(key) == user.password_hash:
            return True
        if password_matches(password, user.password_hash):
            self._verified[key] = user.password_hash
            return True
        return False
