"""`migrate provision` beyond the guide, against the real stand-in: the proxy's routing rule
for the internal names and the health role, idempotent, with drift, and a user's own rule
kept through a repository update."""

from __future__ import annotations

import pytest

from nexus_cutover import migrate
from nexus_cutover.clients.nexus import NexusClient
from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.guardrails.roles import health_privileges
from nexus_cutover.migrate.errors import ProvisionError
from nexus_cutover.target import Target


@pytest.fixture(scope="module")
def admin(target: Target) -> NexusAdmin:
    migrate.provision(NexusClient(target.nexus), target.expected)
    return NexusAdmin(target.nexus)


def test_rule_and_role_are_created_once_then_left_alone(admin: NexusAdmin, target: Target) -> None:
    projects = migrate.internal_projects(target, admin)
    assert "acme-utils" in projects
    assert len(projects) == 12
    planned = migrate.provision_routing(admin, target.expected, projects, dry_run=True)
    assert planned.drift is not None
    assert planned.drift.missing_rule
    assert admin.routing_rule(target.expected.routing_rule) is None  # a dry run changes nothing
    done = migrate.provision_routing(admin, target.expected, projects)
    assert done.actions == (
        "create routing rule 'internal-projects' (BLOCK)",
        "attach routing rule 'internal-projects' to proxy 'pypi-proxy'",
    )
    again = migrate.provision_routing(admin, target.expected, [*projects, "acme-newcomer"])
    assert again.actions == ("update routing rule 'internal-projects'",)
    assert migrate.provision_routing(admin, target.expected, projects).actions == ()
    role = migrate.provision_health_role(admin, target.expected)
    assert role.action == "create role 'nexus-cutover-health'"
    stored = admin.role("nexus-cutover-health")
    assert stored is not None
    names = target.expected.repository_names
    ldap = target.expected.ldap is not False
    privileges = health_privileges(names, ldap, admin.privilege_names())
    assert sorted(stored["privileges"]) == sorted(privileges)
    assert migrate.provision_health_role(admin, target.expected).action is None


def test_a_drifted_role_is_brought_back_to_exactly_its_privileges(
    admin: NexusAdmin, target: Target
) -> None:
    migrate.provision_health_role(admin, target.expected)
    role = admin.role("nexus-cutover-health")
    assert role is not None
    role["privileges"] = [*role["privileges"][1:], "nx-all"]
    admin.save_role(role, update=True)
    result = migrate.provision_health_role(admin, target.expected)
    assert result.drift == (
        "role 'nexus-cutover-health': lacks nx-metrics-all -> added",
        "role 'nexus-cutover-health': also holds nx-all -> removed",
    )
    assert migrate.provision_health_role(admin, target.expected).drift == ()


def test_a_users_own_rule_survives_a_repository_update_and_is_not_replaced(
    admin: NexusAdmin, target: Target
) -> None:
    theirs = {"name": "theirs", "description": "", "mode": "BLOCK", "matchers": ["^/simple/x/"]}
    admin.save_routing_rule(theirs)
    admin.attach_routing_rule("pypi-proxy", "theirs")
    drifted = target.expected.proxy.model_copy(update={"auto_block": False})
    no_rule = target.expected.model_copy(update={"proxy": drifted, "routing_rule": ""})
    migrate.provision(NexusClient(target.nexus), no_rule)  # updates the proxy
    assert admin.pypi_repository("proxy", "pypi-proxy")["routingRuleName"] == "theirs"
    with pytest.raises(ProvisionError, match="already uses routing rule 'theirs'"):
        migrate.provision_routing(admin, target.expected, ["acme-utils"])
