"""/show: a past video sent again, with its caption and buttons, in the chat where asked.

Only the job's owner, a user linked to it (one account across platforms) or an admin
may; anyone else gets the answer an unknown id gets, so
ids cannot be probed. The kept file (bot/results.py) is sent through the adapter's own
delivery (which fits it to the upload limit); past retention, the vendor's link while it
is still good, else a plain "no longer kept".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot import texts
from bot.chat import ChatAddress
from bot.command_types import ShowCommand
from bot.config import Settings
from bot.events import DeliveryError
from bot.jobs import JobEngine
from bot.jobs.deliver import caption_for
from bot.models import Job, JobState, UserRef
from bot.replies import Incoming, Reply
from bot.results import is_kept
from bot.storage.base import Store
from bot.upscale import RESULT_URL_LIFETIME

log = logging.getLogger("videobot.service")


class ShowCommands:
    """Mixed into VideoService, which provides the settings, store, engine and clock."""

    settings: Settings
    store: Store
    engine: JobEngine
    clock: Callable[[], float]

    async def show(
        self, user: UserRef, job_ref: str, locale: str | None, chat: ChatAddress
    ) -> Reply:
        """Send the video of `job_ref` (an id or its prefix) again to `chat`."""
        loc = texts.norm_locale(locale)
        ref = job_ref.strip()
        if not ref:
            return Reply(texts.t(loc, "show_which"), error=True)
        job = await self._find_shown(user, ref)
        if job is None or job.state is not JobState.DELIVERED:
            return Reply(texts.t(loc, "show_unknown", id=ref[:12]), error=True)
        if await asyncio.to_thread(is_kept, job.result_path):
            # The asker's chat and platform: an admin may ask elsewhere than the owner.
            again = replace(job, user=user, chat=chat, locale=loc)
            try:
                await self.engine.show(again, Path(job.result_path or ""), caption_for(again))
            except DeliveryError as exc:
                log.warning("job %s: /show could not send the video: %s", job.id, exc)
                return Reply(texts.t(loc, "internal_error"), error=True)
            return Reply(texts.t(loc, "show_sent", id=job.short_id))
        if job.result_url and self.clock() - job.created_at < RESULT_URL_LIFETIME:
            return Reply(texts.t(loc, "show_link", id=job.short_id, url=job.result_url))
        days = f"{self.settings.result_retention_days:g}"
        return Reply(texts.t(loc, "show_gone", id=job.short_id, days=days), error=True)

    async def _find_shown(self, user: UserRef, ref: str) -> Job | None:
        """The job of `ref` that `user` may see: any for an admin, else one of a user of
        its account (its own, or a linked one's on another platform)."""
        if self.settings.is_admin(user):
            return await self.store.find_job(ref)
        found = [
            job
            for member in await self.store.linked_users(str(user))
            if (job := await self.store.find_job(ref, UserRef.parse(member))) is not None
        ]
        return found[0] if len(found) == 1 else None

    async def _show(self, msg: Incoming, cmd: ShowCommand, locale: str) -> Reply:
        return await self.show(msg.user, cmd.job_ref, locale, msg.chat)
