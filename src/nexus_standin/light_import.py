"""Import single nexus-api-client model modules without running the package's ``__init__``.

``import nexus_api_client`` eagerly imports ~770 API and model modules, which takes about 3 s;
the stand-in needs about 30 models and must start in well under 2 s. Registering bare package
modules first lets Python import just the model modules that are asked for. Only the server
process (``__main__``) does this; an importer of ``nexus_standin`` in some other process gets the
normal, complete package.
"""

from __future__ import annotations

import importlib.util
import sys
import types


def install_bare_packages() -> None:
    if "nexus_api_client" in sys.modules:
        return
    spec = importlib.util.find_spec("nexus_api_client")
    if spec is None or not spec.submodule_search_locations:
        return
    root = next(iter(spec.submodule_search_locations))
    for name, path in (("nexus_api_client", root), ("nexus_api_client.models", f"{root}/models")):
        module = types.ModuleType(name)
        module.__path__ = [path]
        sys.modules[name] = module
