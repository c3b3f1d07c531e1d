"""Environment variables that name an index (pip, uv, twine, poetry, pdm) or hold a secret."""

from __future__ import annotations

import re
from typing import NamedTuple

from nexus_cutover.scan.model import Findings, Hit, HitForm, Purpose, Secret
from nexus_cutover.scan.urls import has_variable, is_variable


class VarSpec(NamedTuple):
    purpose: Purpose
    form: HitForm
    is_list: bool


INDEX_VARS: dict[str, VarSpec] = {
    "PIP_INDEX_URL": VarSpec("install", "url", False),
    "PIP_EXTRA_INDEX_URL": VarSpec("install", "url", True),
    "PIP_FIND_LINKS": VarSpec("install", "url", True),
    "PIP_TRUSTED_HOST": VarSpec("trust", "host", True),
    "UV_INDEX_URL": VarSpec("install", "url", False),
    "UV_DEFAULT_INDEX": VarSpec("install", "url", False),
    "UV_INDEX": VarSpec("install", "url", True),
    "UV_EXTRA_INDEX_URL": VarSpec("install", "url", True),
    "UV_FIND_LINKS": VarSpec("install", "url", True),
    "UV_INSECURE_HOST": VarSpec("trust", "host", True),
    "UV_PUBLISH_URL": VarSpec("upload", "url", False),
    "UV_PUBLISH_CHECK_URL": VarSpec("install", "url", False),
    "TWINE_REPOSITORY_URL": VarSpec("upload", "url", False),
    "PDM_PYPI_URL": VarSpec("install", "url", False),
    "PIPENV_PYPI_MIRROR": VarSpec("install", "url", False),
    "HATCH_INDEX_REPO": VarSpec("upload", "url", False),
}
_POETRY_REPOSITORY = re.compile(r"POETRY_REPOSITORIES_\w+_URL")
_SECRET_NAME = re.compile(r".*(?:PASSWORD|PASSWD|_PSW|_PASS|TOKEN|SECRET)")
ASSIGNMENT = re.compile(r"(?P<name>[A-Za-z_]\w*)=(?P<value>.*)", re.DOTALL)


def var_spec(name: str) -> VarSpec | None:
    if name in INDEX_VARS:
        return INDEX_VARS[name]
    if _POETRY_REPOSITORY.fullmatch(name):
        return VarSpec("upload", "url", False)
    return None


def is_secret_name(name: str) -> bool:
    return _SECRET_NAME.fullmatch(name.upper()) is not None


def is_literal_secret(value: str) -> bool:
    value = value.strip().strip("\"'")
    return bool(value) and not is_variable(value)


def is_relevant(name: str) -> bool:
    return var_spec(name) is not None or is_secret_name(name)


def value_items(value: str, spec: VarSpec) -> list[str]:
    """The URLs or hosts in a variable's value (lists are whitespace-separated)."""
    items = value.split() if spec.is_list else [value.strip()]
    result = []
    for item in items:
        item = item.strip("\"'")
        if "=" in item.split("://", 1)[0]:  # UV_INDEX accepts name=url
            item = item.split("=", 1)[1]
        if not item:
            continue
        if spec.form == "host" or "://" in item or has_variable(item):
            result.append(item)
    return result


def env_findings(name: str, value: str, line: int, where: str) -> Findings:
    """An assignment `name=value` (ENV, CI `env:`, `export`, ...) seen at `line`."""
    found = Findings()
    spec = var_spec(name)
    if spec is not None:
        found.hits.extend(
            Hit(line, item, f"{where} {name}", spec.purpose, spec.form)
            for item in value_items(value, spec)
        )
    elif is_secret_name(name) and is_literal_secret(value):
        found.secrets.append(Secret(line, f"{where} {name}"))
    return found
