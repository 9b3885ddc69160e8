"""Kept results in the core: a delivered video stays under the data folder for
RESULT_RETENTION_DAYS and is pruned after; /show sends it again after a restart (owner or
admin only), answers with the link or "no longer kept" past retention; Again on a job
whose photo was pruned is refused before any credit moves. Real local renders (ffmpeg),
SQLite as a file."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from adapters.ops.local_checks import results_check
from bot import results
from bot.bootstrap import Core
from bot.chat import StoredChat
from bot.commands import read
from bot.models import JobState, Media, UserRef
from bot.service import Incoming
from bot.storage.base import JobPatch
from bot.vendors.local import LocalVendor
from tests.helpers import RecordingSink, finished, image_bytes, make_core

ANN = UserRef("test", "1")
BOB = UserRef("test", "2")
ROOT = UserRef("test", "99")
RENDER_WAIT = 120.0


async def started(tmp_path: Path, sink: RecordingSink, **overrides: object) -> Core:
    vendor = LocalVendor(work_dir=tmp_path / "local")
    core = await make_core(tmp_path, vendors=[vendor], admin_user_ids=[str(ROOT)], **overrides)
    core.engine.subscribe("test", sink)
    await core.start()
    return core


async def made(core: Core, text: str, images: list[Media] | None = None) -> str:
    incoming = Incoming(user=ANN, command=read(text), images=images or [])
    reply = await core.service.handle(incoming)
    assert reply.job is not None, reply.text
    assert await finished(core, reply.job.id, RENDER_WAIT) is JobState.DELIVERED
    return reply.job.id


async def show(core: Core, user: UserRef, ref: str) -> tuple[str, bool]:
    reply = await core.service.handle(
        Incoming(user=user, command=read(f"/show {ref}"), chat=StoredChat({"asked": "here"}))
    )
    return reply.text, reply.error


async def test_a_delivered_video_is_kept_shown_after_a_restart_and_pruned_later(
    tmp_path: Path,
) -> None:
    sink = RecordingSink()
    core = await started(tmp_path, sink)
    try:
        job_id = await made(core, "/video a paper boat --seed 7")
    finally:
        await core.aclose()
    kept = results.kept_path(tmp_path / "results", job_id)
    assert kept.is_file()
    (delivered, path, _caption) = sink.delivered[0]
    assert path == kept and delivered.result_path == str(kept)
    row = results_check(core.settings)
    assert "1 video(s)" in row.detail and "kept 7 day(s)" in row.detail

    again = RecordingSink()  # a new process: nothing in memory
    core = await started(tmp_path, again)
    try:
        text, error = await show(core, ANN, job_id[:8])
        assert not error and job_id[:8] in text
        (job, video, caption) = again.delivered[0]
        assert video == kept and job.id == job_id
        assert job.chat.to_json() == {"asked": "here"}  # where it was asked
        assert "a paper boat" in caption and "7" in caption
        assert core.service.result_buttons(job) == ("again", "extend", "upscale")
        # an admin may; a stranger gets what an unknown id gets
        assert not (await show(core, ROOT, job_id[:8]))[1]
        stranger, error = await show(core, BOB, job_id[:8])
        unknown, _ = await show(core, BOB, "abcdef12")
        assert error and stranger == unknown.replace("abcdef12", job_id[:8])
        assert len(again.delivered) == 2
        # past retention: pruned, then "no longer kept" (the link is a day old too)
        old = time.time() - 8 * 86400
        await asyncio.to_thread(os.utime, kept, (old, old))
        assert await results.prune(tmp_path / "results", 7) == 1
        assert not kept.exists()
        gone, error = await show(core, ANN, job_id[:8])
        assert error and "no longer kept" in gone
        # while the vendor's link is still good, the link is the answer
        await core.store.update(job_id, time.time(), JobPatch(result_url="https://cdn.example/v"))
        linked, _ = await show(core, ANN, job_id[:8])
        assert "https://cdn.example/v" in linked
        assert len(again.delivered) == 2
    finally:
        await core.aclose()


async def test_no_retention_keeps_nothing(tmp_path: Path) -> None:
    sink = RecordingSink()
    sink.keep_files = False
    core = await started(tmp_path, sink, result_retention_days=0)
    try:
        job_id = await made(core, "/video a paper boat")
        assert not results.kept_path(tmp_path / "results", job_id).exists()
        text, error = await show(core, ANN, job_id)
        assert error and "no longer kept" in text
    finally:
        await core.aclose()


@pytest.mark.parametrize("pruned", [True, False])
async def test_again_on_a_photo_job_whose_photo_was_pruned_is_refused_before_any_credit_moves(
    tmp_path: Path, pruned: bool
) -> None:
    sink = RecordingSink()
    core = await started(tmp_path, sink)
    try:
        photo = Media(image_bytes(), "image/jpeg", "photo.jpg")
        job_id = await made(core, "/video the photo comes alive", [photo])
        if pruned:
            assert await core.store.prune_media(time.time() + 1) == 1
        before = await core.store.ledger()
        reply = await core.service.again(ANN, job_id, "en", StoredChat({}))
        if pruned:
            assert reply.error and reply.job is None
            assert "no longer kept" in reply.text and "No credits were used" in reply.text
            assert await core.store.ledger() == before
        else:
            assert reply.job is not None, reply.text
            assert await finished(core, reply.job.id, RENDER_WAIT) is JobState.DELIVERED
    finally:
        await core.aclose()
