"""Keeping the queue's view of the vendors current: their capacity, read once at start
from what they report, and their breakers, which open and close on their own clock.

- A breaker's cool-down ends without any job event, so a watcher pumps the queue every
  WATCH_SECONDS: a job waiting for that vendor goes as its probe.
- A vendor held for want of credits (or a refused key) is skipped until an operator acts
  (`videobot vendor-reset`); the admins are told once, and where the vendor reports its
  balance the watcher sees the top-up and tries it again.
- The breakers live in the store as well: each tick writes this process's openings and
  closings and takes in what other processes and the operator changed, so a restart forgets
  no open or held vendor and processes sharing a database skip the same ones.
"""

from __future__ import annotations

import asyncio

import httpx

from bot import texts
from bot.errors import OutOfCredits, VendorError
from bot.jobs.kernel import Kernel, log
from bot.models import UserRef
from bot.routing.capacity import resolve

WATCH_SECONDS = 5.0
LIMITS_TIMEOUT = 10.0  # a vendor's limits report is not worth a slow start


async def learn_limits(k: Kernel) -> None:
    """Each vendor's capacity from its own report, where <ID>_MAX_CONCURRENT is unset."""
    for vendor_id, vendor in k.vendors.items():
        configured = k.settings.max_concurrent(vendor_id)
        try:
            async with asyncio.timeout(LIMITS_TIMEOUT):
                reported = await vendor.limits()
        except (VendorError, httpx.HTTPError, TimeoutError) as exc:
            log.warning("vendor %s: cannot read its limits (%s); using defaults", vendor_id, exc)
            reported = None
        k.queue.capacity[vendor_id] = cap = resolve(configured, reported)
        if reported is not None:
            k.queue.daily.learn(vendor_id, reported.used_today)
            log.info("vendor %s: %s", vendor_id, cap)
    k.queue.poke()


async def sync_breakers(k: Kernel) -> None:
    """Write this process's breaker changes to the store, then take in the stored ones
    (another process's, the operator's); the line is looked at again when one moved."""
    try:
        for vendor_id, change in list(k.breakers.unsaved.items()):
            await k.store.set_breaker_open(vendor_id, *change)
            k.breakers.saved(vendor_id, change)
        moved = k.breakers.adopt(await k.store.breaker_states())
    except Exception:
        log.exception("reading or writing the vendors' breakers failed")
        return
    if moved:
        k.queue.poke()


async def vendor_held(k: Kernel, vendor_id: str, exc: VendorError) -> None:
    """Skip a vendor until an operator acts, telling the admins the first time (of every
    process and restart: the store says which call held it)."""
    reason = "out of credits" if isinstance(exc, OutOfCredits) else "its API key was refused"
    first = k.breakers.hold(vendor_id, reason)
    try:
        first = await k.store.hold_vendor(vendor_id, reason, k.clock())
    except Exception:  # held here at least; the admins hear of it once from this process
        log.exception("vendor %s: could not keep its hold in the store", vendor_id)
    if not first:
        return
    log.error("vendor %s %s; skipped until an operator acts", vendor_id, reason)
    for admin in k.settings.admin_user_ids:
        user = UserRef.parse(admin)
        tell = getattr(k.sinks.get(user.platform), "tell", None)
        if tell is None:
            continue
        try:
            await tell(user, texts.t("en", "vendor_held", vendor=vendor_id, reason=reason))
        except Exception:
            log.exception("could not tell admin %s about vendor %s", admin, vendor_id)


async def watch_vendors(k: Kernel) -> None:
    """Pump the queue as breakers cool down; try held vendors again once topped up."""
    checked = k.clock()
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        await sync_breakers(k)
        k.queue.pump(force=True)
        if k.clock() - checked < k.settings.video_breaker_cooldown:
            continue
        checked = k.clock()
        for vendor_id in k.breakers.held():
            vendor = k.vendors.get(vendor_id)
            try:
                account = await vendor.account() if vendor is not None else None
            except (VendorError, httpx.HTTPError) as exc:
                log.info("vendor %s still held (%s)", vendor_id, exc)
                continue
            if account is not None and account.credits is not None and account.credits > 0:
                try:
                    await k.store.release_vendor(vendor_id, k.clock())
                except Exception:
                    log.exception("vendor %s: could not lift its hold in the store", vendor_id)
                    continue
                k.breakers.release(vendor_id)
                k.queue.poke()
