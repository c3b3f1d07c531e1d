"""Fixtures of the fault library (the breakers' lab, seen through fault proxies)."""

from selftests.breakers.lab import lab, samples_cache

__all__ = ["lab", "samples_cache"]
