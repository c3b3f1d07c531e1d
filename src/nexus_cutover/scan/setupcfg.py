"""setup.cfg: `[easy_install]` index_url/find_links, `dependency_links`, and direct
references in install_requires/extras_require."""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement

from nexus_cutover.scan.ini import locate, read_ini, section_items, value_lines
from nexus_cutover.scan.model import Findings, Hit

_REQUIREMENT_SECTIONS = ("options", "options.extras_require")


def _direct_references(value: str) -> list[str]:
    urls = []
    for line in value.splitlines():
        try:
            url = Requirement(line.strip()).url if line.strip() else None
        except InvalidRequirement:
            continue
        if url and url.startswith(("http://", "https://")):
            urls.append(url)
    return urls


def _urls(section: str, key: str, value: str) -> list[str]:
    option = key.lower().replace("-", "_")
    if section == "easy_install" and option in ("index_url", "find_links"):
        return value.split()
    if section == "options" and option == "dependency_links":
        return value.split()
    if section in _REQUIREMENT_SECTIONS and (section != "options" or option == "install_requires"):
        return _direct_references(value)
    return []


def parse_setup_cfg(text: str) -> Findings:
    found = Findings()
    parser, problem = read_ini(text, "setup.cfg")
    if parser is None:
        if problem:
            found.problems.append(problem)
        return found
    for section, key, value in section_items(parser):
        urls = [u for u in _urls(section, key, value) if "://" in u or "$" in u]
        setting = f"setup.cfg [{section}] {key}"
        found.hits.extend(
            Hit(line, url, setting, "install")
            for line, url in locate(urls, value_lines(text, section, key))
        )
    return found
