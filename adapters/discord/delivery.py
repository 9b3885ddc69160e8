"""The engine's sink for Discord: status edits (throttled) and the finished video.

Rules it keeps:
- `on_event` never waits on Discord: it records the newest status and wakes one background
  task per job, which edits at most once per `interval` and always ends on the latest state.
- The status message is edited through the interaction webhook while its token is fresh
  (Discord allows 15 minutes; we stop at 14), then through the channel like any bot message.
- The video is posted as a new message that mentions only the requester: as an interaction
  followup while the token is fresh, else as a channel message replying to the status.
- A file over the upload limit (the guild's, or the interaction's) is posted as the vendor
  link with its expiry; without a link that is a permanent failure, which the engine refunds.
- Discord errors become DeliveryError: 429 and 5xx are retried, anything else is permanent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import discord

from adapters.discord.translate import text
from adapters.discord.views import rendering_view, result_view
from bot.events import DeliveryError, EventKind, JobEvent
from bot.models import Job

log = logging.getLogger("videobot.discord")

TOKEN_TTL = 14 * 60  # interaction tokens live 15 minutes; keep a minute for slow uploads
MESSAGE_MAX = 2000
FINISHED_KEEP = 500  # finished statuses remembered, so a late header edit stays final


class NoTarget(Exception):
    """The job's context names no message to edit."""


@dataclass(eq=False)
class Status:
    """What the job's status message should show; rendered by the job's worker task."""

    job_id: str
    requester: str
    locale: str
    chat: dict[str, Any]
    header: str = ""
    line: str = ""
    cancellable: bool = True
    final: bool = False
    failed: bool = False
    version: int = 0
    rendered: int = 0
    last_render: float = field(default=float("-inf"))
    task: asyncio.Task[None] | None = None
    seen: Callable[[], Coroutine[Any, Any, None]] | None = None  # acks a refund notice

    @property
    def content(self) -> str:
        return "\n".join(p for p in (self.header, self.line) if p)[:MESSAGE_MAX]


def mention_only(user_id: str) -> discord.AllowedMentions:
    return discord.AllowedMentions(
        everyone=False, roles=False, replied_user=False, users=[discord.Object(id=int(user_id))]
    )


