"""`videobot doctor`'s row of the processes driving jobs: each holder of job leases, how
many jobs it holds and how long ago it renewed them. A process whose leases ran out has
stopped (or stalled); the others take its jobs over within seconds."""

from __future__ import annotations

import time

from adapters.ops.checks import OK, SKIP, WARN, Check
from bot.config import Settings
from bot.storage import StoreUnavailable, open_store
from bot.storage.lease_types import LeaseHolder

NAME = "job leases"


async def lease_check(settings: Settings) -> Check:
    """Read the holders of job leases (the database row must have passed: no migration)."""
    try:
        store = await open_store(settings.database_url)
        try:
            holders = await store.lease_holders()
        finally:
            await store.close()
    except StoreUnavailable as exc:
        return Check(NAME, SKIP, f"database unavailable: {exc}")
    return lease_row(holders, settings.video_lease_seconds, time.time())


def lease_row(holders: list[LeaseHolder], lease: float, now: float) -> Check:
    """One row: every holder as `id: N jobs, renewed Ns ago` (or `ran out Ns ago`)."""
    if not holders:
        return Check(NAME, OK, "no process holds a job in flight")
    parts, expired = [], 0
    for h in holders:
        if h.lease_until < now:
            expired += 1
            age = f"lease ran out {now - h.lease_until:.0f}s ago"
        else:
            age = f"renewed {max(0.0, now - (h.lease_until - lease)):.0f}s ago"
        parts.append(f"{h.owner}: {h.jobs} job(s), {age}")
    status = WARN if expired else OK
    head = f"{len(holders)} process(es)" + (f", {expired} stopped" if expired else "")
    return Check(NAME, status, f"{head}; " + "; ".join(parts))
