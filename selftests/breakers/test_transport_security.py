"""Breakers for SEC-4 (transport), and for SEC-3's leftover pypiserver login in a .pypirc."""

from __future__ import annotations

from selftests.breakers.lab import Lab, only_failure

NEIGHBOURS = "SEC-3,SEC-4,CLIENT-2,PUBLISH-2"


def test_trusted_host_for_an_https_index_fails_sec_4(lab: Lab) -> None:
    """pip's well-known "SSL workaround": trusting pypi.org switches its certificate off."""
    lab.edit(
        "maestro-hive/pip.conf",
        "[install]\n",
        "[install]\ntrusted-host = pypi.org\n",
    )
    message = only_failure(
        lab.run(NEIGHBOURS), "SEC-4", "Remove trusted-host pypi.org", "maestro-hive/pip.conf"
    )
    assert "accept any certificate" in message


def test_trusted_host_for_a_host_reached_over_https_fails_sec_4(lab: Lab) -> None:
    """The project uploads to mirror.example over https and its pip.conf trusts that host."""
    (lab.projects / "maestro-hive" / ".pypirc").write_text(
        "[distutils]\nindex-servers = mirror\n\n[mirror]\nrepository = https://mirror.example/legacy/\n",
        encoding="utf-8",
    )
    lab.edit("maestro-hive/pip.conf", "[install]\n", "[install]\ntrusted-host = mirror.example\n")
    message = only_failure(lab.run(NEIGHBOURS), "SEC-4", "Remove trusted-host mirror.example")
    assert "switches off certificate verification for an https index" in message


def test_a_password_over_plain_http_fails_sec_4_and_sec_3(lab: Lab) -> None:
    """A project .pypirc whose password twine would send over http to another host."""
    lab.edit(
        "ledger-worker/.pypirc",
        "index-servers = internal nexus",
        "index-servers = internal nexus mirror",
    )
    path = lab.projects / "ledger-worker" / ".pypirc"
    section = "\n[mirror]\nrepository = http://mirror.example:8080/\npassword = Plain-Text-9\n"
    path.write_text(path.read_text(encoding="utf-8") + section, encoding="utf-8")
    verdicts = lab.run(NEIGHBOURS)
    message = only_failure(verdicts, "SEC-4", "mirror.example", also=("SEC-3",))
    assert message.startswith("Remove the password from ledger-worker/.pypirc [mirror]")
    assert "Plain-Text-9" not in message + verdicts["SEC-3"].message


def test_pypiserver_login_left_in_the_user_pypirc_fails_sec_3(lab: Lab) -> None:
    """What `configure` used to leave: pypiserver's user and password in a section that now
    uploads to Nexus."""
    pypirc = lab.target.clients.pypirc
    assert pypirc is not None
    text = pypirc.read_text(encoding="utf-8")
    section = "[pypiserver]\n"
    assert section in text
    old_login = "username = uploader\npassword = Left-Over-Secret-1\n"
    pypirc.write_text(text.replace(section, section + old_login), encoding="utf-8")
    verdicts = lab.run(NEIGHBOURS)
    message = only_failure(verdicts, "SEC-3", "[pypiserver]", "uploads to Nexus")
    assert "a password in plain text" in message
    assert "pypiserver's user 'uploader'" in message
    assert "Left-Over-Secret-1" not in message
