"""Unit tests of reading distribution files as twine uploads them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from twine.exceptions import InvalidDistribution
from twine.package import PackageFile

from nexus_cutover.errors import DistributionError
from nexus_cutover.migrate.packagefile import package_file
from selftests.migrate.distfiles import (
    Compression,
    truncate,
    write_egg,
    write_sdist,
    write_wheel,
)


def test_a_wheel_is_described_from_its_metadata(tmp_path: Path) -> None:
    package = package_file(write_wheel(tmp_path, "Acme.Tools", "1.2.0"))
    assert (package.metadata["name"], package.version) == ("Acme.Tools", "1.2.0")
    assert (package.filetype, package.python_version) == ("bdist_wheel", "py3")


def test_metadata_version_2_0_is_carried_although_twine_refuses_it(tmp_path: Path) -> None:
    old = write_wheel(tmp_path, "legacy", "0.1", metadata_version="2.0")
    with pytest.raises(InvalidDistribution):
        PackageFile.from_filename(str(old), None)
    assert package_file(old).version == "0.1"


@pytest.mark.parametrize("compression", ["gz", "bz2", "xz"])
def test_sdists_of_every_compression(tmp_path: Path, compression: Compression) -> None:
    package = package_file(write_sdist(tmp_path, "acme_sdist", "3.0", compression=compression))
    assert (package.filetype, package.python_version, package.version) == ("sdist", "source", "3.0")


def test_an_egg(tmp_path: Path) -> None:
    package = package_file(write_egg(tmp_path, "acme_egg", "0.5"))
    assert (package.filetype, package.python_version, package.version) == (
        "bdist_egg",
        "3.11",
        "0.5",
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda d: truncate(write_wheel(d, "cut", "1.0")),
        lambda d: truncate(write_sdist(d, "cut", "1.0"), keep=0.6),
        lambda d: _text_file(d / "fake-1.0-py3-none-any.whl"),
    ],
)
def test_damaged_files_are_one_line_naming_the_file(
    tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    path = make(tmp_path)
    with pytest.raises(DistributionError) as caught:
        package_file(path)
    assert str(caught.value).startswith(f"{path.name}: corrupt or unreadable archive")
    assert "\n" not in str(caught.value)


def test_a_wheel_without_metadata(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "empty-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("empty/__init__.py", "")
    with pytest.raises(DistributionError, match="no metadata file"):
        package_file(path)


def test_a_name_that_does_not_parse(tmp_path: Path) -> None:
    with pytest.raises(DistributionError, match="not a valid distribution file name"):
        package_file(_text_file(tmp_path / "nonsense.whl"))


def _text_file(path: Path) -> Path:
    path.write_text("this is not an archive\n", encoding="utf-8")
    return path
