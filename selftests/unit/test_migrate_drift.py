"""Unit tests of the repository drift computation (pure: no server)."""

from __future__ import annotations

from typing import Any

from nexus_cutover.config import Expected
from nexus_cutover.migrate.provision import member_problems, plan
from nexus_cutover.repoconfig import EXISTS, FORMAT_TYPE, NAME, Kind, compute_drift

EXPECTED = Expected()


def listing(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": "pypi-proxy", "format": "pypi", "type": "proxy"},
        {"name": "pypi-hosted", "format": "pypi", "type": "hosted"},
        {"name": "pypi-group", "format": "pypi", "type": "group"},
        *extra,
    ]


def configs() -> dict[Kind, dict[str, Any]]:
    return {
        "proxy": {
            "online": True,
            "proxy": {
                "remoteUrl": "https://pypi.org/",
                "contentMaxAge": 1440,
                "metadataMaxAge": 1440,
            },
            "httpClient": {"autoBlock": True, "blocked": False},
        },
        "hosted": {"online": True, "storage": {"writePolicy": "allow"}},
        "group": {"online": True, "group": {"memberNames": ["pypi-proxy", "pypi-hosted"]}},
    }


def test_matching_state_has_no_drift() -> None:
    # remote URL with a trailing slash and a lower-case policy echo count as the same
    assert compute_drift(EXPECTED, listing(), configs()) == []


def test_missing_repositories_are_each_one_drift_and_planned_as_creates() -> None:
    drift = compute_drift(EXPECTED, [], {})
    assert [(d.kind, d.field) for d in drift] == [
        ("proxy", EXISTS),
        ("hosted", EXISTS),
        ("group", EXISTS),
    ]
    assert [(a.kind, a.verb) for a in plan(drift)] == [
        ("proxy", "create"),
        ("hosted", "create"),
        ("group", "create"),
    ]
    assert str(drift[0]) == "proxy 'pypi-proxy': missing -> created"


def test_changed_fields_are_named_with_actual_and_expected() -> None:
    changed = configs()
    changed["proxy"]["proxy"]["metadataMaxAge"] = 60
    changed["proxy"]["httpClient"]["autoBlock"] = False
    changed["hosted"]["storage"]["writePolicy"] = "ALLOW_ONCE"
    changed["group"]["group"]["memberNames"] = ["pypi-hosted", "pypi-proxy"]  # order matters
    drift = compute_drift(EXPECTED, listing(), changed)
    assert [(d.kind, d.field, d.actual, d.expected) for d in drift] == [
        ("proxy", "proxy.metadataMaxAge", 60, 1440),
        ("proxy", "httpClient.autoBlock", False, True),
        ("hosted", "storage.writePolicy", "ALLOW_ONCE", "ALLOW"),
        (
            "group",
            "group.memberNames",
            ["pypi-hosted", "pypi-proxy"],
            ["pypi-proxy", "pypi-hosted"],
        ),
    ]
    assert "hosted 'pypi-hosted': storage.writePolicy: 'ALLOW_ONCE' -> 'ALLOW'" in map(str, drift)
    assert [(a.kind, a.verb) for a in plan(drift)] == [
        ("proxy", "update"),
        ("hosted", "update"),
        ("group", "update"),
    ]


def test_missing_field_is_drift_not_a_crash() -> None:
    partial = configs()
    del partial["proxy"]["httpClient"]
    drift = compute_drift(EXPECTED, listing(), partial)
    assert ("httpClient.autoBlock", None) in {(d.field, d.actual) for d in drift}


def test_a_name_taken_by_another_format_or_case_cannot_be_fixed() -> None:
    repos = [
        {"name": "pypi-proxy", "format": "maven2", "type": "proxy"},
        {"name": "PyPI-Hosted", "format": "pypi", "type": "hosted"},
        {"name": "pypi-group", "format": "pypi", "type": "hosted"},
    ]
    drift = compute_drift(EXPECTED, repos, {})
    assert [(d.kind, d.field, d.fixable) for d in drift] == [
        ("proxy", FORMAT_TYPE, False),
        ("hosted", NAME, False),
        ("group", FORMAT_TYPE, False),
    ]


def test_group_members_outside_the_three_must_exist_as_pypi() -> None:
    expected = EXPECTED.model_copy(
        update={
            "group": EXPECTED.group.model_copy(
                update={"members": ("pypi-proxy", "pypi-hosted", "piwheels", "maven-central")}
            )
        }
    )
    repos = listing({"name": "maven-central", "format": "maven2", "type": "proxy"})
    assert member_problems(expected, repos) == [
        "group member 'piwheels' does not exist",
        "group member 'maven-central' is a maven2 repository",
    ]
