"""Breaker for PRE-1 (Nexus frozen); LDAP-1 and LDAP-2 have test_ldap.py."""

from selftests.breakers.lab import Lab, only_failure


def test_frozen_nexus_fails_pre_1(lab: Lab) -> None:
    assert lab.rest("POST", "/v1/read-only/freeze").status_code == 204
    only_failure(lab.run("PRE-1,TS-1"), "PRE-1", "status/writable answered 503", "read-only")
