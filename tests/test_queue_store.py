"""The queue's state in the store, on every backend: a reserve puts the job in the bot's
queue, leaving it records when it went to a vendor, and render times keep the newest few of
each vendor and model."""

from __future__ import annotations

from bot.models import JobState
from bot.storage import Store
from bot.storage.base import JobPatch
from bot.storage.render_types import RenderSample
from tests.postgres import BACKENDS
from tests.test_core_store_access import USER
from tests.test_core_store_backends import POLICY, job_of


@BACKENDS
async def test_a_reserved_job_waits_in_the_queue_until_it_is_submitted(store: Store) -> None:
    reserved = await store.reserve(job_of(USER, 1), POLICY, 1.0)
    job_id = f"{1:032x}"
    stored = await store.get_job(job_id)
    assert stored is not None
    assert (reserved.state, stored.state, stored.submitted_at) == (
        JobState.QUEUED, JobState.QUEUED, None,
    )  # fmt: skip
    assert [j.id for j in await store.active_jobs()] == [job_id]
    assert (await store.balance(USER, POLICY.day)).active == 1  # counts against the limit

    patch = JobPatch(vendor="runway", submitted_at=2.5, deadline_at=902.5)
    assert await store.transition(job_id, (JobState.QUEUED,), JobState.SUBMITTING, 2.5, patch)
    assert not await store.transition(job_id, (JobState.QUEUED,), JobState.SUBMITTING, 3.0)
    sent = await store.get_job(job_id)
    assert sent is not None
    assert (sent.state, sent.submitted_at, sent.deadline_at) == (JobState.SUBMITTING, 2.5, 902.5)

    back = JobPatch(vendor=None, submitted_at=None)  # refused there: back in line
    assert await store.transition(job_id, (JobState.SUBMITTING,), JobState.QUEUED, 4.0, back)
    again = await store.get_job(job_id)
    assert again is not None and (again.state, again.submitted_at) == (JobState.QUEUED, None)


@BACKENDS
async def test_render_times_keep_the_newest_of_each_vendor_and_model(store: Store) -> None:
    for n in range(5):
        await store.record_render(RenderSample("runway", "gen4_turbo", 10.0 + n, 100.0 + n), 3)
    await store.record_render(RenderSample("runway", "gen4.5", 60.0, 50.0), 3)
    await store.record_render(RenderSample("local", "gen4_turbo", 1.5, 200.0), 3)

    history = await store.render_history(3)
    assert history == [
        RenderSample("runway", "gen4.5", 60.0, 50.0),
        RenderSample("runway", "gen4_turbo", 12.0, 102.0),
        RenderSample("runway", "gen4_turbo", 13.0, 103.0),
        RenderSample("runway", "gen4_turbo", 14.0, 104.0),
        RenderSample("local", "gen4_turbo", 1.5, 200.0),
    ]  # oldest first; the two oldest gen4_turbo samples at runway are gone
    assert await store.render_history(1) == [
        RenderSample("runway", "gen4.5", 60.0, 50.0),
        RenderSample("runway", "gen4_turbo", 14.0, 104.0),
        RenderSample("local", "gen4_turbo", 1.5, 200.0),
    ]
