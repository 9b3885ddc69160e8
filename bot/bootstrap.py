"""Builds the core from settings: store, vendor clients, engine and service, in one place."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot import results
from bot.admin_notices import AdminNotices
from bot.balance_watch import BalanceWatch
from bot.blocklist import BlocklistError, PromptScreen
from bot.config import Settings
from bot.jobs import JobEngine
from bot.service import VideoService
from bot.settings_keys import CORE_KEYS, SettingKey
from bot.settings_live import LiveSettings, vendor_order
from bot.spend_cap import SpendCap
from bot.storage import open_store
from bot.storage.base import Store
from bot.storage.errors import StoreUnavailable
from bot.vendors import VENDORS
from bot.vendors.base import VendorClient
from bot.vendors.local import LocalVendor

MEDIA_RETENTION = 7 * 86400  # keep request media this long after a job ends, for "Again"
STORE_WATCH_SECONDS = 2.0  # how often the running bot checks its database file is still there

log = logging.getLogger("videobot")


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the variable to fix."""


def build_vendors(settings: Settings) -> list[VendorClient]:
    """One client (with its own shared HTTP client) per vendor in VIDEO_VENDORS, in order."""
    vendors: list[VendorClient] = []
    for vendor_id in settings.video_vendors:
        cls = VENDORS.get(vendor_id)
        if cls is None:
            raise ConfigError(f"VIDEO_VENDORS names {vendor_id!r}, which this build lacks")
        conf = settings.vendor(vendor_id)
        if cls is LocalVendor:
            vendors.append(LocalVendor(work_dir=settings.work_dir / "local"))
            continue
        if cls.needs_key and not conf.api_key:
            var = vendor_id.upper().replace("-", "_") + "_API_KEY"
            raise ConfigError(f"VIDEO_VENDORS includes {vendor_id} but {var} is not set")
        vendors.append(cls(api_key=conf.api_key, base_url=conf.base_url))
    return vendors


@dataclass
class Core:
    settings: Settings
    store: Store
    vendors: list[VendorClient]
    engine: JobEngine
    service: VideoService
    notices: AdminNotices  # the adapters register how they message an admin privately
    _balances: BalanceWatch | None = field(default=None, init=False, repr=False)

    async def start(self) -> None:
        await self.store.prune_media(time.time() - MEDIA_RETENTION)
        await self.engine.start()
        settings = self.settings
        self.engine.spawn(
            results.prune_forever(settings.results_dir, settings.result_retention_days),
            "prune-results",
        )
        self.engine.spawn(self.service.live.watch(), "settings-watch")

    async def watch_store(self, every: float = STORE_WATCH_SECONDS) -> None:
        """Run while the database file is the one opened; once it was deleted or replaced,
        log an error and raise StoreUnavailable, so that the bot stops rather than keep
        writing jobs and credits where no restart will find them."""
        while True:
            problem = self.store.unavailable()
            if problem is not None:
                log.error("database %s; stopping", problem)
                raise StoreUnavailable(problem)
            await asyncio.sleep(every)

    def balance_watch(self) -> BalanceWatch:
        """The vendors' balances against VENDOR_BALANCE_ALERT, told to the admins; one per
        core, so the metrics read the balances its last check saw."""
        if self._balances is None:
            self._balances = BalanceWatch(
                self.settings.vendor_balance_alert, self.store, self.vendors, self.notices,
                self.engine.clock,
            )  # fmt: skip
        return self._balances

    async def watch_balances(self) -> None:
        """Check the vendors' balances every 10 minutes until cancelled."""
        await self.balance_watch().run()

    async def aclose(self) -> None:
        await self.engine.stop()
        for vendor in self.engine.vendors.values():  # those /settings took out of `vendors` too
            await vendor.aclose()
        await self.store.close()


async def build_core(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.time,
    vendors: list[VendorClient] | None = None,
    keys: Sequence[SettingKey] = CORE_KEYS,
) -> Core:
    """Open the database and build every part; call `start()` once adapters subscribed.
    `keys` are the settings admins may change at run time (the adapters add theirs)."""
    vendors = vendors if vendors is not None else build_vendors(settings)
    try:  # before the database: a wrong file is a start-up error, like a wrong setting
        screen = PromptScreen(settings.prompt_blocklist)
    except BlocklistError as exc:
        raise ConfigError(str(exc)) from None
    store = await open_store(settings.database_url)
    engine = JobEngine(settings, store, {v.id: v for v in vendors}, clock=clock)
    notices = AdminNotices(settings.admin_user_ids)
    cap = SpendCap(settings, store, notices, clock)
    live = LiveSettings(store, keys, [settings])
    live.on_change(vendor_order(settings, vendors))
    live.on_change(lambda: engine.queue.pump(force=True))  # a higher MAX_JOBS_PER_USER frees
    await live.refresh()  # the database's values from the start
    service = VideoService(
        settings, store, engine, vendors, clock=clock, spend_cap=cap, live=live, screen=screen
    )
    return Core(settings, store, vendors, engine, service, notices)
