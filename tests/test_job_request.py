"""The stored request of a job: one typed record, one way in and out of JSON, and rows
written before it existed still resume as they were asked."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Core
from bot.commands import read
from bot.job_request import request_from_json, request_to_json
from bot.models import JobRequest, JobState, Media, Mode
from bot.service import Incoming
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, wait_until
from tests.test_core_quota import USER, core_with
from tests.test_prompt_words import creates

# A request and a chat exactly as rows were written before the typed records.
LEGACY_REQUEST = {
    "prompt": "a lighthouse from the old days",
    "mode": "text",
    "model": None,
    "duration": 10,
    "ratio": "9:16",
    "seed": 77,
    "watermark": False,
    "body_control": False,
    "vendors": ["runway"],
    "model_shown": "gen4_turbo",
}
LEGACY_CHAT = {"chat_id": 1001, "chat_type": "private", "message_id": 5, "thread_id": None}


def test_the_stored_form_keeps_the_keys_rows_always_had() -> None:
    request = request_from_json(LEGACY_REQUEST)
    assert request == JobRequest(
        "a lighthouse from the old days", Mode.TEXT, model_shown="gen4_turbo", duration=10,
        ratio="9:16", seed=77, vendors=("runway",),
    )  # fmt: skip
    assert request_to_json(request) == LEGACY_REQUEST
    assert request_from_json(request_to_json(request)) == request


def test_an_old_row_with_keys_missing_loads_with_the_old_defaults() -> None:
    request = request_from_json({"prompt": "x", "mode": "image"})
    assert (request.duration, request.ratio, request.seed, request.vendors) == (5, "16:9", None, ())
    assert not request.watermark and not request.body_control and request.model is None
    assert request_from_json({}).mode is Mode.TEXT  # a failed row of the first schema


def test_the_media_join_the_record_only_to_be_submitted() -> None:
    frame = Media(b"jpeg", "image/jpeg")
    request = JobRequest("wave", Mode.IMAGE, seed=3, vendors=("runway",))
    submitted = request.with_media({"first_frame": frame})
    assert (submitted.prompt, submitted.mode, submitted.seed) == ("wave", Mode.IMAGE, 3)
    assert submitted.first_frame is frame and submitted.last_frame is None


@pytest.fixture
async def emu() -> AsyncIterator[RunwayEmulator]:
    async with RunwayEmulator("test-key", run_seconds=0.2) as server:
        yield server  # type: ignore[misc]


async def test_a_job_stored_by_the_earlier_code_is_resumed_as_asked(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    first = await core_with(tmp_path, emu)
    first.engine.launch = lambda job_id: None  # type: ignore[method-assign]
    reply = await first.service.handle(Incoming(USER, read("/video placeholder")))
    assert reply.job is not None
    job_id = reply.job.id
    await first.aclose()  # the process went away with the job reserved
    _rewrite(tmp_path / "videobot.db", job_id, LEGACY_REQUEST, LEGACY_CHAT)

    second: Core = await core_with(tmp_path, emu)
    try:
        loaded = await second.store.get_job(job_id)
        assert loaded is not None and loaded.request == request_from_json(LEGACY_REQUEST)
        assert loaded.chat.to_json() == LEGACY_CHAT  # the adapter's keys, as written
        sink = RecordingSink()
        second.engine.subscribe("test", sink)
        await second.start()
        await wait_until(lambda: bool(sink.delivered))
        (body,) = creates(emu)
        assert (body["promptText"], body["seed"]) == ("a lighthouse from the old days", 77)
        assert (body["ratio"], body["duration"]) == ("720:1280", 10)
        (job, _path, caption) = sink.delivered[0]
        assert "gen4_turbo" in caption and caption.endswith("seed 77")
        assert job.chat.to_json() == LEGACY_CHAT
        done = await second.store.get_job(job_id)
        assert done is not None and done.state is JobState.DELIVERED
    finally:
        await second.aclose()


def _rewrite(path: Path, job_id: str, request: dict[str, Any], chat: dict[str, Any]) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE jobs SET request = ?, chat = ? WHERE id = ?",
            (json.dumps(request), json.dumps(chat), job_id),
        )
