"""Thin on purpose: the suite's fixtures (fixtures/) and its options, markers and report come
from the nexus-cutover pytest plugin, registered by the package's `pytest11` entry point, so
`pytest tests` here and `nexus-cutover run` of the installed suite behave the same."""
