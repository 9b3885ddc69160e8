"""⤴ Upscale: a finished video made larger by a vendor that serves upscaling, as a new job.

The input is the job's result while it can still be read: the vendor's result URL (Runway
keeps outputs 24 to 48 hours, so a URL older than a day is not offered) or the file a
platform kept (the console keeps its videos). Who may upscale a job follows Again's rule
(`may_reuse`). Everything here is checked before any credit moves.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.chat import ChatAddress
from bot.errors import InvalidRequest
from bot.models import Job, JobRequest, JobState, Mode, UserRef
from bot.storage.base import Store
from bot.vendors.base import VendorClient

RESULT_URL_LIFETIME = 24 * 3600.0  # seconds after a job's creation its result URL is trusted


def may_reuse(job: Job | None, user: UserRef, chat: ChatAddress) -> bool:
    """Whether `user`, in `chat`, may build on `job` (↻ Again, ⤴ Upscale): its owner, or
    anyone in the chat it was posted in. A job id forged elsewhere is as good as unknown."""
    return job is not None and (job.user == user or chat.same_place(job.chat))


def upscalers(vendors: list[VendorClient]) -> list[VendorClient]:
    """The configured vendors that serve upscaling, in order of preference."""
    return [v for v in vendors if v.upscaler]


async def sources(job: Job, now: float) -> list[str]:
    """Where the delivered video of `job` can still be read, the vendor's URL first."""
    if job.state is not JobState.DELIVERED:
        return []
    found = []
    if job.result_url and now - job.created_at < RESULT_URL_LIFETIME:
        found.append(job.result_url)
    if job.result_path:
        kept = await asyncio.to_thread(_file_uri, Path(job.result_path))
        if kept is not None:
            found.append(kept)
    return found


def _file_uri(path: Path) -> str | None:
    return path.resolve().as_uri() if path.is_file() else None


def can_upscale(job: Job, vendors: list[VendorClient], kept: bool) -> bool:
    """Whether a vendor could upscale `job`'s video just delivered (`kept`: the platform
    keeps the file), so a button offering it is not a dead end."""
    found = [job.result_url] if job.result_url else []
    if kept and job.result_path:
        found.append(Path(job.result_path).absolute().as_uri())
    return any(v.upscales(s) for v in upscalers(vendors) for s in found)


async def _find(store: Store, user: UserRef, job_ref: str) -> Job | None:
    """The job named by `job_ref` (an id or its prefix); without one, the user's latest
    delivered video."""
    if job_ref:
        return await store.find_job(job_ref)
    latest = [j for j in await store.user_jobs(user, 20) if j.state is JobState.DELIVERED]
    if not latest:
        raise InvalidRequest("upscale_which")
    return latest[0]


async def plan_upscale(
    store: Store,
    vendors: list[VendorClient],
    user: UserRef,
    job_ref: str,
    chat: ChatAddress,
    now: float,
) -> JobRequest:
    """The request that upscales `job_ref`'s video for `user`; InvalidRequest says why not."""
    offered = upscalers(vendors)
    if not offered:
        raise InvalidRequest("upscale_unavailable")
    job = await _find(store, user, job_ref.strip())
    if job is None or not may_reuse(job, user, chat):
        raise InvalidRequest("upscale_unknown", id=job_ref.strip()[:12])
    found = await sources(job, now)
    picked = next(((v, s) for v in offered for s in found if v.upscales(s)), None)
    if picked is None:
        raise InvalidRequest("upscale_gone", id=job.short_id)
    vendor, source = picked
    model = vendor.upscaler or ""
    return JobRequest(
        prompt=job.prompt,  # shown in the replies; an upscale sends no prompt
        mode=Mode.UPSCALE,
        model=model,
        model_shown=model,
        duration=job.request.duration,
        ratio=job.request.ratio,
        vendors=tuple(v.id for v in offered if v.upscales(source)),
        source_url=source,
    )
