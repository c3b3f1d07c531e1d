"""A real LDAP directory for the local backend: OpenLDAP's slapd on a loopback port.

slapd (Debian's `slapd` package) runs from a folder of its own (`<root>/directory`: a
slapd.conf, the mdb database, its log), never as the system service, and is started and
stopped by process id like the other local servers. The first start seeds a small tree:

    dc=example,dc=com
      ou=services   cn=nexus          the bind account Nexus searches with
      ou=people     uid=alice         in group developers (may publish)
                    uid=mallory       in group auditors (may only read)
      ou=groups     cn=developers, cn=auditors    (groupOfNames; the memberof overlay
                                                   gives users their memberOf values)

Every password is random, kept in the state folder's secrets (owner-only files). Where slapd
is not installed, `slapd_binary()` is None and the backend runs without a directory: the LDAP
checks then say so and are not applicable.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from nexus_cutover.backends.processes import (
    LOOPBACK,
    RunningProcess,
    free_port,
    pid_alive,
    port_free,
    start_process,
)
from nexus_cutover.config import Expected, LdapExpectation, LdapGroupRole
from nexus_cutover.errors import ServiceStartError
from nexus_cutover.target import LdapPasswords

SUFFIX = "dc=example,dc=com"
ROOT_DN = f"cn=admin,{SUFFIX}"
BIND_DN = f"cn=nexus,ou=services,{SUFFIX}"
PROBE_USER, DENIED_USER = "alice", "mallory"
PUBLISHERS, READERS = "developers", "auditors"
MEMBERS = {PUBLISHERS: (PROBE_USER,), READERS: (DENIED_USER,)}
PEOPLE = {PROBE_USER: "Alice Adams", DENIED_USER: "Mallory Moss"}
# Secret files below the state folder's secrets/ (random passwords).
SECRET_FILES = {
    "root": "ldap-root",
    "bind": "ldap-bind",
    PROBE_USER: "ldap-alice",
    DENIED_USER: "ldap-mallory",
}
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")
SLAPD_PLACES = ("/usr/sbin/slapd", "/usr/local/sbin/slapd")
MODULE_PLACES = ("/usr/lib/ldap", "/usr/lib/x86_64-linux-gnu/ldap", "/usr/lib64/openldap")
SCHEMA_PLACES = ("/etc/ldap/schema", "/etc/openldap/schema")
STATE_FILE = "directory.json"
SEEDED_MARKER = "seeded"


def slapd_binary() -> Path | None:
    """slapd where Debian (or a source build) puts it; None when it is not installed."""
    found = shutil.which("slapd")
    if found:
        return Path(found)
    return next((Path(p) for p in SLAPD_PLACES if Path(p).is_file()), None)


def _first_dir(places: tuple[str, ...], wanted: str) -> Path:
    for place in places:
        if (Path(place) / wanted).exists():
            return Path(place)
    raise ServiceStartError(f"slapd is installed but {wanted} was not found in {', '.join(places)}")


@dataclass(frozen=True)
class LdapReady:
    """Ready when an anonymous LDAP bind on host:port is answered (slapd accepts it)."""

    host: str
    port: int

    def ready(self) -> bool:
        import ldap3
        from ldap3.core.exceptions import LDAPException

        server = ldap3.Server(self.host, port=self.port, connect_timeout=1, get_info=ldap3.NONE)
        try:
            connection = ldap3.Connection(server, receive_timeout=2)
            bound = bool(connection.bind())
            connection.unbind()
        except LDAPException:
            return False
        return bound

    def describe(self) -> str:
        return f"an LDAP bind on {self.host}:{self.port}"


@dataclass(frozen=True)
class Directory:
    """A running slapd: where it listens and how to stop it."""

    root: Path
    process: RunningProcess
    port: int

    @property
    def url(self) -> str:
        return f"ldap://{LOOPBACK}:{self.port}"

    def running(self) -> bool:
        return pid_alive(self.process.pid) and self.process.is_ours()

    def stop(self) -> None:
        self.process.stop()
        (self.root / STATE_FILE).unlink(missing_ok=True)

    def save(self) -> None:
        state = {"pid": self.process.pid, "port": self.port}
        (self.root / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")


def load_directory(root: Path) -> Directory | None:
    """The slapd an earlier start left running in `root`, or None."""
    try:
        state = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
        directory = Directory(
            root, RunningProcess("slapd", int(state["pid"]), _log(root)), int(state["port"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return directory if directory.running() else None


def start_directory(root: Path, secrets: Path) -> Directory | None:
    """Start (and on first use seed) slapd below `root`; None when slapd is not installed."""
    binary = slapd_binary()
    if binary is None:
        return None
    running = load_directory(root)
    if running is not None:
        return running
    for name in SECRET_FILES.values():
        _ensure_secret(secrets / name)
    port = _kept_port(root)
    (root / "data").mkdir(parents=True, exist_ok=True)
    config = root / "slapd.conf"
    config.write_text(_slapd_conf(root, _read(secrets, "root")), encoding="utf-8")
    config.chmod(0o600)
    command = [str(binary), "-f", str(config), "-h", f"ldap://{LOOPBACK}:{port}/", "-d", "0"]
    process = start_process("slapd", command, _log(root), LdapReady(LOOPBACK, port), timeout=30)
    directory = Directory(root, process, port)
    try:
        if not (root / SEEDED_MARKER).exists():
            seed(directory, secrets)
            (root / SEEDED_MARKER).write_text("ok\n", encoding="utf-8")
    except BaseException:
        process.stop()
        raise
    directory.save()
    return directory


def _kept_port(root: Path) -> int:
    """The port of the last start while it is free (clients keep their settings), else new."""
    saved = root / "port"
    if saved.is_file():
        try:
            port = int(saved.read_text(encoding="utf-8"))
        except ValueError:
            port = 0
        if port and port_free(port):
            return port
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    saved.write_text(str(port), encoding="utf-8")
    return port


def _log(root: Path) -> Path:
    return root / "slapd.log"


def _ensure_secret(path: Path) -> None:
    import secrets as random

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(random.token_urlsafe(18) + "\n", encoding="utf-8")
        path.chmod(0o600)


def _read(secrets: Path, key: str) -> str:
    return (secrets / SECRET_FILES[key]).read_text(encoding="utf-8").strip()


def _hashed(password: str) -> str:
    """A salted SHA-1 userPassword value ({SSHA}), as slappasswd makes it."""
    from ldap3 import HASHED_SALTED_SHA
    from ldap3.utils.hashed import hashed

    return str(hashed(HASHED_SALTED_SHA, password))


def _slapd_conf(root: Path, root_password: str) -> str:
    schemas = _first_dir(SCHEMA_PLACES, "core.schema")
    modules = _first_dir(MODULE_PLACES, "back_mdb.la")
    includes = "\n".join(f"include {schemas / name}.schema" for name in SCHEMAS)
    # Passwords: compared by bind only, readable by nobody. Entries: readable by the bind
    # account (and any logged-in user); anonymous searches see nothing.
    return f"""{includes}
