"""What can be done with a delivered video: ↻ Again, ⤴ Upscale, and which buttons to offer.

A mixin of VideoService, so the service module stays about commands' dispatch and reservation.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from bot import texts
from bot.chat import ChatAddress
from bot.config import Settings
from bot.extend import Guarded, Start, can_extend
from bot.models import Job, Mode, UserRef
from bot.replies import Reply
from bot.storage.base import Store
from bot.upscale import can_upscale, may_reuse, plan_upscale
from bot.vendors.base import VendorClient


class ResultActions:
    settings: Settings
    store: Store
    vendors: list[VendorClient]
    clock: Callable[[], float]

    _start: Start
    _guarded: Guarded

    async def again(
        self, user: UserRef, job_id: str, locale: str | None, chat: ChatAddress
    ) -> Reply:
        """The same request as `job_id` with a new seed, paid by `user`. A job's media is
        reused only for its owner or in the chat it was posted in: a button id forged in
        another chat gets the same answer as an unknown job."""
        loc = texts.norm_locale(locale)

        async def run() -> Reply:
            old = await self.store.get_job(job_id)
            if old is None or not may_reuse(old, user, chat) or old.request.mode is Mode.UPSCALE:
                return Reply(texts.t(loc, "again_unavailable"), error=True)
            media = await self.store.media(job_id)
            if old.request.mode is not Mode.TEXT and not media:  # pruned: refuse before paying
                return Reply(texts.t(loc, "again_inputs_gone", id=old.short_id), error=True)
            request = replace(old.request, seed=random.randint(1, 4_294_967_294))
            return await self._start(user, loc, chat, request, media)

        return await self._guarded(user, loc, "again", run)

    async def upscale(
        self, user: UserRef, job_ref: str, locale: str | None, chat: ChatAddress
    ) -> Reply:
        """⤴ Upscale the video of `job_ref` (an id or its prefix; empty: the user's latest)
        as a new job paid by `user`; who may is Again's rule (bot.upscale)."""
        loc = texts.norm_locale(locale)

        async def run() -> Reply:
            now = self.clock()
            request = await plan_upscale(self.store, self.vendors, user, job_ref, chat, now)
            return await self._start(user, loc, chat, request, {})

        return await self._guarded(user, loc, "upscale", run)

    def result_buttons(self, job: Job, kept: bool = False) -> tuple[str, ...]:
        """What may be done with a video as it is delivered: again; extend (kept, and a vendor
        animates photos); upscale (a vendor can read it). None under an upscale."""
        if job.request.mode is Mode.UPSCALE:
            return ()
        kept = kept or self.settings.result_retention_days > 0
        extend = ("extend",) if can_extend(job, self.vendors, kept) else ()
        return ("again", *extend, *(("upscale",) if can_upscale(job, self.vendors, kept) else ()))
