"""nexus-cutover: prove a pypiserver -> Nexus Repository 3 migration is done."""

__version__ = "0.1.0"
