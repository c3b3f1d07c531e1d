"""Thin: the fixtures live in fixtures/, the options and report in nexus_cutover.plugin."""

pytest_plugins = [
    "fixtures.backends",
    "fixtures.clients",
    "fixtures.packages",
    "fixtures.projects_scan",
]
