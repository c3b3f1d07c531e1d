"""LDAP-1 and LDAP-2 (the guide's "Advanced: LDAP Integration").

Whether LDAP is expected is a setting (`expected.ldap`): false makes both not applicable;
true expects some LDAP server that verifies with at least one mapped group (LDAP-1 only);
a [expected.ldap] table expects exactly that configuration:

LDAP-1 (read only): the LDAP server Nexus has is the expected one (URL, base DNs, user and
group settings; the bind password is never read back, Nexus does not return it), its
connection verifies, `LdapRealm` is active, every expected directory group is listed by
`GET /v1/security/roles?source=LDAP` and mapped (a role with the group's id in
`?source=default`, with the expected privileges), and the probe user logs in to Nexus and
holds the roles of the expected groups.

LDAP-2 (writes a canary): what the mapped roles allow, through Nexus itself: the probe user
publishes to hosted with twine, and the denied user, who logs in, is refused (403).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nexus_cutover.checks import Problems, Proof
from nexus_cutover.checks.publish import upload
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.nexus_ldap import NexusLdap
from nexus_cutover.clients.sandbox import Sandbox
from nexus_cutover.config import LdapExpectation
from nexus_cutover.errors import AuthError, CutoverError, ForbiddenError
from nexus_cutover.ldapconfig import LDAP_REALM, role_drift, server_drift
from nexus_cutover.target import Credentials, LdapPasswords, NexusEndpoint

WHERE = "Settings > Security > LDAP (or `nexus-cutover migrate provision`)"


def not_expected(nexus: NexusClient) -> str:
    """Why the LDAP checks do not apply, saying what Nexus has anyway."""
    try:
        count = len(nexus.ldap_servers())
    except CutoverError:
        count = 0
    found = f"; Nexus has {count} LDAP server(s) configured" if count else ""
    return f"LDAP is not expected (expected.ldap = false){found}"


# -- LDAP-1 ---------------------------------------------------------------------------------


def any_ldap_works(ldap: NexusLdap) -> Proof:
    """LDAP-1 for `expected.ldap = true`: every configured server verifies, and at least one
    directory group is mapped (listed by `?source=LDAP` and a role of that id exists)."""
    servers = ldap.servers()
    if not servers:
        return Proof.failed(
            "LDAP is expected (expected.ldap = true) but Nexus has no LDAP server configured:"
            f" add it under {WHERE}, or set expected.ldap = false"
        )
    problems: Problems = []
    verified = []
    for server in servers:
        name = server.get("name")
        try:
            ldap.verify_connection(server)
        except CutoverError as error:
            problems.append(
                f"LDAP server '{name}' ({server.get('host')}:{server.get('port')}) does not"
                f" verify: {error}; check host, port, TLS and bind user under {WHERE}"
            )
        else:
            verified.append(f"{name} ({server.get('host')}:{server.get('port')})")
    listed = {str(r.get("id")) for r in ldap.roles("LDAP")}
    mapped = sorted(listed & {str(r.get("id")) for r in ldap.roles("default")})
    if not problems and not mapped:
        problems.append(
            "no LDAP group is mapped to a Nexus role (no role's id is a group that"
            f" roles?source=LDAP lists: {', '.join(sorted(listed)) or 'none'}): map groups under"
            " Settings > Security > Roles > Create role > External role mapping (LDAP)"
        )
    return Proof.of(
        problems,
        f"LDAP servers verified: {', '.join(verified)};"
        f" groups mapped to roles: {', '.join(mapped)}",
    )


def ldap_setup(ldap: NexusLdap, expected: LdapExpectation, passwords: LdapPasswords) -> Proof:
    """LDAP-1: configured as expected, verifies, realm active, groups mapped, probe logs in."""
    try:
        return _ldap_setup(ldap, expected, passwords)
    except ForbiddenError as error:
        return Proof.failed(
            f"{error}: LDAP-1 reads the LDAP servers, roles, realms and directory users; give"
            " the Nexus user nexus:ldap:read, nexus:roles:read, nexus:settings:read and"
            " nexus:users:read (verify-connection needs nexus:ldap:update)"
        )


def _ldap_setup(ldap: NexusLdap, expected: LdapExpectation, passwords: LdapPasswords) -> Proof:
    server = next(
        (s for s in ldap.servers() if str(s.get("name", "")).lower() == expected.name.lower()),
        None,
    )
    if server is None:
        names = ", ".join(str(s.get("name")) for s in ldap.servers()) or "none"
        return Proof.failed(
            f"LDAP is expected but Nexus has no LDAP server named '{expected.name}'"
            f" (configured: {names}): add it under {WHERE}"
        )
    problems: Problems = []
    drift = server_drift(expected, server)
    if drift:
        problems.append(
            f"LDAP server '{expected.name}' differs from the expected configuration"
            f" ({'; '.join(drift)}): fix it under {WHERE}"
        )
    verified = "verifies"
    try:
        ldap.verify_connection(server)
    except ForbiddenError as error:
        # A read-only account (the health check's) may not verify (nexus:ldap:update): the
        # probe user's login below then proves that Nexus reaches and binds the directory.
        if expected.probe_user is None:
            problems.append(
                f"{error}: this account may not verify LDAP server '{expected.name}' and no"
                " probe user is configured (expected.ldap.probe_user) whose login would"
                " prove the connection"
            )
            return Proof(problems)
        verified = f"reached by {expected.probe_user}'s login (this account may not verify)"
    except CutoverError as error:
        problems.append(
            f"LDAP server '{expected.name}' ({server.get('host')}:{server.get('port')}) does"
            f" not verify: {error}; check that the directory runs and the host, port, TLS,"
            f" bind DN and bind password under {WHERE}"
        )
        return Proof(problems)  # nothing below can be asked of a directory Nexus cannot reach
    realms = ldap.active_realms()
    if LDAP_REALM not in realms:
        problems.append(
            f"{LDAP_REALM} is not an active realm ({', '.join(realms)}): no directory user can"
            " log in; activate 'LDAP Realm' under Settings > Security > Realms"
        )
    problems += _group_problems(ldap, expected)
    if problems:
        return Proof(problems)
    probe = _probe(ldap, expected, passwords)
    if isinstance(probe, list):
        return Proof(probe)
    mapped = ", ".join(sorted(expected.groups)) or "none"
    return Proof.passed(
        f"server '{expected.name}' ({server.get('protocol')} {server.get('host')}:"
        f"{server.get('port')}, base {server.get('searchBase')}) matches and {verified};"
        f" {LDAP_REALM} active; groups mapped to roles: {mapped}; {probe}"
    )


def _group_problems(ldap: NexusLdap, expected: LdapExpectation) -> Problems:
    listed = {str(r.get("id")) for r in ldap.roles("LDAP")}
    local = {str(r.get("id")): r for r in ldap.roles("default")}
    problems = []
    for group, mapping in sorted(expected.groups.items()):
        if group not in listed:
            problems.append(
                f"directory group '{group}' is not found by Nexus's LDAP server (it lists:"
                f" {', '.join(sorted(listed)) or 'no groups'}): check the group base DN,"
                f" object class, id attribute and group type under {WHERE}"
            )
        role = local.get(group)
        if role is None:
            problems.append(
                f"directory group '{group}' is not mapped: Nexus has no role with id '{group}';"
                " create it under Settings > Security > Roles > Create role > External role"
                " mapping > LDAP (or `nexus-cutover migrate provision`)"
            )
        elif drift := role_drift(mapping, role):
            problems.append(
                f"the role mapping group '{group}' differs ({'; '.join(drift)}): fix it under"
                " Settings > Security > Roles (or `nexus-cutover migrate provision`)"
            )
    return problems


def _probe(ldap: NexusLdap, expected: LdapExpectation, passwords: LdapPasswords) -> str | Problems:
    """The probe user's login and roles as evidence, or the problems."""
    user = expected.probe_user
    if user is None:
        return "no probe user configured (expected.ldap.probe_user): no login was tried"
    login = _login(ldap.client.endpoint, user, passwords.probe, "probe")
    if login:
        return [login]
    found = ldap.directory_user(user)
    if found is None:
        return [
            f"user {user} logged in but Nexus's LDAP server does not find them as a directory"
            f" user (another realm accepted the login?): check the user base DN, object class"
            f" and filter under {WHERE}"
        ]
    groups = sorted(str(g) for g in found.get("externalRoles") or [])
    missing = [g for g in expected.probe_groups if g not in groups]
    if missing:
        return [
            f"user {user} is not in group(s) {', '.join(missing)} (the directory gives:"
            f" {', '.join(groups) or 'no groups'}): add the user to the group in the directory,"
            f" or check the group base DN and member format under {WHERE}"
        ]
    local = {str(r.get("id")) for r in ldap.roles("default")}
    roles = [g for g in groups if g in local]
    if not roles:
        return [
            f"user {user} holds no Nexus role: none of their groups ({', '.join(groups) or 'none'})"
            " is mapped to a role"
        ]
    held = ", ".join(f"{role} from group {role}" for role in roles)
    return f"user {user}: login ok, roles {held}"


