"""The PyPI format: hosted, proxy and group behaviour and the `/repository/<name>/...` routes.

May import `store`; never `rest` or the application assembly.
"""
