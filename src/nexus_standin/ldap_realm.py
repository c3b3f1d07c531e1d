"""The LDAP realm: directory users log in, their groups become role ids (`LdapRealm`).

Nexus 3's LDAP code is not public; this follows the last public realm, Nexus 2.14 OSS
(sonatype/nexus-public tag release-2.14.21-02, `components/nexus-ldap-common` and
`plugins/security/nexus-ldap-realm-plugin`), whose configuration the 3.97 REST models repeat
field for field:

- connection: `<protocol>://<host>:<port>/<searchBase>`; the user and group base DNs are
  relative to the search base (`AbstractLdapManager.getLdapContextFactory`, the 3.77 UI's
  "User relative DN" help text). The "system" connection binds with `authScheme`
  (NONE: anonymous, SIMPLE: `authUsername`/`authPassword`, DIGEST_MD5: SASL with `authRealm`)
  (`DefaultLdapContextFactory`);
- user search: base `userBaseDn`, scope subtree if `userSubtree` else one level, filter
  `(&(objectClass=<userObjectClass>)(<userIdAttribute>=<username>)(<userLdapFilter>))`, the
  last part only when a filter is set (`DefaultLdapUserDAO.searchUsers`). The login name is
  escaped here (Nexus 2 put it in the filter as is);
- password: a bind as the user's DN with the password (SIMPLE; for scheme NONE too), or as
  the user id for DIGEST_MD5 (`LdapAuthenticator.authenticateUserWithBind`); an empty password
  is refused before anything is asked (`AbstractLdapAuthenticationRealm`);
- groups, only with `ldapGroupsAsRoles`: STATIC searches `groupBaseDn` (subtree if
  `groupSubtree`) for
  `(&(objectClass=<groupObjectClass>)(&(<groupIdAttribute>=*)(<groupMemberAttribute>=<member>)))`,
  `<member>` being `groupMemberFormat` with `${username}` and `${dn}` filled in (the login
  name when no format is set), and takes each hit's `groupIdAttribute`
  (`DefaultLdapGroupDAO.getGroupMembershipFromGroups`); DYNAMIC reads the user's
  `userMemberOfAttribute` values and keeps the leftmost RDN value of each DN
  (`DefaultLdapUserDAO.createUser`, `getGroupFromString`);
- every group is a role id; Nexus resolves it against its own roles by id and ignores the
  ones it does not have (3.77 `RolePermissionResolverImpl`), so a "mapped" group is a local
  role whose id is the group's name.

Several servers are tried in their configured order; the first that knows the user decides
(Nexus 3's rule for several servers is not public: UNCONFIRMED). Nothing is cached: every
login asks the directory (Nexus caches, and `DELETE /v1/security/ldap/cache` clears it).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.ciDict import CaseInsensitiveDict
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn

LDAP_REALM = "LdapRealm"
# Nexus 2's "check user mapping" listed at most this many users
# (LdapUserAndGroupConfigTestPlexusResource).
USER_MAPPING_LIMIT = 20


class DirectoryError(Exception):
    """The directory could not be asked: what failed, for logs and verify answers."""

    def __init__(self, stage: str, cause: str) -> None:
        super().__init__(f"{stage}: {cause}")
        self.stage = stage
        self.cause = cause


@dataclass(frozen=True)
class DirectoryUser:
    username: str
    dn: str
    real_name: str
    email: str
    groups: tuple[str, ...]


class ServerSource(Protocol):
    """Where the configured LDAP servers come from (store/ldap.py's LdapStore)."""

    def configs(self) -> list[dict[str, Any]]: ...


def full_dn(relative: str | None, search_base: str) -> str:
    """A base DN relative to the search base, made absolute."""
    relative = (relative or "").strip()
    if not relative:
        return search_base
    return f"{relative},{search_base}" if search_base else relative


def group_of(dn_or_name: str) -> str:
    """The value of a DN's leftmost RDN (cn=devs,ou=groups,... -> devs); a non-DN as is."""
    try:
        parts = parse_dn(dn_or_name)
    except LDAPException:
        return dn_or_name
    return str(parts[0][1]) if parts else dn_or_name


def _first(entry: Mapping[str, Any], attribute: str | None) -> str:
    if not attribute:
        return ""
    values = entry.get(attribute) or []
    if isinstance(values, list | tuple):
        return str(values[0]) if values else ""
    return str(values)


def _all(entry: Mapping[str, Any], attribute: str | None) -> list[str]:
    if not attribute:
        return []
    values = entry.get(attribute) or []
    return [str(v) for v in values] if isinstance(values, list | tuple) else [str(values)]


class Directory:
    """One configured LDAP server (the REST API's camelCase configuration)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.name = str(config.get("name", ""))
        self.host = str(config["host"])
        self.port = int(config["port"])
        # Whole seconds: ldap3 packs the receive timeout into a socket option.
        self.timeout = int(config.get("connectionTimeoutSeconds") or 30)
        self.scheme = str(config.get("authScheme") or "NONE").upper()
        self.search_base = str(config.get("searchBase") or "")

    @property
    def url(self) -> str:
        return (
            f"{str(self.config['protocol']).lower()}://{self.host}:{self.port}/{self.search_base}"
        )

    @property
    def groups_as_roles(self) -> bool:
        return bool(self.config.get("ldapGroupsAsRoles"))

    @property
    def dynamic_groups(self) -> bool:
        return str(self.config.get("groupType") or "").upper() == "DYNAMIC"

    # -- connections ----------------------------------------------------------------------

    def _server(self) -> ldap3.Server:
        secure = str(self.config["protocol"]).upper() == "LDAPS"
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED) if secure else None
        return ldap3.Server(
            self.host,
            port=self.port,
            use_ssl=secure,
            tls=tls,
            connect_timeout=self.timeout,
            get_info=ldap3.NONE,
        )

    def _bind(self, user: str | None, password: str | None, *, system: bool) -> ldap3.Connection:
        """A bound connection, as the system account (`authScheme`) or as a user."""
        scheme = self.scheme
        if scheme == "CRAM_MD5":
            raise DirectoryError("bind", "CRAM-MD5 is not offered by the stand-in's LDAP client")
        if scheme == "DIGEST_MD5":
            options: dict[str, Any] = {
                "authentication": ldap3.SASL,
                "sasl_mechanism": ldap3.DIGEST_MD5,
                "sasl_credentials": (self.config.get("authRealm"), user, password, None),
            }
        elif system and scheme == "NONE":
            options = {"authentication": ldap3.ANONYMOUS}
        else:
            options = {"user": user, "password": password, "authentication": ldap3.SIMPLE}
        try:
            connection = ldap3.Connection(
                self._server(), receive_timeout=self.timeout, raise_exceptions=False, **options
            )
            bound = connection.bind()
        except (LDAPException, OSError) as error:
            raise DirectoryError("connect", f"{type(error).__name__}: {error}") from None
        if not bound:
            result = connection.result or {}
            connection.unbind()
            raise DirectoryError("bind", str(result.get("description") or "bind refused"))
        return connection

    @contextmanager
    def system(self) -> Iterator[ldap3.Connection]:
        """The connection Nexus searches with (the configured bind account)."""
        connection = self._bind(
            self.config.get("authUsername"), self.config.get("authPassword"), system=True
        )
        try:
            yield connection
        finally:
            connection.unbind()

    def verify(self) -> None:
        """Connect and bind as the system account; DirectoryError when that fails."""
        with self.system():
            pass

    # -- users ----------------------------------------------------------------------------

    def _user_filter(self, username: str, *, prefix: bool = False) -> str:
        value = escape_filter_chars(username) + ("*" if prefix else "")
        extra = str(self.config.get("userLdapFilter") or "").strip()
        if extra and not extra.startswith("("):
            extra = f"({extra})"
        return (
            f"(&(objectClass={self.config['userObjectClass']})"
            f"({self.config['userIdAttribute']}={value}){extra})"
        )

    def _search(
        self,
        connection: ldap3.Connection,
        base: str,
        query: str,
        subtree: bool,
        attributes: list[str],
    ) -> list[tuple[str, Mapping[str, Any]]]:
        try:
            connection.search(
                base,
                query,
                search_scope=ldap3.SUBTREE if subtree else ldap3.LEVEL,
                attributes=[a for a in attributes if a],
            )
        except LDAPException as error:
            raise DirectoryError("search", f"{type(error).__name__}: {error}") from None
        result = connection.result or {}
        # noSuchObject: the base DN does not exist, which finds nothing (as JNDI reports it).
        if result.get("result") not in (0, 32):
            raise DirectoryError("search", str(result.get("description") or result))
        return [
            (str(item["dn"]), CaseInsensitiveDict(item.get("attributes") or {}))
            for item in connection.response or []
            if item.get("type") == "searchResEntry"
        ]

    def _users(
        self, connection: ldap3.Connection, username: str, *, prefix: bool
    ) -> list[DirectoryUser]:
        config = self.config
        attributes = [
            str(config["userIdAttribute"]),
            str(config.get("userRealNameAttribute") or ""),
            str(config.get("userEmailAddressAttribute") or ""),
            str(config.get("userMemberOfAttribute") or "") if self.dynamic_groups else "",
        ]
        hits = self._search(
            connection,
            full_dn(config.get("userBaseDn"), self.search_base),
            self._user_filter(username, prefix=prefix),
            bool(config.get("userSubtree")),
            attributes,
        )
        users = []
        for dn, entry in hits:
            user = DirectoryUser(
                username=_first(entry, str(config["userIdAttribute"])),
                dn=dn,
                real_name=_first(entry, config.get("userRealNameAttribute")),
                email=_first(entry, config.get("userEmailAddressAttribute")).strip(),
                groups=(),
            )
            groups = self._groups(connection, user, entry) if self.groups_as_roles else ()
            users.append(DirectoryUser(user.username, user.dn, user.real_name, user.email, groups))
        return users

    def find_user(self, connection: ldap3.Connection, username: str) -> DirectoryUser | None:
        found = self._users(connection, username, prefix=False)
        return found[0] if found else None

    def users(self, prefix: str = "", limit: int | None = None) -> list[DirectoryUser]:
        """Users whose id starts with `prefix` (Nexus's user search is a starts-with search)."""
        with self.system() as connection:
            found = sorted(self._users(connection, prefix, prefix=True), key=lambda u: u.username)
        return found[:limit] if limit else found

    def password_ok(self, user: DirectoryUser, password: str) -> bool:
        """Bind as the user (user id instead of the DN for DIGEST-MD5)."""
        name = user.username if self.scheme == "DIGEST_MD5" else user.dn
        try:
            connection = self._bind(name, password, system=False)
        except DirectoryError as error:
            if error.stage == "bind":
                return False
            raise
        connection.unbind()
        return True

    def authenticate(self, username: str, password: str) -> DirectoryUser | None:
        """The user when the directory knows them and the password binds; else None."""
        if not password:
            return None  # "Password must not be empty"
        with self.system() as connection:
            user = self.find_user(connection, username)
        if user is None or not self.password_ok(user, password):
            return None
        return user

    # -- groups ---------------------------------------------------------------------------

    def _groups(
        self, connection: ldap3.Connection, user: DirectoryUser, entry: Mapping[str, Any]
    ) -> tuple[str, ...]:
        if self.dynamic_groups:
            values = _all(entry, self.config.get("userMemberOfAttribute"))
            return tuple(sorted({group_of(value) for value in values}))
        config = self.config
        id_attribute = str(config["groupIdAttribute"])
        member_format = config.get("groupMemberFormat")
        member = (
            str(member_format).replace("${username}", user.username).replace("${dn}", user.dn)
            if member_format
            else user.username
        )
        query = (
            f"(&(objectClass={config['groupObjectClass']})"
            f"(&({id_attribute}=*)({config['groupMemberAttribute']}={escape_filter_chars(member)})))"
        )
        hits = self._search(
            connection,
            full_dn(config.get("groupBaseDn"), self.search_base),
            query,
            bool(config.get("groupSubtree")),
            [id_attribute],
        )
        return tuple(sorted({value for _, hit in hits for value in _all(hit, id_attribute)}))

    def all_groups(self) -> list[str]:
        """Every group of the directory (`DefaultLdapGroupDAO.getAllGroups`)."""
        if not self.groups_as_roles:
            return []
        config = self.config
        with self.system() as connection:
            if self.dynamic_groups:
                member_of = str(config.get("userMemberOfAttribute") or "")
                hits = self._search(
                    connection,
                    full_dn(config.get("userBaseDn"), self.search_base),
                    f"(objectClass={config['userObjectClass']})",
                    True,
                    [member_of],
                )
                return sorted({group_of(v) for _, hit in hits for v in _all(hit, member_of)})
            id_attribute = str(config["groupIdAttribute"])
            hits = self._search(
                connection,
                full_dn(config.get("groupBaseDn"), self.search_base),
                f"(objectClass={config['groupObjectClass']})",
                bool(config.get("groupSubtree")),
                [id_attribute],
            )
            return sorted({value for _, hit in hits for value in _all(hit, id_attribute)})


class LdapRealm:
    """`LdapRealm` over every configured server, in their order."""

    name = LDAP_REALM

    def __init__(self, servers: ServerSource, on_error: Any = None) -> None:
        self._servers = servers
        # Called with (server name, DirectoryError) when a directory cannot be asked.
        self._on_error = on_error

    def directories(self) -> list[Directory]:
        return [Directory(config) for config in self._servers.configs()]

    def _failed(self, directory: Directory, error: DirectoryError) -> None:
        if self._on_error is not None:
            self._on_error(directory.name, error)

    def login(self, username: str, password: str) -> DirectoryUser | None:
        for directory in self.directories():
            try:
                user = directory.authenticate(username, password)
            except DirectoryError as error:
                self._failed(directory, error)
                continue
            if user is not None:
                return user
        return None

    def authenticate(self, user_id: str, password: str) -> list[str] | None:
        """The role ids (directory groups) of a user whose password binds; else None."""
        user = self.login(user_id, password)
        return list(user.groups) if user is not None else None

    def groups(self) -> list[str]:
        """The directories' groups; a directory that cannot be asked lists none."""
        found: set[str] = set()
        for directory in self.directories():
            try:
                found.update(directory.all_groups())
            except DirectoryError as error:
                self._failed(directory, error)
        return sorted(found)

    def users(self, prefix: str = "", limit: int = 100) -> list[DirectoryUser]:
        found: dict[str, DirectoryUser] = {}
        for directory in self.directories():
            try:
                for user in directory.users(prefix, limit):
                    found.setdefault(user.username, user)
            except DirectoryError as error:
                self._failed(directory, error)
        return sorted(found.values(), key=lambda u: u.username)[:limit]
