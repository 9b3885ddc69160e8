"""A model the account may not use: Runway answers 403 naming the model and the tier.

Through the real service, engine, SQLite store and clients, against the Runway emulator (and
openai-hk's as the second vendor): the job goes on to the next vendor that serves the model,
or is refunded with that reason; from then on routing skips the vendor for that model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import Core
from bot.commands import read
from bot.errors import AuthError, BadRequest, ModelUnavailable
from bot.events import EventKind
from bot.models import JobState, Media, Mode, UserRef, VideoRequest
from bot.service import Incoming
from bot.vendors.apiframe import ApiframeClient
from bot.vendors.model_access import model_refusal
from bot.vendors.runway import OpenAIHKClient, RunwayClient
from tests.emulators.apiframe import ApiframeEmulator
from tests.emulators.base import Fault
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, finished, image_bytes, make_core

USER = UserRef("test", "1")
PHOTO = [Media(image_bytes((64, 36)), "image/jpeg")]


async def ask(core: Core, text: str) -> object:
    return await core.service.handle(Incoming(user=USER, command=read(text), images=PHOTO))


def creates(emu: RunwayEmulator) -> list[str]:
    return [e["json"]["model"] for e in emu.log if e["method"] == "POST" and "json" in e]


@pytest.fixture
async def runway() -> AsyncIterator[RunwayEmulator]:
    async with RunwayEmulator("k", run_seconds=0.1, tier_refused={"gen4_turbo"}) as emu:
        yield emu


async def test_the_next_vendor_takes_the_model_and_routing_skips_the_first_after(
    tmp_path: Path, runway: RunwayEmulator
) -> None:
    async with RunwayEmulator("k2", flavour="openai-hk", run_seconds=0.1) as backup:
        vendors = [
            RunwayClient(api_key="k", base_url=runway.base_url),
            OpenAIHKClient(api_key="k2", base_url=backup.base_url),
        ]
        core = await make_core(tmp_path, vendors=vendors, video_vendors=["runway", "openai-hk"])
        core.engine.subscribe("test", RecordingSink())
        try:
            await core.start()
            first = await ask(core, "/video --model gen4_turbo wave")
            assert first.job is not None  # type: ignore[attr-defined]
            assert await finished(core, first.job.id) is JobState.DELIVERED  # type: ignore[attr-defined]
            assert creates(runway) == ["gen4_turbo"] and creates(backup) == ["gen4_turbo"]
            assert not vendors[0].can_use("gen4_turbo") and vendors[0].can_use("gen4.5")
            # the next request is planned for openai-hk only: Runway is not asked again
            second = await ask(core, "/video --model Gen-4-Turbo wave again")
            assert second.job is not None  # type: ignore[attr-defined]
            assert second.job.request.vendors == ("openai-hk",)  # type: ignore[attr-defined]
            assert await finished(core, second.job.id) is JobState.DELIVERED  # type: ignore[attr-defined]
            assert creates(runway) == ["gen4_turbo"] and len(creates(backup)) == 2
            # other models still go to Runway
            third = await ask(core, "/video wave")
            assert third.job.request.vendors[0] == "runway"  # type: ignore[attr-defined]
        finally:
            await core.aclose()


async def test_alone_the_job_is_refunded_with_the_reason_and_the_next_refused_unpaid(
    tmp_path: Path, runway: RunwayEmulator
) -> None:
    client = RunwayClient(api_key="k", base_url=runway.base_url)
    core = await make_core(tmp_path, vendors=[client], video_vendors=["runway"])
    sink = RecordingSink()
    core.engine.subscribe("test", sink)
    try:
        await core.start()
        reply = await ask(core, "/video --model gen4_turbo wave")
        job_id = reply.job.id  # type: ignore[attr-defined]
        assert await finished(core, job_id) is JobState.FAILED
        job = await core.store.get_job(job_id)
        assert job is not None and job.error_code == "model_unavailable"
        (failed,) = [e for e in sink.events if e.kind is EventKind.FAILED]
        assert "can't use this model" in failed.text and "refunded" in failed.text
        assert [e.kind for e in await core.store.ledger()] == ["reserve", "refund"]
        again = await ask(core, "/video --model gen4_turbo wave")
        assert again.error and again.job is None  # type: ignore[attr-defined]
        assert "can't use Gen-4 Turbo" in again.text  # type: ignore[attr-defined]
        assert [e.kind for e in await core.store.ledger()] == ["reserve", "refund"]
        assert creates(runway) == ["gen4_turbo"]
    finally:
        await core.aclose()


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (AuthError("Model variant gen4_turbo is not available", status=403), True),  # Runway's
        (AuthError("Your organization does not have access to gen4_turbo.", status=403), True),
        (BadRequest("This model is not available on your tier.", status=400), True),
        (AuthError("Invalid API key", status=403), False),  # no model, no tier
        (BadRequest("Invalid option: expected one of 'gen4.5'", status=400), False),
        (AuthError("No access to gen4_turbo", status=401), False),  # 401 is the key
        (AuthError("This key lacks permission: modality disabled", status=403), True),
    ],
)
def test_what_reads_as_a_model_the_account_cannot_use(error: Exception, refused: bool) -> None:
    found = model_refusal(error, "gen4_turbo")  # type: ignore[arg-type]
    assert isinstance(found, ModelUnavailable) is refused


async def test_apiframe_reads_its_403_for_a_disabled_modality_the_same_way() -> None:
    """apiframe's documented 403 "key inactive / lacks permission / modality disabled"."""
    async with ApiframeEmulator("af-key") as emu:
        client = ApiframeClient(api_key="af-key", base_url=emu.base_url)
        try:
            body = {"error": "This API key lacks permission: video modality disabled"}
            emu.fail_next("create", Fault(403, body))
            req = VideoRequest(prompt="a city", mode=Mode.TEXT, model="gen4_turbo")
            with pytest.raises(ModelUnavailable):
                await client.submit(req, idempotency_key="k1")
            assert not client.can_use("gen4_turbo") and client.can_use("gen4.5")
            emu.fail_next("create", Fault(403, {"error": "API key inactive"}))
            with pytest.raises(AuthError):  # a dead key is the operator's, not the model's
                await client.submit(VideoRequest(prompt="x", mode=Mode.TEXT), idempotency_key="k2")
        finally:
            await client.aclose()


async def test_without_a_model_named_the_next_model_stands_in_for_a_refused_default(
    tmp_path: Path,
) -> None:
    async with RunwayEmulator("k", run_seconds=0.1, tier_refused={"gen4.5"}) as emu:
        client = RunwayClient(api_key="k", base_url=emu.base_url)
        core = await make_core(tmp_path, vendors=[client], video_vendors=["runway"])
        core.engine.subscribe("test", RecordingSink())
        try:
            await core.start()
            first = await ask(core, "/video a fox")  # a photo: gen4.5 is the default
            assert await finished(core, first.job.id) is JobState.FAILED  # type: ignore[attr-defined]
            second = await ask(core, "/video a fox")
            assert second.job.request.model is None  # type: ignore[attr-defined]
            assert await finished(core, second.job.id) is JobState.DELIVERED  # type: ignore[attr-defined]
            assert creates(emu) == ["gen4.5", "gen4_turbo"]
        finally:
            await core.aclose()
