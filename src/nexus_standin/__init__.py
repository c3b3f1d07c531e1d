"""A local stand-in for Sonatype Nexus Repository 3 serving the PyPI format and a REST subset.

It never imports ``nexus_cutover``; see README.md in this folder for what it mimics and where it
differs from real Nexus.
"""
