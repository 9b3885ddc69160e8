"""Handing a downloaded video to the adapter of the job's platform, and charging for it.

- Delivery is at most once: `attempt` marks a hand-over in flight, and a job found with
  one after a restart is refunded rather than sent again, since chat platforms offer no
  way to ask whether the video arrived.
- Charged only once the adapter has delivered the video; a job past its deadline before
  the hand-over is refunded instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from bot import clips, results, texts
from bot.clips import ClipError
from bot.events import DeliveryError, EventKind, JobSink
from bot.jobs.events import emit
from bot.jobs.kernel import Kernel, log
from bot.jobs.settle import fail, timeout
from bot.jobs.spending import spend_patch
from bot.models import Job, JobState
from bot.storage.base import JobPatch

DELIVERY_RETRIES = 5


def caption_for(job: Job) -> str:
    """The caption sent with the video."""
    opts = job.request
    seed = opts.seed
    return texts.t(
        job.locale,
        "caption",
        prompt=job.prompt[:700],
        model=opts.model_shown or opts.model or "",
        duration=opts.duration,
        seed="random" if seed is None else seed,
    )


async def deliver(k: Kernel, job: Job) -> None:
    """Deliver a DELIVERING job, then charge it; refund when it cannot be delivered."""
    if job.attempt:
        # `attempt` marks a hand-over in flight (set before, cleared after a known
        # failure). An earlier process died during one: the video may have reached the
        # user, and chat platforms offer no way to ask. Sending it again could deliver it
        # twice (the chaos run caught this after a SIGKILL), so at most once it is:
        # refund, and the user is told.
        log.error(
            "job %s: the process stopped while handing the video to the %s adapter; it "
            "may have arrived. Refunding rather than risking a second copy",
            job.id, job.user.platform,
        )  # fmt: skip
        await fail(k, job, "delivery_unknown", "failed_delivery")
        return
    path = Path(job.result_path or "")
    if not job.result_path or not await asyncio.to_thread(path.exists):
        log.warning("job %s: downloaded file is gone; fetching it again", job.id)
        await k.store.transition(job.id, (JobState.DELIVERING,), JobState.RUNNING, k.clock())
        return
    sink = k.sinks.get(job.user.platform)
    while sink is None:
        log.warning("job %s: no %s adapter running; waiting to deliver", job.id, job.user.platform)
        await asyncio.sleep(30)
        sink = k.sinks.get(job.user.platform)
    await emit(k, EventKind.DELIVERING, job, texts.t(job.locale, "status_delivering"), 1.0)
    keeping = k.settings.result_retention_days > 0
    if job.request.extends:
        path = await _joined(k, job, path, keeping)
    if keeping:
        path = await _keep(k, job, path)
    if not await _hand_over(k, job, sink, path, caption_for(job)):
        return
    await _charge(k, job)
    if not keeping and not getattr(sink, "keep_files", False):
        with contextlib.suppress(OSError):
            await asyncio.to_thread(path.unlink)


async def _joined(k: Kernel, job: Job, clip: Path, keeping: bool) -> Path:
    """⏩ Extend: the video it continues, then `clip`, as one video (bot/clips.py). Written
    where it is kept, so a restart finds it joined and does not join it again; the clip
    alone when the original is gone or ffmpeg fails (the user still gets what was paid for)."""
    out = k.settings.results_dir / f"{job.id}.mp4" if keeping else clip.with_suffix(".joined.mp4")
    if clip == out or clip.name.endswith(".joined.mp4"):  # joined before a restart
        return clip
    source = await k.store.get_job(job.request.extends or "")
    first = Path(source.result_path) if source is not None and source.result_path else None
    if first is None or not await asyncio.to_thread(first.is_file):
        log.warning("job %s: the video it extends is gone; delivering the new clip", job.id)
        return clip
    try:
        await asyncio.to_thread(out.parent.mkdir, parents=True, exist_ok=True)
        await clips.join(first, clip, out)
    except (ClipError, OSError) as exc:
        log.error("job %s: cannot join the clips (%s); delivering the new clip", job.id, exc)
        return clip
    await k.store.update(job.id, k.clock(), JobPatch(result_path=str(out)))
    job.result_path = str(out)
    if clip.parent == k.videos_dir:  # our download, now inside the joined video
        with contextlib.suppress(OSError):
            await asyncio.to_thread(clip.unlink)
    return out


async def _keep(k: Kernel, job: Job, path: Path) -> Path:
    """Move the result into the kept results before it is handed over, so the path the
    console prints and /show reads is the one that stays (bot/results.py)."""
    kept = await results.keep(path, k.settings.results_dir, job.id)
    if kept is None or kept == path:
        return path
    await k.store.update(job.id, k.clock(), JobPatch(result_path=str(kept)))
    job.result_path = str(kept)
    return kept


async def _hand_over(k: Kernel, job: Job, sink: JobSink, path: Path, caption: str) -> bool:
    """Send the video, retrying known failures; False when the job was refunded instead."""
    for attempt in range(DELIVERY_RETRIES + 1):
        if k.clock() >= job.deadline_at:  # not handed over, so not charged: refund
            await timeout(k, job)
            return False
        await k.store.update(job.id, k.clock(), JobPatch(attempt=attempt + 1))
        try:
            await sink.deliver(job, path, caption)
            return True
        except asyncio.CancelledError:  # stopping: the upload was most likely cut off
            with contextlib.suppress(Exception):
                await asyncio.shield(k.store.update(job.id, k.clock(), JobPatch(attempt=0)))
            raise
        except DeliveryError as exc:
            await k.store.update(job.id, k.clock(), JobPatch(attempt=0))  # known: not sent
            if exc.permanent or attempt == DELIVERY_RETRIES:
                log.error("job %s: delivery failed for good: %s", job.id, exc)
                await fail(k, job, "delivery", "failed_delivery")
                return False
            wait = exc.retry_after if exc.retry_after is not None else k.backoff(attempt + 1, 2.0)
            log.warning("job %s: delivery failed (%s); retrying in %.0fs", job.id, exc, wait)
            await asyncio.sleep(wait)
        except Exception:
            await k.store.update(job.id, k.clock(), JobPatch(attempt=0))
            if attempt == DELIVERY_RETRIES:
                log.exception("job %s: delivery crashed", job.id)
                await fail(k, job, "delivery", "failed_delivery")
                return False
            log.exception("job %s: delivery crashed; retrying", job.id)
            await asyncio.sleep(k.backoff(attempt + 1, 2.0))
    return True  # unreachable: the last attempt returns


async def _charge(k: Kernel, job: Job) -> None:
    """Settle a delivered job as charged, unless an operator refunded it meanwhile."""
    if await k.store.settle(
        job.id,
        charge=True,
        state=JobState.DELIVERED,
        now=k.clock(),
        patch=spend_patch(k, job, JobPatch(delivered_at=k.clock()), delivered=True),
    ):
        job.state = JobState.DELIVERED
        log.info(
            "job %s delivered user=%s vendor=%s task=%s charged=%d",
            job.id, job.user, job.vendor, job.vendor_task_id, job.cost,
        )  # fmt: skip
        await emit(k, EventKind.FINISHED, job, texts.t(job.locale, "status_done"), 1.0)
    else:
        # `videobot refund` settled it during the hand-over: the user has the video and
        # keeps the credits. A "stopped by an operator" notice would now be wrong.
        log.warning(
            "job %s was refunded by an operator while its video was handed over; the user "
            "has it free", job.id,
        )  # fmt: skip
        await k.store.update(job.id, k.clock(), JobPatch(notice=None))
