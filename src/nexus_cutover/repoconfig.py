"""The expected repository configuration, and how a repository differs from it (drift).

One table of the fields the guide fixes for each repository, in the REST API's shape, used
both by `migrate provision` (to create or update) and by REPO-1..3 (to check), so the two
can never disagree about what "as the guide configures it" means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from nexus_cutover.config import Expected

Kind = Literal["proxy", "hosted", "group"]
KINDS: tuple[Kind, ...] = ("proxy", "hosted", "group")  # members before the group
EXISTS = "exists"
FORMAT_TYPE = "format/type"
NAME = "name"

# What each fixed field is called in the UI (and in check messages).
LABELS: dict[str, str] = {
    "online": "online",
    "proxy.remoteUrl": "remote storage",
    "proxy.contentMaxAge": "maximum component age",
    "proxy.metadataMaxAge": "maximum metadata age",
    "httpClient.blocked": "blocked",
    "httpClient.autoBlock": "auto-blocking",
    "storage.writePolicy": "deployment policy",
    "group.memberNames": "members",
}


def repository_name(kind: Kind, expected: Expected) -> str:
    return {
        "proxy": expected.proxy.name,
        "hosted": expected.hosted.name,
        "group": expected.group.name,
    }[kind]


def expected_settings(kind: Kind, expected: Expected) -> dict[str, Any]:
    """The REST fields the guide fixes for each repository (nested like the REST body)."""
    if kind == "proxy":
        proxy = expected.proxy
        return {
            "name": proxy.name,
            "online": True,
            "proxy": {
                "remoteUrl": proxy.remote_url,
                "contentMaxAge": proxy.content_max_age,
                "metadataMaxAge": proxy.metadata_max_age,
            },
            "httpClient": {"blocked": False, "autoBlock": proxy.auto_block},
        }
    if kind == "hosted":
        return {
            "name": expected.hosted.name,
            "online": True,
            "storage": {"writePolicy": expected.hosted.write_policy.lower()},
        }
    return {
        "name": expected.group.name,
        "online": True,
        "group": {"memberNames": list(expected.group.members)},
    }


def new_repository(kind: Kind, expected: Expected) -> dict[str, Any]:
    """What a new repository gets besides the expected fields (the UI's defaults)."""
    body: dict[str, Any] = {
        "storage": {"blobStoreName": expected.blob_store, "strictContentTypeValidation": True},
    }
    if kind == "proxy":
        body["negativeCache"] = {"enabled": True, "timeToLive": 1440}
    return body


def desired_body(
    kind: Kind, expected: Expected, existing: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The request body that brings a repository to `expected`: the current configuration
    (or the UI's defaults) with the expected fields laid over it, so a user's cleanup
    policies, routing rule or remote authentication survive provisioning."""
    base = dict(existing) if existing is not None else new_repository(kind, expected)
    return _deep_merge(base, expected_settings(kind, expected))


def expected_fields(expected: Expected, kind: Kind) -> dict[str, object]:
    """The configuration fields the guide fixes, as (dotted REST path -> value)."""
    fields = _flatten(expected_settings(kind, expected))
    fields.pop("name", None)
    if kind == "hosted":
        fields["storage.writePolicy"] = expected.hosted.write_policy
    return fields


@dataclass(frozen=True)
class Drift:
    kind: Kind
    repository: str
    field: str  # a dotted path of the REST configuration, or EXISTS / FORMAT_TYPE / NAME
    actual: object
    expected: object

    @property
    def missing(self) -> bool:
        return self.field == EXISTS

    @property
    def fixable(self) -> bool:
        """False when only deleting or renaming a repository would fix it."""
        return self.field not in (FORMAT_TYPE, NAME)

    @property
    def label(self) -> str:
        return LABELS.get(self.field, self.field)

    def __str__(self) -> str:
        if self.missing:
            return f"{self.kind} '{self.repository}': missing -> created"
        where = f"{self.kind} '{self.repository}'"
        return f"{where}: {self.field}: {self.actual!r} -> {self.expected!r}"


def config_drift(expected: Expected, kind: Kind, config: Mapping[str, Any]) -> list[Drift]:
    """How one repository's configuration (as the REST API returns it) differs."""
    name = repository_name(kind, expected)
    drift = []
    for field, want in expected_fields(expected, kind).items():
        have = lookup(config, field)
        if not same(field, have, want):
            drift.append(Drift(kind, name, field, have, want))
    return drift


def compute_drift(
    expected: Expected,
    repositories: Sequence[Mapping[str, Any]],
    configs: Mapping[Kind, Mapping[str, Any]],
) -> list[Drift]:
    """Drift of all three from the repository list and the configurations read for each."""
    by_name = {str(r.get("name", "")).casefold(): r for r in repositories}
    drift: list[Drift] = []
    for kind in KINDS:
        name = repository_name(kind, expected)
        found = by_name.get(name.casefold())
        if found is None:
            drift.append(Drift(kind, name, EXISTS, None, True))
            continue
        clash = identity_drift(kind, name, found)
        if clash:
            drift.append(clash)
            continue
        drift += config_drift(expected, kind, configs.get(kind, {}))
    return drift


def identity_drift(kind: Kind, name: str, found: Mapping[str, Any]) -> Drift | None:
    """A repository of that name that is not the expected one (other case, format or type)."""
    actual_name = str(found.get("name"))
    if actual_name != name:
        return Drift(kind, name, NAME, actual_name, name)
    actual = f"{found.get('format')} {found.get('type')}"
    if actual != f"pypi {kind}":
        return Drift(kind, name, FORMAT_TYPE, actual, f"pypi {kind}")
    return None


def lookup(config: Mapping[str, Any], dotted: str) -> object:
    node: object = config
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def same(field: str, have: object, want: object) -> bool:
    if field == "proxy.remoteUrl" and isinstance(have, str) and isinstance(want, str):
        return have.rstrip("/") == want.rstrip("/")
    if field == "storage.writePolicy" and isinstance(have, str) and isinstance(want, str):
        return have.upper() == want.upper()  # the API echoes the case it was sent
    if field == "httpClient.blocked" and have is None:
        return want is False  # older versions leave it out when not blocked
    if field == "group.memberNames" and isinstance(have, list | tuple):
        return list(have) == list(want) if isinstance(want, list | tuple) else False
    return have == want


def _flatten(nested: Mapping[str, Any], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in nested.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
