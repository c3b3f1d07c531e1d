"""The REST API under `/service/rest`: one module per endpoint family.

May import `store` and what it needs of `pypi`; never the application assembly.
"""
