"""Fixtures of the breakers (see lab.py)."""

from selftests.breakers.lab import lab, samples_cache

__all__ = ["lab", "samples_cache"]
