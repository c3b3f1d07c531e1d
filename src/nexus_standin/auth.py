"""HTTP Basic authentication and permission checks.

A subject holds the Shiro wildcard permissions its roles' privileges grant (store/privileges.py);
a check asks for a permission such as `nexus:users:read` or
`nexus:repository-view:pypi:<repo>:read` and is granted when one held permission implies it
(Shiro `WildcardPermission`: `:`-separated parts, `,`-separated alternatives, `*` for any, a
shorter permission implies everything below it; compared ignoring case).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from typing import Protocol

from starlette.requests import Request

from .errors import Forbidden, Unauthorized
from .logs import USER_SCOPE_KEY
from .store.privileges import ADMIN, VIEW, PrivilegeStore
from .store.repos import Repository, RepositoryStore
from .store.security import (
    AUTHENTICATING_REALM,
    SecurityStore,
    User,
    hash_password,
    password_matches,
)

ALL_PERMISSIONS = "nexus:*"


def implies(granted: str, wanted: str) -> bool:
    """Shiro WildcardPermission.implies for two permission strings."""
    held = [set(part.split(",")) for part in granted.lower().split(":")]
    asked = [set(part.split(",")) for part in wanted.lower().split(":")]
    for index, part in enumerate(asked):
        if index >= len(held):
            return True
        if "*" not in held[index] and not part <= held[index]:
            return False
    return all("*" in part for part in held[len(asked) :])


def view_permission(repo: Repository, action: str) -> str:
    return f"nexus:{VIEW}:{repo.format}:{repo.name}:{action}"


def admin_permission(repo: Repository, action: str) -> str:
    return f"nexus:{ADMIN}:{repo.format}:{repo.name}:{action}"


@dataclass(frozen=True)
class Subject:
    user_id: str
    authenticated: bool
    permissions: frozenset[str]

    def permits(self, permission: str) -> bool:
        return any(implies(held, permission) for held in self.permissions)

    def permits_view(self, repo: Repository, *actions: str) -> bool:
        """Any of the repository-view actions on the repository."""
        return any(self.permits(view_permission(repo, action)) for action in actions)

    def permits_admin(self, repo: Repository, action: str) -> bool:
        return self.permits(admin_permission(repo, action))

    def demand(self, allowed: bool) -> None:
        """401 asks an anonymous caller to log in; a logged-in caller without rights gets 403."""
        if not allowed:
            raise Forbidden() if self.authenticated else Unauthorized()

    def require(self, permission: str) -> None:
        """`@RequiresAuthentication` + `@RequiresPermissions(permission)`."""
        self.demand(self.authenticated and self.permits(permission))

    def demand_view(self, repo: Repository, action: str) -> None:
        self.demand(self.permits_view(repo, action))


class ExternalRealm(Protocol):
    """A realm whose users live elsewhere (the LDAP realm): their role ids, or None."""

    name: str

    def authenticate(self, user_id: str, password: str) -> list[str] | None: ...


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
    def __init__(
        self,
        security: SecurityStore,
        privileges: PrivilegeStore,
        repos: RepositoryStore,
        external: tuple[ExternalRealm, ...] = (),
    ) -> None:
        self._security = security
        self._privileges = privileges
        self._repos = repos
        self._external = {realm.name: realm for realm in external}
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
        user_id, password = credentials
        roles = self._login(user_id, password)
        if roles is None:
            raise Unauthorized()
        return Subject(user_id, True, self._permissions(roles))

    def anonymous(self) -> Subject:
        settings = self._security.anonymous()
        user = self._security.user(str(settings.get("userId", "anonymous")))
        if not settings.get("enabled") or user is None:
            return Subject("anonymous", False, frozenset())
        return Subject(user.user_id, False, self._permissions(user.roles))

    def _permissions(self, roles: list[str]) -> frozenset[str]:
        names = self._security.privileges_of(roles)
        return self._privileges.permissions(names, self._repos.all())

    def _login(self, user_id: str, password: str) -> list[str] | None:
        """The active realms in their order; the first that accepts the login gives the roles
        (3.77 `FirstSuccessfulModularRealmAuthenticator`)."""
        for realm in self._security.active_realms():
            if realm == AUTHENTICATING_REALM:
                user = self._authenticate(user_id, password)
                if user is not None:
                    return user.roles
            elif realm in self._external:
                roles = self._external[realm].authenticate(user_id, password)
                if roles is not None:
                    return roles
        return None

    def _authenticate(self, user_id: str, password: str) -> User | None:
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


def authenticate(request: Request, authenticator: Authenticator) -> Subject:
    """The request's subject; a logged-in user's id is kept for request.log's user column."""
    subject = authenticator.subject(request.headers.get("authorization"))
    if subject.authenticated:
        request.scope[USER_SCOPE_KEY] = subject.user_id
    return subject
