"""Users, roles, anonymous access and realms: persistence, password hashing, first-start setup."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..config import InstanceConfig
from .db import Database
from .privileges import ALL_PRIVILEGES

ADMIN_ROLE, ANONYMOUS_ROLE = "nx-admin", "nx-anonymous"
ANONYMOUS_PRIVILEGES = [
    "nx-healthcheck-read",
    "nx-repository-view-*-*-browse",
    "nx-repository-view-*-*-read",
    "nx-search-read",
]
AUTHENTICATING_REALM = "NexusAuthenticatingRealm"
AVAILABLE_REALMS = {
    "ConanToken": "Conan Bearer Token Realm",
    "DefaultRole": "Default Role Realm",
    "DockerToken": "Docker Bearer Token Realm",
    "LdapRealm": "LDAP Realm",
    AUTHENTICATING_REALM: "Local Authenticating Realm",
    "NpmToken": "npm Bearer Token Realm",
    "NuGetApiKey": "NuGet API-Key Realm",
    "rutauth-realm": "Rut Auth Realm",
}
DEFAULT_SOURCE, LDAP_SOURCE = "default", "LDAP"
# User sources (3.97 `ApiUserSource`): the local one and LDAP (OSS has no Crowd/SAML).
USER_SOURCES = {DEFAULT_SOURCE: "Local", LDAP_SOURCE: "LDAP"}
DEFAULT_ANONYMOUS = {"enabled": True, "userId": "anonymous", "realmName": "NexusAuthorizingRealm"}
PBKDF2_ITERATIONS = 20_000


@dataclass(frozen=True)
class User:
    user_id: str
    first_name: str
    last_name: str
    email: str
    status: str
    password_hash: str
    roles: list[str]


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    description: str
    privileges: list[str]
    roles: list[str] = field(default_factory=list)
    read_only: bool = False
    # "default" for every stored role; "LDAP" only for a directory group the LDAP authorization
    # manager reports (rest/roles.py).
    source: str = DEFAULT_SOURCE


def hash_password(password: str) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), bytes.fromhex(salt), PBKDF2_ITERATIONS
    )
    return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${salt}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    _, iterations, salt, expected = stored.split("$")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


class SecurityStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- users ---------------------------------------------------------------------------------

    def user(self, user_id: str) -> User | None:
        row = (
            self._db.read()
            .execute("SELECT * FROM security_user WHERE user_id = ?", (user_id,))
            .fetchone()
        )
        return _user(row) if row else None

    def users(self) -> list[User]:
        rows = self._db.read().execute("SELECT * FROM security_user ORDER BY user_id").fetchall()
        return [_user(row) for row in rows]

    def save_user(self, user: User) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO security_user (user_id, first_name, last_name, email,"
                " status, password_hash, roles) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    user.user_id,
                    user.first_name,
                    user.last_name,
                    user.email,
                    user.status,
                    user.password_hash,
                    json.dumps(user.roles),
                ),
            )

    def delete_user(self, user_id: str) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM security_user WHERE user_id = ?", (user_id,))

    # -- roles ---------------------------------------------------------------------------------

    def role(self, role_id: str) -> Role | None:
        row = (
            self._db.read()
            .execute("SELECT * FROM security_role WHERE id = ?", (role_id,))
            .fetchone()
        )
        return _role(row) if row else None

    def roles(self) -> list[Role]:
        rows = self._db.read().execute("SELECT * FROM security_role ORDER BY id").fetchall()
        return [_role(row) for row in rows]

    def save_role(self, role: Role) -> None:
        with self._db.write() as conn:
            _insert_role(conn, role)

    def delete_role(self, role_id: str) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM security_role WHERE id = ?", (role_id,))

    def privileges_of(self, role_ids: list[str]) -> frozenset[str]:
        """All privileges granted by the roles, following contained roles."""
        granted: set[str] = set()
        seen: set[str] = set()
        pending = list(role_ids)
        while pending:
            role = self.role(pending.pop())
            if role is None or role.id in seen:
                continue
            seen.add(role.id)
            granted.update(role.privileges)
            pending.extend(role.roles)
        return frozenset(granted)

    # -- settings ------------------------------------------------------------------------------

    def setting(self, key: str, default: Any) -> Any:
        row = self._db.read().execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default

    def save_setting(self, key: str, value: Any) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)",
                (key, json.dumps(value)),
            )

    def anonymous(self) -> dict[str, Any]:
        return dict(self.setting("anonymous", DEFAULT_ANONYMOUS))

    def active_realms(self) -> list[str]:
        return [str(realm) for realm in self.setting("realms", [AUTHENTICATING_REALM])]


def bootstrap(store: SecurityStore, config: InstanceConfig) -> bool:
    """Create built-in roles and users on first start; True when it did."""
    if store.user("admin") is not None:
        return False
    store.save_role(
        Role(ADMIN_ROLE, ADMIN_ROLE, "Administrator Role", [ALL_PRIVILEGES], read_only=True)
    )
    store.save_role(
        Role(ANONYMOUS_ROLE, ANONYMOUS_ROLE, "Anonymous Role", ANONYMOUS_PRIVILEGES, read_only=True)
    )
    store.save_user(
        User(
            "anonymous",
            "Anonymous",
            "User",
            "anonymous@example.org",
            "active",
            hash_password("anonymous"),
            [ANONYMOUS_ROLE],
        )
    )
    if config.admin_password_file is not None:
        password = config.admin_password_file.read_text(encoding="utf-8").strip()
        status = "active"
    else:
        # As Nexus does: a random UUID password in the data directory, admin must change it.
        password = str(uuid.uuid4())
        config.admin_password_path.write_text(password, encoding="utf-8")
        config.admin_password_path.chmod(0o600)
        status = "changepassword"
    store.save_user(
        User(
            "admin",
            "Administrator",
            "User",
            "admin@example.org",
            status,
            hash_password(password),
            [ADMIN_ROLE],
        )
    )
    return True


def _insert_role(conn: sqlite3.Connection, role: Role) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO security_role (id, name, description, privileges, roles,"
        " read_only, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            role.id,
            role.name,
            role.description,
            json.dumps(role.privileges),
            json.dumps(role.roles),
            int(role.read_only),
            role.source,
        ),
    )


def _user(row: sqlite3.Row) -> User:
    return User(
        user_id=row["user_id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        status=row["status"],
        password_hash=row["password_hash"],
        roles=json.loads(row["roles"]),
    )


def _role(row: sqlite3.Row) -> Role:
    return Role(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        privileges=json.loads(row["privileges"]),
        roles=json.loads(row["roles"]),
        read_only=bool(row["read_only"]),
        # Every stored role is local: the API stores external mappings in the default source
        # (3.77 RoleApiResource.create); older data directories may say "LDAP" here.
        source=DEFAULT_SOURCE,
    )
