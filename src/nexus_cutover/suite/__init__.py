"""The acceptance suite as it ships in the wheel.

`tests/` (one module per step of the migration guide), `fixtures/` (the pytest fixtures and
the sample client projects) and `docker/` (compose files and image build contexts) are the
repository's top-level folders of the same names, linked here so that the installed package
carries them: `nexus-cutover run` runs this copy, from any folder (`resources` has the paths).
"""
