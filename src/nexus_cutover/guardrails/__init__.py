"""Guard rails the migration guide lacks, as plain logic shared by the checks and the steps.

- `routing`: the proxy's BLOCK rule for every internal project name (dependency confusion);
- `roles`: the read-only role a health check needs, and nothing more;
- `capacity`: Nexus Community Edition usage limits and how close a target is to them;
- `stragglers`: who still fetches from pypiserver, read from its request log.

Nothing here talks to a server: `clients/nexus_admin.py` does, `checks/` and `migrate/` use
both.
"""
