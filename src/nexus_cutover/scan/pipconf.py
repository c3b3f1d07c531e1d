"""pip.conf / pip.ini: index-url, extra-index-url, trusted-host, find-links in any section."""

from __future__ import annotations

from nexus_cutover.scan.ini import locate, read_ini, section_items, value_lines
from nexus_cutover.scan.model import Findings, Hit
from nexus_cutover.scan.shell import PIP_CONFIG_KEYS
from nexus_cutover.scan.urls import has_variable


def parse_pip_conf(text: str) -> Findings:
    found = Findings()
    parser, problem = read_ini(text, "pip.conf")
    if parser is None:
        if problem:
            found.problems.append(problem)
        return found
    for section, key, value in section_items(parser):
        option = key.lower().replace("_", "-")  # pip accepts index_url too
        spec = PIP_CONFIG_KEYS.get(option)
        if spec is None:
            continue
        items = [value.strip()] if option == "index-url" else value.split()
        items = [i for i in items if i and (spec.form == "host" or "://" in i or has_variable(i))]
        for line, item in locate(items, value_lines(text, section, key)):
            setting = f"pip.conf [{section}] {option}"
            found.hits.append(Hit(line, item, setting, spec.purpose, spec.form))
    return found