modulepath {modules}
moduleload back_mdb
moduleload memberof
pidfile {root / "slapd.pid"}
argsfile {root / "slapd.args"}

database mdb
maxsize 16777216
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {_hashed(root_password)}
directory {root / "data"}
overlay memberof
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by * none
"""


def seed(directory: Directory, secrets: Path) -> None:
    """The tree of the module docstring, added online so the memberof overlay sees it."""
    import ldap3

    server = ldap3.Server(LOOPBACK, port=directory.port, get_info=ldap3.NONE)
    with ldap3.Connection(server, ROOT_DN, _read(secrets, "root"), auto_bind=True) as admin:
        entries: list[tuple[str, list[str], dict[str, object]]] = [
            (SUFFIX, ["dcObject", "organization"], {"dc": "example", "o": "Example"}),
            (f"ou=services,{SUFFIX}", ["organizationalUnit"], {"ou": "services"}),
            (f"ou=people,{SUFFIX}", ["organizationalUnit"], {"ou": "people"}),
            (f"ou=groups,{SUFFIX}", ["organizationalUnit"], {"ou": "groups"}),
            (
                BIND_DN,
                ["organizationalRole", "simpleSecurityObject"],
                {"cn": "nexus", "userPassword": _hashed(_read(secrets, "bind"))},
            ),
        ]
        for uid, name in PEOPLE.items():
            entries.append(
                (
                    user_dn(uid),
                    ["inetOrgPerson"],
                    {
                        "uid": uid,
                        "cn": name,
                        "sn": name.split()[-1],
                        "mail": f"{uid}@example.com",
                        "userPassword": _hashed(_read(secrets, uid)),
                    },
                )
            )
        for group, members in MEMBERS.items():
            entries.append(
                (
                    group_dn(group),
                    ["groupOfNames"],
                    {"cn": group, "member": [user_dn(uid) for uid in members]},
                )
            )
        for dn, classes, attributes in entries:
            if not admin.add(dn, classes, attributes):  # type: ignore[no-untyped-call]
                raise ServiceStartError(f"slapd refused to add {dn}: {admin.result}")


def user_dn(uid: str) -> str:
    return f"uid={uid},ou=people,{SUFFIX}"


def group_dn(group: str) -> str:
    return f"cn={group},ou=groups,{SUFFIX}"


def seeded_port(root: Path) -> int | None:
    """The port of the directory seeded in `root`, running or not (None: no directory)."""
    try:
        seeded = (root / SEEDED_MARKER).exists()
        return int((root / "port").read_text(encoding="utf-8")) if seeded else None
    except (OSError, ValueError):
        return None


def expectation(port: int, secrets: Path, expected: Expected) -> LdapExpectation:
    """The seeded directory as the sample migration configures Nexus for it: developers may
    publish to hosted and read through the group; auditors may only read."""
    view = "nx-repository-view-pypi"
    hosted, group = expected.hosted.name, expected.group.name
    read = (
        f"{view}-{hosted}-browse",
        f"{view}-{hosted}-read",
        f"{view}-{group}-browse",
        f"{view}-{group}-read",
    )
    return LdapExpectation(
        name="example-ldap",
        host=LOOPBACK,
        port=port,
        search_base=SUFFIX,
        bind_dn=BIND_DN,
        bind_password_file=secrets / SECRET_FILES["bind"],
        user_base_dn="ou=people",
        group_base_dn="ou=groups",
        groups={
            PUBLISHERS: LdapGroupRole(
                description="LDAP group developers: publish to hosted, read everything",
                privileges=(*read, f"{view}-{hosted}-add", f"{view}-{hosted}-edit"),
            ),
            READERS: LdapGroupRole(description="LDAP group auditors: read only", privileges=read),
        },
        probe_user=PROBE_USER,
        probe_password_file=secrets / SECRET_FILES[PROBE_USER],
        probe_groups=(PUBLISHERS,),
        denied_user=DENIED_USER,
        denied_password_file=secrets / SECRET_FILES[DENIED_USER],
    )


def passwords(secrets: Path) -> LdapPasswords:
    return LdapPasswords(
        bind=_read(secrets, "bind"),
        probe=_read(secrets, PROBE_USER),
        denied=_read(secrets, DENIED_USER),
    )
