"""⏩ Extend: a delivered video continued as a new image-to-video job from its last frame,
delivered joined to the original as one video (bot/clips.py, at delivery).

The new job has its own cost, reservation and progress. It keeps the model (else the
vendor's own image-to-video model) and the prompt, unless a new one is given. Who may is
Again's rule (`may_reuse`), and the original must still be kept (bot/results.py): both are
checked before any credit moves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from bot import texts
from bot.chat import ChatAddress
from bot.clips import ClipError, last_frame
from bot.command_types import ExtendCommand, VideoCommand
from bot.errors import InvalidRequest
from bot.job_request import planned_request
from bot.models import Job, JobRequest, JobState, Media, Mode, UserRef
from bot.replies import Incoming, Reply
from bot.results import is_kept
from bot.storage.base import Store
from bot.upscale import may_reuse
from bot.validation import Plan, plan
from bot.vendors.base import VendorClient

log = logging.getLogger("videobot.service")

# VideoService's reserve-and-launch and its refusals-as-replies wrapper, as its mixins see them.
Start = Callable[[UserRef, str, ChatAddress, JobRequest, dict[str, Media]], Awaitable[Reply]]
Guarded = Callable[[UserRef, str, str, Callable[[], Awaitable[Reply]]], Awaitable[Reply]]


def can_extend(job: Job, vendors: list[VendorClient], kept: bool) -> bool:
    """Whether ⏩ Extend may be offered under `job`'s video: its file is kept and a vendor
    makes videos from a photo."""
    return (
        kept
        and bool(job.result_path)
        and job.request.mode is not Mode.UPSCALE
        and any(Mode.IMAGE in v.capabilities.modes() for v in vendors)
    )


async def _source(store: Store, user: UserRef, ref: str, chat: ChatAddress) -> tuple[Job, Path]:
    """The job to extend and its kept video; InvalidRequest says why not."""
    if not ref:
        raise InvalidRequest("extend_which")
    job = await store.find_job(ref)
    usable = job is not None and job.state is JobState.DELIVERED
    if job is None or not usable or not may_reuse(job, user, chat):
        raise InvalidRequest("extend_unknown", id=ref[:12])
    if job.request.mode is Mode.UPSCALE or not await asyncio.to_thread(is_kept, job.result_path):
        raise InvalidRequest("extend_gone", id=job.short_id)
    return job, Path(job.result_path or "")


async def _plan(
    job: Job, prompt: str, frame: Media, vendors: list[VendorClient], locale: str
) -> Plan:
    """The new clip's plan: the same model and length where they take a photo, else the
    vendor's image-to-video model (its length too)."""
    same = job.request
    tries = ((same.model, same.duration), (None, same.duration), (None, None))
    problem: InvalidRequest | None = None
    for model, duration in tries:
        cmd = VideoCommand(prompt=prompt, model=model, duration=duration)
        try:
            return await plan(cmd, vendors, images=[frame], video=None, locale=locale)
        except InvalidRequest as exc:
            problem = problem or exc
    assert problem is not None
    raise problem


async def plan_extend(
    store: Store,
    vendors: list[VendorClient],
    user: UserRef,
    cmd: ExtendCommand,
    chat: ChatAddress,
    locale: str,
) -> tuple[JobRequest, dict[str, Media]]:
    """The request (and its first frame) that continues `cmd.job_ref`'s video for `user`."""
    job, video = await _source(store, user, cmd.job_ref.strip(), chat)
    try:
        frame = Media(await last_frame(video), "image/png", "last-frame.png")
    except ClipError as exc:
        log.warning("job %s: %s", job.id, exc)
        raise InvalidRequest("extend_gone", id=job.short_id) from None
    planned = await _plan(job, cmd.prompt or job.prompt, frame, vendors, locale)
    req = planned.request
    request = planned_request(req, planned.vendors, planned.spec.name)
    media = {"first_frame": req.first_frame} if req.first_frame is not None else {}
    return replace(request, extends=job.id), media


class ExtendCommands:
    """Mixed into VideoService, which provides the store, the vendors, `_start` (reserve and
    launch) and `_guarded` (refusals as replies)."""

    store: Store
    vendors: list[VendorClient]
    _start: Start
    _guarded: Guarded

    async def extend(
        self, user: UserRef, cmd: ExtendCommand, locale: str | None, chat: ChatAddress
    ) -> Reply:
        """⏩ Extend `cmd.job_ref`'s video as a new job paid by `user`."""
        loc = texts.norm_locale(locale)

        async def run() -> Reply:
            request, media = await plan_extend(self.store, self.vendors, user, cmd, chat, loc)
            return await self._start(user, loc, chat, request, media)

        return await self._guarded(user, loc, "extend", run)

    async def extend_job(
        self, user: UserRef, job_id: str, locale: str | None, chat: ChatAddress
    ) -> Reply:
        """The ⏩ Extend button: the video continued with its own prompt."""
        return await self.extend(user, ExtendCommand(job_id), locale, chat)

    async def _extend(self, msg: Incoming, cmd: ExtendCommand, locale: str) -> Reply:
        return await self.extend(msg.user, cmd, locale, msg.chat)
