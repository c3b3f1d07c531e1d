"""Persistence: SQLite tables, the blob store and the typed views of what they hold.

Imports nothing from `pypi`, `rest` or the application assembly.
"""