def delivery_error(exc: discord.HTTPException) -> DeliveryError:
    """429 and 5xx are worth retrying; 403 (no permission), 404 (channel gone) and the
    other 4xx will not get better."""
    status = exc.status
    message = f"Discord answered {status} ({exc.code}): {exc.text[:200]}"
    if status == 429 or status >= 500:
        retry_after = None
        if exc.response is not None:
            with contextlib.suppress(TypeError, ValueError):
                retry_after = float(exc.response.headers.get("Retry-After", ""))
        return DeliveryError(message, retry_after=retry_after)
    return DeliveryError(message, permanent=True)


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
    ) -> None:
        self.client = client
        self.clock = clock
        self.interval = interval
        self._live: dict[str, Status] = {}
        self._finished: OrderedDict[str, Status] = OrderedDict()
        self._closed = False

    # called by the cog

    def started(self, job: Job, header: str) -> None:
        """The command was accepted: show `header` (the core's reply) above the status."""
        status = self._status(job)
        status.header = header
        status.chat.update(job.chat)
        self._kick(status)

    async def aclose(self) -> None:
        self._closed = True
        tasks = [s.task for s in self._live.values() if s.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until every pending status edit was made (for tests and shutdown)."""
        while tasks := [s.task for s in self._live.values() if s.task and not s.task.done()]:
            await asyncio.gather(*tasks, return_exceptions=True)

    # JobSink

    async def on_event(self, event: JobEvent) -> None:
        status = self._status(event.job)
        if status.final:
            return
        status.line = event.text
        status.cancellable = event.kind in (EventKind.ACCEPTED, EventKind.PROGRESS)
        if event.kind in (EventKind.FINISHED, EventKind.FAILED):
            status.final = True
            status.failed = event.kind is EventKind.FAILED
            status.seen = event.seen
        self._kick(status)

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        chat = self._status(job).chat
        if not chat.get("channel_id"):
            raise DeliveryError("the job has no Discord channel", permanent=True)
        size = (await asyncio.to_thread(video.stat)).st_size
        hook = self._webhook(chat)
        limit = self._upload_limit(chat, via_interaction=hook is not None)
        mention = f"<@{job.user.id}>"
        link = self._link_text(job, mention, size)
        try:
            if size <= limit:
                await self._send(chat, f"{mention} {caption}", job, hook, video=video)
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
                    await self._send(chat, link, job, self._webhook(chat))
                    return
                except discord.HTTPException as again:
                    raise delivery_error(again) from again
            raise delivery_error(exc) from exc
        except discord.RateLimited as exc:
            raise DeliveryError("rate limited by Discord", retry_after=exc.retry_after) from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise DeliveryError(f"network error talking to Discord: {exc!r}") from exc

    # status rendering

    def _status(self, job: Job) -> Status:
        status = self._live.get(job.id) or self._finished.get(job.id)
        if status is None:
            chat = dict(job.chat)
            status = Status(
                job_id=job.id,
                requester=job.user.id,
                locale=job.locale,
                chat=chat,
                header=str(chat.get("header") or ""),
            )
            self._live[job.id] = status
        return status

    def _kick(self, status: Status) -> None:
        status.version += 1
        if self._closed:
            return
        if status.task is None or status.task.done():
            status.task = asyncio.create_task(
                self._work(status), name=f"discord-status-{status.job_id[:8]}"
            )

    async def _work(self, status: Status) -> None:
        shown = False
        try:
            while status.rendered < status.version:
                wait = status.last_render + self.interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                version = status.version
                try:
                    shown = await self._render(status)
                except Exception:
                    shown = False
                    log.exception("job %s: status update crashed", status.job_id)
                status.rendered = version
                status.last_render = time.monotonic()
            if status.final and shown and status.seen is not None:
                await status.seen()  # not reached when a stop cuts in: shown after restart
        finally:
            if status.final and self._live.get(status.job_id) is status:
                del self._live[status.job_id]
                self._finished[status.job_id] = status
                while len(self._finished) > FINISHED_KEEP:
                    self._finished.popitem(last=False)

    async def _render(self, status: Status) -> bool:
        """Show the status; True if it is on screen."""
        view = rendering_view(status.job_id, status.locale) if status.cancellable else None
        try:
            await self._edit(status.chat, status.content, view)
            return True
        except NoTarget:
            pass
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("job %s: status edit failed: %s", status.job_id, exc)
        if not status.failed:
            return False
        try:  # a refund must reach the user even when the message is gone
            await self._post(status.chat, f"<@{status.requester}> {status.line}", status)
            return True
        except discord.Forbidden as exc:  # nobody to tell: do not try again at every start
            log.warning("job %s: could not post the failure: %s", status.job_id, exc)
            return True
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("job %s: could not post the failure: %s", status.job_id, exc)
            return False

    async def _edit(self, chat: dict[str, Any], content: str, view: discord.ui.View | None) -> None:
        message_id = chat.get("message_id")
        if not message_id or not chat.get("channel_id"):
            raise NoTarget
        hook = self._webhook(chat)
        if hook is not None:
            try:
                await hook.edit_message(int(message_id), content=content, view=view)
                return
            except discord.HTTPException as exc:
                if exc.status not in (401, 404):
                    raise
        message = self._channel(chat).get_partial_message(int(message_id))
        await message.edit(content=content, view=view)

    async def _post(self, chat: dict[str, Any], content: str, status: Status) -> None:
        await self._channel(chat).send(
            content[:MESSAGE_MAX],
            allowed_mentions=mention_only(status.requester),
            reference=self._reference(chat),
        )

    # delivery

    def _link_text(self, job: Job, mention: str, size: int) -> str | None:
        if not job.result_url:
            return None
        size_mb = f"{size / 1_000_000:.1f}"
        link = text(job.locale, "result_link", size_mb=size_mb, url=job.result_url)
        return f"{mention} {link}"

    async def _send(
        self,
        chat: dict[str, Any],
        content: str,
        job: Job,
        hook: discord.Webhook | None,
        *,
        video: Path | None = None,
    ) -> None:
        content = content[:MESSAGE_MAX]
        mentions = mention_only(job.user.id)
        view = result_view(job.id, job.locale)
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
                if exc.status not in (401, 404):
                    raise
                log.info("job %s: interaction token expired; posting in the channel", job.id)
        channel = self._channel(chat)
        reference = self._reference(chat)
        if video is not None:
            file = discord.File(video, filename=filename)
            await channel.send(
                content, file=file, view=view, allowed_mentions=mentions, reference=reference
            )
        else:
            await channel.send(content, view=view, allowed_mentions=mentions, reference=reference)

    # helpers

    def _webhook(self, chat: dict[str, Any]) -> discord.Webhook | None:
        """The interaction's webhook while its token is still good, else None."""
        app_id, token, created = chat.get("app_id"), chat.get("token"), chat.get("token_at")
        if not app_id or not token or created is None:
            return None
        if self.clock() - float(created) >= TOKEN_TTL:
            return None
        return discord.Webhook.partial(int(app_id), str(token), client=self.client)

    def _channel(self, chat: dict[str, Any]) -> discord.PartialMessageable:
        guild_id = chat.get("guild_id")
        return self.client.get_partial_messageable(
            int(chat["channel_id"]), guild_id=int(guild_id) if guild_id else None
        )

    def _reference(self, chat: dict[str, Any]) -> discord.MessageReference:
        """Reply to the user's `!video` message, or to the status message."""
        target = chat.get("reply_to") or chat.get("message_id")
        if not target:
            missing: discord.MessageReference = discord.utils.MISSING
            return missing
        guild_id = chat.get("guild_id")
        return discord.MessageReference(
            message_id=int(target),
            channel_id=int(chat["channel_id"]),
            guild_id=int(guild_id) if guild_id else None,
            fail_if_not_exists=False,
        )

    def _upload_limit(self, chat: dict[str, Any], *, via_interaction: bool) -> int:
        recorded = chat.get("filesize_limit")
        if via_interaction and recorded:
            return int(recorded)  # what Discord told the interaction it accepts
        guild_id = chat.get("guild_id")
        guild = self.client.get_guild(int(guild_id)) if guild_id else None
        if guild is not None:
            return guild.filesize_limit
        return int(recorded or discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES)
