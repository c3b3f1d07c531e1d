"""Beyond the guide: the guard rails a migration needs once it "works".

Stragglers still on pypiserver, Nexus Community Edition usage limits, and the admin account kept
out of client files and health checks. (The routing rule against dependency confusion is
SEC-1, with the other security checks.)
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest
import requests

from nexus_cutover.checks import Proof, accounts, capacity, stragglers
from nexus_cutover.clients.nexus_admin import NexusAdmin
from nexus_cutover.config import Settings
from nexus_cutover.dists import Inventory
from nexus_cutover.guardrails.stragglers import window_start
from nexus_cutover.migrate.stragglers import cutover_time
from nexus_cutover.plugin import NOT_APPLICABLE
from nexus_cutover.scan import ScanResult
from nexus_cutover.target import Target

Prove = Callable[[Proof], None]


@pytest.fixture(scope="session")
def nexus_admin(target: Target) -> NexusAdmin:
    return NexusAdmin(target.nexus)


@pytest.mark.check("DECOM-4")
def test_no_client_still_fetches_from_pypiserver(target: Target, prove: Prove) -> None:
    """Before `docker-compose down`: pypiserver's request log shows no client since the client
    files were rewritten (or within the window), so switching it off breaks nobody."""
    log = target.pypiserver.log_file
    if log is None:
        pytest.skip(
            f"{NOT_APPLICABLE}: pypiserver's request log is not configured (pypiserver.log_file)"
        )
    cutover = cutover_time(target)
    hours = target.pypiserver.straggler_hours
    since = window_start(datetime.now(UTC), hours, cutover)
    prove(stragglers.no_stragglers(log, since, cutover, hours))


@pytest.mark.check("CAP-1")
def test_migration_fits_the_usage_limits(
    nexus_admin: NexusAdmin, old_index: Inventory, target: Target, settings: Settings, prove: Prove
) -> None:
    """Every package of pypiserver, plus what the proxy will cache and the requests its clients
    send, fits under Nexus Community Edition's limits (a warning from 75%)."""
    prove(
        capacity.migration_fits(
            nexus_admin, old_index, target.expected, settings.capacity, target.pypiserver.log_file
        )
    )


@pytest.mark.check("CAP-2")
def test_nexus_stays_below_its_usage_limits(
    nexus_admin: NexusAdmin,
    nexus_http: requests.Session,
    target: Target,
    settings: Settings,
    prove: Prove,
) -> None:
    """Nexus is below its usage limits with room to spare, and still caches new components."""
    prove(
        capacity.usage_below_limits(
            nexus_admin, nexus_http, target.nexus, target.expected, settings.capacity
        )
    )


@pytest.mark.check("SEC-5")
def test_client_files_do_not_use_the_admin(
    projects: Sequence[ScanResult], target: Target, prove: Prove
) -> None:
    """Uploaders and CI jobs log in with a deployer account, never as the Nexus admin."""
    prove(
        accounts.client_files_avoid_admin([p.root for p in projects], target.expected.admin_users)
    )


@pytest.mark.check("SEC-6")
def test_health_check_runs_without_admin_rights(
    nexus_admin: NexusAdmin, nexus_http: requests.Session, target: Target, prove: Prove
) -> None:
    """The scheduled health check holds the read-only role: all it reads, no administrator
    rights (an admin passes, with a warning)."""
    prove(accounts.least_privilege_account(nexus_admin, nexus_http, target.nexus, target.expected))
