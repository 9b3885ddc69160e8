"""DAILY_SPEND_LIMIT: once the jobs settled this UTC day cost the operator that much money,
new jobs are refused, before any credit moves, until midnight UTC; the admins are told once
a day (the alert is in the store, so every process and a restart agree).

The day's spend is that of settled jobs: jobs still rendering when the cap is reached
finish, so a day can end a few videos above it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot import texts
from bot.admin_notices import AdminNotices
from bot.config import Settings
from bot.errors import QuotaError
from bot.replies import seconds_to_midnight, utc_day
from bot.spend import spend_total, usd
from bot.storage.base import Store

log = logging.getLogger("videobot.spend")


class SpendCap:
    def __init__(
        self, settings: Settings, store: Store, notices: AdminNotices, clock: Callable[[], float]
    ) -> None:
        self.settings = settings
        self.store = store
        self.notices = notices
        self.clock = clock

    async def check(self, now: float) -> None:
        """Raise QuotaError("err_spend_cap") once today's spend has reached the cap."""
        limit = self.settings.daily_spend_limit
        if limit is None:
            return
        spent = await spend_total(self.store, now - (86400 - seconds_to_midnight(now)))
        if spent < limit:
            return
        if await self.store.set_alert(f"spend_cap:{utc_day(now)}", True, now):
            reset = texts.duration_text(seconds_to_midnight(now), "en")
            await self.notices.notify(
                "notice_spend_cap", spent=usd(spent), limit=usd(limit), reset=reset
            )
        raise QuotaError("err_spend_cap")
