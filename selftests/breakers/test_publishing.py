"""Breakers for PRE-4, PUBLISH-1..3, TS-6 and TS-7: uploads and installs of a canary."""

from selftests.breakers.lab import Lab, only_failure, reconfigure


def test_group_without_the_proxy_fails_pre_4(lab: Lab) -> None:
    """The canary app's public dependency cannot come through a group without pypi-proxy;
    PUBLISH-1's canary, without dependencies, still installs."""
    reconfigure(lab, "group", "pypi-group", **{"group.memberNames": ["pypi-hosted"]})
    only_failure(
        lab.run("PRE-4,PUBLISH-1"), "PRE-4", "pip could not install", "nexus-cutover-canary-app"
    )


def test_group_without_hosted_fails_publish_1(lab: Lab) -> None:
    reconfigure(lab, "group", "pypi-group", **{"group.memberNames": ["pypi-proxy"]})
    only_failure(lab.run("PUBLISH-1,PUBLISH-3"), "PUBLISH-1", "nexus-cutover-canary")


def test_pypirc_pointing_elsewhere_fails_publish_2(lab: Lab) -> None:
    pypirc = lab.projects / "user-config" / ".pypirc"
    text = pypirc.read_text(encoding="utf-8")
    pypirc.write_text(text.replace("pypi-hosted", "pypi-group"), encoding="utf-8")
    only_failure(lab.run("PUBLISH-1,PUBLISH-2"), "PUBLISH-2", "[nexus] repository", "pypi-group")


def test_pypirc_without_the_trailing_slash_fails_publish_2(lab: Lab) -> None:
    """`repository = .../repository/pypi-hosted` (no slash): Nexus refuses every upload."""
    pypirc = lab.projects / "user-config" / ".pypirc"
    text = pypirc.read_text(encoding="utf-8")
    assert "/repository/pypi-hosted/" in text
    pypirc.write_text(
        text.replace("/repository/pypi-hosted/", "/repository/pypi-hosted"), encoding="utf-8"
    )
    only_failure(lab.run("PUBLISH-1,PUBLISH-2"), "PUBLISH-2", "must end with a slash")


def test_disable_redeploy_fails_publish_3(lab: Lab) -> None:
    reconfigure(lab, "hosted", "pypi-hosted", **{"storage.writePolicy": "allow_once"})
    only_failure(
        lab.run("PUBLISH-1,PUBLISH-3"), "PUBLISH-3", "re-uploading the same file", "Allow redeploy"
    )


def test_read_only_hosted_fails_ts_6(lab: Lab) -> None:
    reconfigure(lab, "hosted", "pypi-hosted", **{"storage.writePolicy": "deny"})
    only_failure(lab.run("TS-6,TS-1"), "TS-6", "Read-only (DENY)")


def test_read_only_hosted_fails_ts_7_with_the_servers_answer(lab: Lab) -> None:
    reconfigure(lab, "hosted", "pypi-hosted", **{"storage.writePolicy": "deny"})
    only_failure(lab.run("TS-7,TS-1"), "TS-7", "is read-only")
