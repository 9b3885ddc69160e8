"""Every BALANCE_CHECK_SECONDS, each vendor's balance: below its VENDOR_BALANCE_ALERT
threshold, or answered with out-of-credits, the admins are told once; once more when it
recovers. The alert's state is in the store, so a restart (or a second process) neither
repeats nor forgets it. A vendor without a balance call is only watched for out-of-credits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.admin_notices import AdminNotices
from bot.errors import OutOfCredits, VendorError
from bot.storage.base import Store
from bot.vendors.base import VendorClient

BALANCE_CHECK_SECONDS = 600.0
log = logging.getLogger("videobot.balance")


def alert_name(vendor_id: str) -> str:
    return f"balance:{vendor_id}"


class BalanceWatch:
    def __init__(
        self,
        thresholds: dict[str, float],
        store: Store,
        vendors: list[VendorClient],
        notices: AdminNotices,
        clock: Callable[[], float],
    ) -> None:
        self.thresholds = thresholds
        self.store = store
        self.vendors = vendors
        self.notices = notices
        self.clock = clock
        self.readings: dict[str, float] = {}  # vendor -> its last balance, for the metrics

    async def run(self, every: float = BALANCE_CHECK_SECONDS) -> None:
        """Check now and every `every` seconds, until cancelled; a failed check is logged."""
        while True:
            try:
                await self.check()
            except Exception:
                log.exception("balance check failed")
            await asyncio.sleep(every)

    async def check(self) -> None:
        for vendor in self.vendors:
            await self.check_vendor(vendor)

    async def check_vendor(self, vendor: VendorClient) -> None:
        threshold = self.thresholds.get(vendor.id)
        try:
            account = await vendor.account()
        except OutOfCredits:
            await self._low(vendor.id, None, threshold)
            return
        except VendorError as exc:  # unreachable, key refused: says nothing of the balance
            log.warning("balance of %s not read: %s", vendor.id, exc)
            return
        credits = account.credits if account is not None else None
        if credits is None:
            return  # no balance call: nothing to compare
        log.info("balance of %s: %s", vendor.id, credits)
        self.readings[vendor.id] = credits
        if threshold is not None and credits < threshold:
            await self._low(vendor.id, credits, threshold)
        elif await self.store.set_alert(alert_name(vendor.id), False, self.clock()):
            await self.notices.notify("notice_balance_ok", vendor=vendor.id, balance=credits)

    async def _low(self, vendor_id: str, credits: float | None, threshold: float | None) -> None:
        if not await self.store.set_alert(alert_name(vendor_id), True, self.clock()):
            return  # already announced
        if credits is None:
            await self.notices.notify("notice_balance_out", vendor=vendor_id)
        else:
            await self.notices.notify(
                "notice_balance_low", vendor=vendor_id, balance=credits, threshold=threshold
            )
