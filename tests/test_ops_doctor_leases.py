"""`videobot doctor`'s row of the processes holding job leases, on SQLite and PostgreSQL: a
live process with its jobs and last renewal, one whose leases ran out as stopped."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from adapters.ops.checks import OK, WARN
from adapters.ops.lease_check import lease_check, lease_row
from bot.models import JobState
from bot.storage import Store
from bot.storage.lease_types import LeaseHolder
from tests.helpers import settings_for
from tests.postgres import BACKENDS
from tests.test_core_store_access import USER
from tests.test_core_store_backends import POLICY, job_of

UNLIMITED = replace(POLICY, unlimited=True)


def test_the_row_names_each_process_its_jobs_and_its_last_renewal() -> None:
    holders = [LeaseHolder("a:1:x", 3, 125.0), LeaseHolder("b:2:y", 1, 90.0)]
    row = lease_row(holders, 30.0, 100.0)
    assert row.status == WARN
    assert row.detail == (
        "2 process(es), 1 stopped; a:1:x: 3 job(s), renewed 5s ago; "
        "b:2:y: 1 job(s), lease ran out 10s ago"
    )
    assert lease_row([], 30.0, 100.0).status == OK


@BACKENDS
async def test_doctor_reads_the_holders_from_the_database(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    now = time.time()
    for n in range(3):
        job = await store.reserve(job_of(USER, n), UNLIMITED, now)
        await store.transition(job.id, (JobState.QUEUED,), JobState.RUNNING, now)
    await store.claim_jobs("host:42:abcdef", now, now + 30.0)
    settings = settings_for(tmp_path, database_url=database_url)
    row = await lease_check(settings)
    assert row.status == OK
    assert row.detail.startswith("1 process(es); host:42:abcdef: 3 job(s), renewed ")
