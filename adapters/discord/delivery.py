"""The engine's sink for Discord: status updates (see `status.py`) and the finished video.

- The video is posted as a new message that mentions only the requester: as an interaction
  followup while the token is fresh, else as a channel message replying to the status.
- A file over the upload limit (the guild's, or the interaction's) is re-encoded to fit
  (bot/fit.py); when even that does not fit, the vendor's link is posted; without a link
  that is a permanent failure, which the engine refunds.
- Discord errors become DeliveryError: 429 and 5xx are retried, anything else is permanent.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import discord

from adapters.discord.chat import DiscordChat
from adapters.discord.status import StatusBoard
from adapters.discord.targets import MESSAGE_MAX, TOKEN_GONE, Targets, delivery_error, mention_only
from adapters.discord.translate import text
from adapters.discord.views import result_view
from bot import fit
from bot.events import DeliveryError, JobEvent
from bot.models import Job

log = logging.getLogger("videobot.discord")


class DiscordSink:
    """Implements `bot.events.JobSink` for the users of platform `discord`."""

    keep_files = False
    acks_notices = True  # a refund notice is acknowledged once it is on screen

    def __init__(
        self,
        client: discord.Client,
        *,
        clock: Callable[[], float] = time.time,
        interval: float = 3.0,
        result_buttons: Callable[[Job, bool], tuple[str, ...]] = lambda job, kept: ("again",),
        work_dir: Path | None = None,
    ) -> None:
        self.work_dir = work_dir or Path(tempfile.gettempdir())  # re-encodes to fit the limit
        self.result_buttons = result_buttons  # the actions under a video (again, upscale)
        self.targets = Targets(client, clock)
        self.board = StatusBoard(self.targets, interval=interval)

    # called by the command handlers

    def started(self, job: Job, header: str) -> None:
        """The command was accepted: show `header` (the core's reply) above the status."""
        self.board.started(job, header)

    async def aclose(self) -> None:
        await self.board.aclose()

    async def idle(self) -> None:
        """Wait until every pending status edit was made (for tests and shutdown)."""
        await self.board.idle()

    # JobSink

    async def on_event(self, event: JobEvent) -> None:
        self.board.update(event)

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        await self._deliver_to(self.board.status(job).chat, job, video, caption)

    async def show(self, job: Job, video: Path, caption: str) -> None:
        """/show: the same delivery, to the chat where it was asked (not the job's status)."""
        await self._deliver_to(DiscordChat.of(job.chat), job, video, caption)

    async def _deliver_to(self, chat: DiscordChat, job: Job, video: Path, caption: str) -> None:
        if not chat.channel_id:
            raise DeliveryError("the job has no Discord channel", permanent=True)
        hook = self.targets.webhook(chat)
        limit = self.targets.upload_limit(chat, via_interaction=hook is not None)
        async with fit.within(video, limit, self.work_dir) as sendable:
            if sendable is not None and sendable != video:
                caption += fit.compressed_note(job.locale, job.short_id)
            await self._post(chat, job, video, sendable, caption, hook, limit)

    async def _post(
        self,
        chat: DiscordChat,
        job: Job,
        video: Path,
        sendable: Path | None,
        caption: str,
        hook: discord.Webhook | None,
        limit: int,
    ) -> None:
        """Post `sendable` (the video as it fits), or the link when nothing fits."""
        size = (await asyncio.to_thread(video.stat)).st_size
        mention = f"<@{job.user.id}>"
        link = self._link_text(job, mention, size)
        try:
            if sendable is not None:
                await self._send(chat, f"{mention} {caption}", job, hook, video=sendable)
            elif link is not None:
                await self._send(chat, link, job, hook)
            else:
                raise DeliveryError(
                    f"the video ({size} bytes) is over this channel's upload limit ({limit}) "
                    "and the vendor gave no link",
                    permanent=True,
                )
        except discord.HTTPException as exc:
            if exc.status == 413 and link is not None:  # the limit changed under us
                try:
                    await self._send(chat, link, job, self.targets.webhook(chat))
                    return
                except discord.HTTPException as again:
                    raise delivery_error(again) from again
            raise delivery_error(exc) from exc
        except discord.RateLimited as exc:
            raise DeliveryError("rate limited by Discord", retry_after=exc.retry_after) from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise DeliveryError(f"network error talking to Discord: {exc!r}") from exc

    def _link_text(self, job: Job, mention: str, size: int) -> str | None:
        if not job.result_url:
            return None
        size_mb = f"{size / 1_000_000:.1f}"
        link = text(job.locale, "result_link", size_mb=size_mb, url=job.result_url)
        return f"{mention} {link}"

    async def _send(
        self,
        chat: DiscordChat,
        content: str,
        job: Job,
        hook: discord.Webhook | None,
        *,
        video: Path | None = None,
    ) -> None:
        content = content[:MESSAGE_MAX]
        mentions = mention_only(job.user.id)
        view = result_view(job.id, job.locale, self.result_buttons(job, self.keep_files))
        filename = f"{job.short_id}.mp4"
        if hook is not None:
            try:
                if video is not None:
                    file = discord.File(video, filename=filename)
                    await hook.send(
                        content, file=file, view=view, allowed_mentions=mentions, wait=True
                    )
                else:
                    await hook.send(content, view=view, allowed_mentions=mentions, wait=True)
                return
            except discord.HTTPException as exc:
                if exc.status not in TOKEN_GONE:
                    raise
                log.info("job %s: interaction token expired; posting in the channel", job.id)
        channel = self.targets.channel(chat)
        reference = self.targets.reference(chat)
        if video is not None:
            file = discord.File(video, filename=filename)
            await channel.send(
                content, file=file, view=view, allowed_mentions=mentions, reference=reference
            )
        else:
            await channel.send(content, view=view, allowed_mentions=mentions, reference=reference)