def _login(endpoint: NexusEndpoint, user: str, password: str | None, which: str) -> str | None:
    """None when `user` logs in to Nexus (any answer but 401); else the problem."""
    if not password:
        return (
            f"no password for LDAP {which} user {user}: set"
            f" NEXUS_CUTOVER_LDAP_{which.upper()}_PASSWORD or expected.ldap.{which}_password_file"
        )
    client = NexusClient(replace(endpoint, credentials=Credentials(user, password)))
    try:
        client.check_credentials()
    except ForbiddenError:
        return None  # logged in, without the metrics privilege: the login is what counts
    except AuthError:
        return (
            f"user {user} could not log in to Nexus (401): the directory refused the password,"
            f" the user is outside the user base DN or filter, or {LDAP_REALM} is inactive"
        )
    return None


# -- LDAP-2 ---------------------------------------------------------------------------------


def publishing_follows_roles(
    endpoint: NexusEndpoint,
    expected: LdapExpectation,
    passwords: LdapPasswords,
    sandbox: Sandbox,
    canary: list[Path],
    hosted_url: str,
) -> Proof:
    """LDAP-2: the probe user publishes the canary wheel; the denied user's sdist gets 403."""
    problems: Problems = []
    evidence = []
    wheel = next(p for p in canary if p.suffix == ".whl")
    sdist = next(p for p in canary if p.suffix != ".whl")
    if expected.probe_user:
        user = expected.probe_user
        problem = _login(endpoint, user, passwords.probe, "probe")
        if problem:
            problems.append(problem)
        else:
            run = upload(sandbox, [wheel], hosted_url, Credentials(user, passwords.probe or ""))
            if run.ok:
                evidence.append(f"user {user} published {wheel.name} to {hosted_url}")
            else:
                problems.append(
                    f"user {user} (LDAP) could not publish to {hosted_url}: {run.tail(2)};"
                    f" the roles of their groups ({', '.join(expected.probe_groups) or 'none'})"
                    " must grant add and edit on the hosted repository"
                )
    if expected.denied_user:
        user = expected.denied_user
        problem = _login(endpoint, user, passwords.denied, "denied")
        if problem:
            problems.append(f"{problem} (a refused upload would prove nothing)")
        else:
            run = upload(sandbox, [sdist], hosted_url, Credentials(user, passwords.denied or ""))
            if run.ok:
                problems.append(
                    f"user {user} (LDAP) published {sdist.name} to {hosted_url} but must not:"
                    " take add/edit on the hosted repository away from the roles of their groups"
                )
            elif "403" not in run.output:
                problems.append(
                    f"user {user}'s upload failed, but not with 403 (refused): {run.tail(2)}"
                )
            else:
                evidence.append(f"user {user}: login ok, upload refused with 403")
    return Proof(problems) if problems else Proof.passed("; ".join(evidence))
