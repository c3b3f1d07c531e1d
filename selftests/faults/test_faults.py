"""The fault library: realistic faults, one self-test each, asserting which check catches it.

Proxy faults share one set of migrated services per module (a rule is removed after its
test, so the services stay healthy); storage faults edit the stand-in's data folder and get
fresh services each. `test_no_fault_passes_the_proxy_silently` proves the proxy itself is
transparent: with no rule, every check of the run passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from selftests.breakers.lab import Lab, started_lab
from selftests.faults.lab import Fault, FaultLab, caught, proxied
from selftests.faults.proxy import (
    DropContinuationToken,
    Request,
    ResetConnection,
    Respond,
    RewriteBody,
    RewriteJson,
    Rule,
    ServiceUnavailable,
    StalePage,
    StripHashes,
    TooManyRequests,
    TruncateBody,
)

HOSTED_PAGE = r"^/repository/pypi-hosted/simple/"
GROUP_PAGE = r"^/repository/pypi-group/simple/"
CANARY = "nexus-cutover-canary/"
CANARY_CHECKS = frozenset({"PUBLISH-1", "PUBLISH-3", "TS-7", "SEC-2"})
REST = "^/service/rest/v1"


def anonymous(request: Request) -> bool:
    return not request.authenticated


def authenticated(request: Request) -> bool:
    return request.authenticated


def _items(change: Any) -> Any:
    """A RewriteJson change applied to each item of a paged listing."""

    def apply(document: Any) -> Any:
        document["items"] = [item for item in map(change, document["items"]) if item is not None]
        return document

    return apply


def _drop_component(name: str, version: str) -> Any:
    return _items(lambda c: None if (c["name"], c["version"]) == (name, version) else c)


def _move_component(name: str, version: str, to: str) -> Any:
    def move(component: dict[str, Any]) -> dict[str, Any]:
        if (component["name"], component["version"]) == (name, version):
            component["version"] = to
        return component

    return _items(move)


def _asset_change(filename: str, change: Any) -> Any:
    def edit(asset: dict[str, Any]) -> dict[str, Any]:
        if str(asset["path"]).endswith(f"/{filename}"):
            change(asset)
        return asset

    return _items(edit)


def _old_timestamps(asset: dict[str, Any]) -> dict[str, Any]:
    for key in ("blobCreated", "blobUpdated", "lastModified", "lastDownloaded"):
        asset[key] = "2020-01-01T00:00:00.000+00:00"
    return asset


def _no_sha256(asset: dict[str, Any]) -> None:
    asset["checksum"].pop("sha256", None)


def _wrong_version_path(asset: dict[str, Any]) -> None:
    asset["path"] = str(asset["path"]).replace("/0.9.0/", "/0.9.1/")


def _empty_page(body: bytes) -> bytes:
    return re.sub(rb"<a [^>]*>[^<]*</a>(<br/>)?", b"", body)


def _without_link(filename: str) -> Any:
    def drop(body: bytes) -> bytes:
        return re.sub(
            rb'<a href="[^"]*' + re.escape(filename.encode()) + rb"[^>]*>[^<]*</a>(<br/>)?",
            b"",
            body,
        )

    return drop


def _wrong_hash(body: bytes) -> bytes:
    return re.sub(rb"#sha256=[0-9a-f]{64}", b"#sha256=" + b"0" * 64, body)


def _foreign_links(body: bytes) -> bytes:
    return body.replace(b'href="../../', b'href="http://127.0.0.1:9/elsewhere/')


PROXY_FAULTS = (
    # -- index pages --------------------------------------------------------------------
    Fault(
        "hosted index pages without #sha256",
        "index pages",
        "PARITY-1",
        ("without a #sha256= fragment",),
        lambda: [StripHashes(HOSTED_PAGE + "acme")],
    ),
    Fault(
        "group index pages without #sha256",
        "index pages",
        "PARITY-2",
        ("without a #sha256= fragment",),
        lambda: [StripHashes(GROUP_PAGE + "acme")],
    ),
    Fault(
        "group index pages with a wrong #sha256",
        "index pages",
        "PARITY-2",
        ("pip will refuse it",),
        lambda: [RewriteBody(GROUP_PAGE + "acme", rewrite=_wrong_hash)],
        frozenset({"INSTALL-2"}),
    ),
    Fault(
        "group index page lacks a migrated file",
        "index pages",
        "PARITY-2",
        ("has no acme_data-0.9.0.zip",),
        lambda: [
            RewriteBody(GROUP_PAGE + "acme-data/", rewrite=_without_link("acme_data-0.9.0.zip"))
        ],
    ),
    Fault(
        "hosted root index lists no project",
        "index pages",
        "REPO-4",
        ("none of the", "migrated"),
        lambda: [RewriteBody(HOSTED_PAGE + "$", rewrite=_empty_page)],
    ),
    Fault(
        "group page of the public package links outside Nexus",
        "index pages",
        "REPO-4",
        ("pypi-group",),
        lambda: [RewriteBody(GROUP_PAGE + "six/", rewrite=_foreign_links)],
        frozenset({"INSTALL-1", "INSTALL-3"}),
    ),
    Fault(
        "stale hosted index page after upload and delete",
        "index pages",
        "PUBLISH-1",
        ("stale", "hosted"),
        lambda: [StalePage(HOSTED_PAGE + CANARY)],
        CANARY_CHECKS - {"PUBLISH-1"},
    ),
    Fault(
        "stale group index page after upload and delete",
        "index pages",
        "PUBLISH-1",
        ("stale", "group"),
        lambda: [StalePage(GROUP_PAGE + CANARY)],
        CANARY_CHECKS - {"PUBLISH-1"},
    ),
    # -- REST listings ------------------------------------------------------------------
    Fault(
        "assets listing never pages",
        "REST listings",
        "PARITY-1",
        ("are not in 'pypi-hosted'",),
        lambda: [DropContinuationToken(REST + r"/assets\?")],
    ),
    Fault(
        "components listing omits a version",
        "REST listings",
        "PARITY-3",
        ("acme-data 0.9.0",),
        lambda: [
            RewriteJson(REST + r"/components\?", change=_drop_component("acme-data", "0.9.0"))
        ],
    ),
    Fault(
        "assets listing without sha256",
        "REST listings",
        "PARITY-1",
        ("no sha256",),
        lambda: [
            RewriteJson(
                REST + r"/assets\?",
                change=_asset_change("acme_utils-1.0.0-py3-none-any.whl", _no_sha256),
            )
        ],
    ),
    Fault(
        "an sdist stored under the wrong version (assets API)",
        "REST listings",
        "PARITY-1",
        ("acme_data-0.9.0.zip is stored under version 0.9.1",),
        lambda: [
            RewriteJson(
                REST + r"/assets\?",
                change=_asset_change("acme_data-0.9.0.zip", _wrong_version_path),
            )
        ],
    ),
    Fault(
        "a component listed under the wrong version",
        "REST listings",
        "PARITY-3",
        ("acme-data 0.9.0",),
        lambda: [
            RewriteJson(
                REST + r"/components\?", change=_move_component("acme-data", "0.9.0", "0.9.1")
            )
        ],
    ),
    Fault(
        "asset search finds nothing",
        "REST listings",
        "INSTALL-3",
        ("has no cached",),
        lambda: [RewriteJson(REST + r"/search/assets", change=_items(lambda item: None))],
        frozenset({"TS-8"}),
    ),
    Fault(
        "cached assets carry timestamps older than the fetch",
        "REST listings",
        "INSTALL-3",
        ("older than this check's fetch",),
        lambda: [RewriteJson(REST + r"/search/assets", change=_items(_old_timestamps))],
        frozenset({"TS-8"}),
    ),
    Fault(
        "repository list lacks the group",
        "REST listings",
        "TS-2",
        ("does not list 'pypi-group'",),
        lambda: [
            RewriteJson(
                REST + r"/repositories$",
                change=lambda repos: [r for r in repos if r["name"] != "pypi-group"],
            )
        ],
    ),
    Fault(
        "hosted reported offline",
        "REST listings",
        "REPO-2",
        ("online",),
        lambda: [
            RewriteJson(
                REST + r"/repositories/pypi/hosted/", change=lambda c: {**c, "online": False}
            )
        ],
        frozenset({"TS-6"}),
    ),
    # -- auth ---------------------------------------------------------------------------
    Fault(
        "the status check refuses the deployer (403)",
        "auth",
        "TS-5",
        ("403", "nx-metrics-all"),
        lambda: [Respond(REST + "/status/check", status=403)],
    ),
    Fault(
        "the status check refuses the password (401)",
        "auth",
        "TS-5",
        ("401", "password"),
        lambda: [Respond(REST + "/status/check", status=401)],
    ),
    Fault(
        "anonymous upload accepted",
        "auth",
        "SEC-2",
        ("anonymous upload", "answered 200"),
        lambda: [Respond(r"^/repository/pypi-hosted/$", method="POST", when=anonymous, status=200)],
    ),
    Fault(
        "anonymous delete accepted",
        "auth",
        "SEC-2",
        ("anonymous DELETE",),
        lambda: [Respond(REST + "/components/", method="DELETE", when=anonymous, status=204)],
    ),
    Fault(
        "status answers 503",
        "auth",
        "PRE-1",
        ("503",),
        lambda: [ServiceUnavailable(REST + "/status$")],
        frozenset({"TS-1"}),
    ),
    Fault(
        "Nexus is read-only (writable answers 503)",
        "auth",
        "PRE-1",
        ("status/writable answered 503",),
        lambda: [ServiceUnavailable(REST + "/status/writable")],
    ),
    # -- migration steps ----------------------------------------------------------------
    Fault(
        "a delete that deletes nothing",
        "migration steps",
        "PUBLISH-1",
        ("still in 'pypi-hosted' after its deletion", "(id "),
        lambda: [Respond(REST + "/components/", method="DELETE", when=authenticated, status=204)],
        CANARY_CHECKS - {"PUBLISH-1"},
    ),
    Fault(
        "an upload that stores nothing",
        "migration steps",
        "PUBLISH-1",
        ("stored nothing",),
        lambda: [
            Respond(r"^/repository/pypi-hosted/$", method="POST", when=authenticated, status=200)
        ],
        CANARY_CHECKS - {"PUBLISH-1"},
    ),
    Fault(
        "group serves other bytes for a migrated file",
        "migration steps",
        "PARITY-2",
        ("different bytes",),
        lambda: [
            RewriteBody(
                r"^/repository/pypi-group/packages/acme-utils/", rewrite=lambda b: b + b"\0"
            )
        ],
        frozenset({"INSTALL-2"}),
    ),
    # -- transport ----------------------------------------------------------------------
    Fault(
        "connection reset on a hosted index page",
        "transport",
        "PARITY-1",
        ("cannot reach",),
        lambda: [ResetConnection(HOSTED_PAGE + "acme-data/")],
        frozenset({"SEC-1"}),
    ),
    Fault(
        "group page answers 503 with Retry-After, persistently",
        "transport",
        "PARITY-2",
        ("503",),
        lambda: [ServiceUnavailable(GROUP_PAGE + "acme-utils/", retry_after=1)],
        frozenset({"INSTALL-2", "SEC-1"}),
    ),
    Fault(
        "components listing answers 429",
        "transport",
        "PARITY-3",
        ("429",),
        lambda: [TooManyRequests(REST + r"/components\?")],
        CANARY_CHECKS | {"SEC-1"},  # its internal names include hosted's components
    ),
    Fault(
        "a download cut short",
        "transport",
        "PARITY-2",
        ("broke off",),
        lambda: [TruncateBody(r"^/repository/pypi-group/packages/acme-data/", keep=100)],
        frozenset({"INSTALL-2"}),
    ),
)


def _corrupt_blob(lab: FaultLab) -> None:
    blob = lab.blob_of("pypi-hosted", "acme_utils-1.0.0-py3-none-any.whl")
    blob.write_bytes(blob.read_bytes() + b"\0")


def _component_version_changed(lab: FaultLab) -> None:
    changed = lab.sql(
        "UPDATE component SET version = '0.9.1' WHERE repository = 'pypi-hosted'"
        " AND name = 'acme-data' AND version = '0.9.0'"
    )
    assert changed == 1


def _asset_moved(lab: FaultLab) -> None:
    changed = lab.sql(
        "UPDATE asset SET path = replace(path, '/0.9.0/', '/0.9.1/')"
        " WHERE repository = 'pypi-hosted' AND path LIKE '%/acme_data-0.9.0.zip'"
    )
    assert changed == 1


STORAGE_FAULTS = (
    Fault(
        "a blob altered on disk",
        "storage",
        "PARITY-2",
        ("acme_utils-1.0.0-py3-none-any.whl", "different bytes"),
        setup=_corrupt_blob,
    ),
    Fault(
        "a component's version changed in the database",
        "storage",
        "PARITY-3",
        ("acme-data 0.9.0",),
        setup=_component_version_changed,
    ),
    Fault(
        "an sdist stored under the wrong version",
        "storage",
        "PARITY-1",
        ("acme_data-0.9.0.zip is stored under version 0.9.1",),
        collateral=frozenset({"PARITY-2"}),  # the group's page links the misplaced path
        setup=_asset_moved,
    ),
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, samples_cache: Path) -> Iterator[FaultLab]:
    with started_lab(tmp_path_factory.mktemp("faults"), samples_cache) as lab, proxied(lab) as fl:
        yield fl


@pytest.fixture
def faulty(shared: FaultLab) -> Iterator[FaultLab]:
    shared.rules.clear()
    yield shared
    shared.rules.clear()


def test_no_fault_passes_the_proxy_silently(faulty: FaultLab) -> None:
    """With no rule, the proxy is transparent: every check of the fault runs passes."""
    verdicts = faulty.run()
    assert {k: v.outcome for k, v in verdicts.items() if v.outcome != "passed"} == {}
    assert len(faulty.rest.requests) > 0
    assert len(faulty.repository.requests) > 0


@pytest.mark.parametrize("fault", PROXY_FAULTS, ids=str)
def test_proxy_fault_is_caught(faulty: FaultLab, fault: Fault) -> None:
    rules: list[Rule] = fault.rules()
    faulty.rules.add(*rules)
    verdicts = faulty.run()
    assert all(rule.fired > 0 for rule in rules), f"{fault}: the fault was never exercised"
    caught(verdicts, fault)


@pytest.mark.parametrize("fault", STORAGE_FAULTS, ids=str)
def test_storage_fault_is_caught(lab: Lab, fault: Fault) -> None:
    with proxied(lab) as fresh:
        assert fault.setup is not None
        fault.setup(fresh)
        caught(fresh.run(), fault)


def test_the_library_covers_every_area() -> None:
    faults = PROXY_FAULTS + STORAGE_FAULTS
    assert len(faults) >= 20
    assert {f.where for f in faults} >= {
        "storage",
        "index pages",
        "REST listings",
        "auth",
        "migration steps",
        "transport",
    }
