"""Unit tests of configure's pure pieces: new URLs and exact line edits."""

from __future__ import annotations

import pytest

from nexus_cutover.migrate.errors import MigrationError
from nexus_cutover.migrate.rewrite import (
    Destination,
    Edit,
    add_pypirc_section,
    apply_edits,
    is_listing,
    new_host,
    new_url,
)

NEXUS = Destination("http://127.0.0.1:28083", "pypi-group", "pypi-hosted")
GROUP = "http://127.0.0.1:28083/repository/pypi-group"


@pytest.mark.parametrize(
    ("old", "purpose", "new"),
    [
        ("http://localhost:8888/simple", "install", f"{GROUP}/simple"),
        ("http://localhost:8888/simple/", "install", f"{GROUP}/simple/"),
        ("http://localhost:8888/", "install", f"{GROUP}/simple/"),
        ("http://localhost:8888/simple/acme-utils/", "install", f"{GROUP}/simple/acme-utils/"),
        ("http://deploy:Hunter2@pypi-server:8888/simple", "install", f"{GROUP}/simple"),
        ("http://localhost:8888/", "upload", "http://127.0.0.1:28083/repository/pypi-hosted/"),
        ("http://localhost:8888", "upload", "http://127.0.0.1:28083/repository/pypi-hosted/"),
        (
            "http://localhost:8888/packages/acme_data-1.0.0-py3-none-any.whl#sha256=ab",
            "install",
            f"{GROUP}/packages/acme-data/1.0.0/acme_data-1.0.0-py3-none-any.whl#sha256=ab",
        ),
        ("http://localhost:8888/packages/", "install", f"{GROUP}/simple/"),
        ('"http://localhost:8888/simple"', "install", f'"{GROUP}/simple"'),
    ],
)
def test_new_url(old: str, purpose: str, new: str) -> None:
    assert new_url(old, purpose, NEXUS) == new


def test_no_userinfo_ever_reaches_the_new_url() -> None:
    assert "@" not in new_url("https://u:p@host:8888/simple", "install", NEXUS)
    assert "@" not in new_url("https://token@host:8888/", "upload", NEXUS)


def test_only_the_flat_listing_is_a_listing() -> None:
    assert is_listing("http://localhost:8888/packages/")
    assert is_listing("http://localhost:8888/packages/old-mirror/")
    assert not is_listing("http://localhost:8888/packages/acme_data-1.0.0.tar.gz")
    assert not is_listing("http://localhost:8888/simple/")


def test_trusted_host_follows_the_old_entry_form() -> None:
    assert new_host("localhost", NEXUS) == "127.0.0.1"
    assert new_host("pypi-server:8888", NEXUS) == "127.0.0.1:28083"
    assert new_host('"pypi-server"', NEXUS) == '"127.0.0.1"'
    # https needs no trusted-host: nothing to write
    assert new_host("localhost", Destination("https://nexus.example", "g", "h")) is None


def test_edits_replace_only_the_scanned_text_and_keep_the_rest() -> None:
    text = (
        "# keep: http://localhost:8888/simple\r\n"
        "RUN pip install --index-url http://localhost:8888/simple --trusted-host localhost"
        "  # comment http://localhost:8888/simple\r\n"
        "last line without newline"
    )
    edits = [
        Edit(2, "http://localhost:8888/simple", f"{GROUP}/simple"),
        Edit(2, "localhost", "127.0.0.1"),
    ]
    result = apply_edits(text, edits, "Dockerfile")
    assert result == (
        "# keep: http://localhost:8888/simple\r\n"
        f"RUN pip install --index-url {GROUP}/simple --trusted-host 127.0.0.1"
        "  # comment http://localhost:8888/simple\r\n"
        "last line without newline"
    )


def test_edits_keep_a_byte_order_mark_and_lone_cr_breaks() -> None:
    text = "\ufeff[global]\rindex-url = http://old:8888/simple\r"
    result = apply_edits(text, [Edit(2, "http://old:8888/simple", "N")], "pip.conf")
    assert result == "\ufeff[global]\rindex-url = N\r"


def test_an_edit_whose_text_is_gone_stops_with_the_place() -> None:
    with pytest.raises(MigrationError, match=r"pip.conf:1: the scanned text is no longer"):
        apply_edits(
            "index-url = http://other/simple\n", [Edit(1, "http://old/simple", "N")], "pip.conf"
        )
    with pytest.raises(MigrationError, match="line 7 no longer exists"):
        apply_edits("a\n", [Edit(7, "a", "b")], "pip.conf")


def test_a_pypirc_gets_the_nexus_section_listed_in_index_servers() -> None:
    hosted = "http://127.0.0.1:28083/repository/pypi-hosted/"
    text = (
        "[distutils]\nindex-servers =\n    pypiserver\n\n"
        f"[pypiserver]\nrepository = {hosted}\nusername = admin\n"
    )
    assert add_pypirc_section(text, "nexus", hosted) == (
        "[distutils]\nindex-servers =\n    pypiserver\n    nexus\n\n"
        f"[pypiserver]\nrepository = {hosted}\nusername = admin\n"
        f"\n[nexus]\nrepository = {hosted}\n"
    )


def test_a_one_line_index_servers_and_crlf_are_kept() -> None:
    text = "[distutils]\r\nindex-servers = internal\r\n\r\n[internal]\r\nrepository = X\r\n"
    assert add_pypirc_section(text, "nexus", "H") == (
        "[distutils]\r\nindex-servers = internal nexus\r\n\r\n[internal]\r\nrepository = X\r\n"
        "\r\n[nexus]\r\nrepository = H\r\n"
    )


def test_without_distutils_twine_defaults_are_kept_and_an_existing_section_is_left() -> None:
    assert add_pypirc_section("[pypi]\nusername = __token__\n", "nexus", "H") == (
        "[distutils]\nindex-servers =\n    pypi\n    testpypi\n    nexus\n\n"
        "[pypi]\nusername = __token__\n\n[nexus]\nrepository = H\n"
    )
    assert add_pypirc_section("[distutils]\n[pypi]\n", "nexus", "H") == (
        "[distutils]\nindex-servers =\n    pypi\n    testpypi\n    nexus\n[pypi]\n"
        "\n[nexus]\nrepository = H\n"
    )
    already = "[distutils]\nindex-servers = nexus\n[nexus]\nrepository = H\n"
    assert add_pypirc_section(already, "nexus", "H") == already
    assert add_pypirc_section("not [ini", "nexus", "H") == "not [ini"
