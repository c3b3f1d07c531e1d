"""The checks of the catalogue, as library functions.

Each function takes what it needs (a client, the expected state, paths) and returns a list of
problems: one readable line each, saying what is wrong and what to fix. An empty list means
the check passed. The acceptance suite in tests/ calls these; so does nothing else that could
bend them.
"""

Problems = list[str]
