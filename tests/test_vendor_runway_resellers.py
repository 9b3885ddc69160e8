"""gpt.ge and openai-hk bodies as their own documents give them, against their emulators.

The documents are /work/shared/seeds/gptge-runway-image-to-video.txt and
openai-hk-runway.txt; `test_seed_conformance.py` checks every body against them field by
field, these tests check the wire and the recovery when a live service departs from them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.errors import BadRequest
from bot.models import Media, Mode, TaskStatus, VideoRequest
from bot.vendors.runway import GptgeClient, OpenAIHKClient, RunwayFamilyClient
from tests.emulators.runway import GEN3_RATIOS, GEN4_RATIOS, RunwayEmulator
from tests.helpers import image_bytes

KEY = "key_reseller_s3cret"


def image(fmt: str = "PNG") -> Media:
    return Media(image_bytes(fmt=fmt), "image/png" if fmt == "PNG" else "image/jpeg")


def image_req(**kw: Any) -> VideoRequest:
    return VideoRequest(prompt="slow dolly in", mode=Mode.IMAGE, first_frame=image(), **kw)


@pytest.fixture
async def started() -> AsyncIterator[list[tuple[RunwayEmulator, RunwayFamilyClient]]]:
    made: list[tuple[RunwayEmulator, RunwayFamilyClient]] = []
    yield made
    for emu, client in made:
        await client.aclose()
        await emu.stop()


async def gptge(
    started: list[tuple[RunwayEmulator, RunwayFamilyClient]], **models: tuple[str, ...]
) -> tuple[RunwayEmulator, RunwayFamilyClient]:
    """A gpt.ge emulator; `models` replaces its documented table (model -> pixel sizes)
    to play a live service that has moved away from its document."""
    emu = RunwayEmulator(KEY, flavour="gptge", run_seconds=0.05)
    if models:
        template = emu.models["image_to_video"]["gen4a_turbo"]
        emu.models["image_to_video"] = {
            name: dataclasses.replace(template, ratios=ratios) for name, ratios in models.items()
        }
    await emu.start()
    client = GptgeClient(api_key=KEY, base_url=emu.base_url)
    started.append((emu, client))
    return emu, client


def creates(emu: RunwayEmulator) -> list[dict[str, Any]]:
    return [entry["json"] for entry in emu.log if entry["method"] == "POST"]


async def test_gptge_sends_its_documented_model_and_ratio(started: Any) -> None:
    emu, client = await gptge(started)
    await client.submit(image_req(ratio="9:16", duration=10), idempotency_key="k")
    body = creates(emu)[-1]
    assert (body["model"], body["ratio"], body["duration"]) == ("gen4a_turbo", "768:1280", 10)
    assert GptgeClient.capabilities.model("gen4_turbo").ratios == ("16:9", "9:16")  # type: ignore[union-attr]


async def test_gptge_takes_runway_s_name_after_a_400_on_the_model(started: Any) -> None:
    emu, client = await gptge(started, gen4_turbo=GEN3_RATIOS)
    task_id = await client.submit(image_req(), idempotency_key="k1")
    assert [b["model"] for b in creates(emu)] == ["gen4a_turbo", "gen4_turbo"]
    assert task_id in emu.tasks
    await client.submit(image_req(), idempotency_key="k2")  # remembered: one create
    assert [b["model"] for b in creates(emu)][2:] == ["gen4_turbo"]


async def test_gptge_takes_gen4_sizes_only_after_a_400_on_the_ratio(started: Any) -> None:
    emu, client = await gptge(started, gen4a_turbo=GEN4_RATIOS)
    task_id = await client.submit(image_req(), idempotency_key="k1")
    assert [b["ratio"] for b in creates(emu)] == ["1280:768", "1280:720"]
    assert (await client.poll(task_id)).status in (TaskStatus.QUEUED, TaskStatus.RUNNING)
    await client.submit(image_req(ratio="9:16"), idempotency_key="k2")  # remembered
    assert [b["ratio"] for b in creates(emu)][2:] == ["720:1280"]


async def test_gptge_both_departures_at_once(started: Any) -> None:
    """The live service knows only Runway's name and sizes: found out once, then remembered."""
    emu, client = await gptge(started, gen4_turbo=GEN4_RATIOS)
    await client.submit(image_req(), idempotency_key="k1")
    assert [(b["model"], b["ratio"]) for b in creates(emu)] == [
        ("gen4a_turbo", "1280:768"),
        ("gen4_turbo", "1280:768"),  # 400 on the ratio: the name is not yet proved
        ("gen4a_turbo", "1280:720"),
        ("gen4_turbo", "1280:720"),
    ]
    await client.submit(image_req(), idempotency_key="k2")
    assert [(b["model"], b["ratio"]) for b in creates(emu)][4:] == [("gen4_turbo", "1280:720")]


async def test_gptge_ratio_retry_that_fails_is_not_remembered(started: Any) -> None:
    emu, client = await gptge(started, gen4a_turbo=("960:960",))
    with pytest.raises(BadRequest):
        await client.submit(image_req(), idempotency_key="k1")
    assert [b["ratio"] for b in creates(emu)] == ["1280:768", "1280:720"]
    with pytest.raises(BadRequest):
        await client.submit(image_req(), idempotency_key="k2")
    assert creates(emu)[2]["ratio"] == "1280:768"  # back to the document


async def test_gptge_no_ratio_retry_for_gen3a(started: Any) -> None:
    emu, client = await gptge(started, gen3a_turbo=GEN4_RATIOS)
    with pytest.raises(BadRequest):
        await client.submit(image_req(model="gen3a_turbo"), idempotency_key="k1")
    assert len(creates(emu)) == 1


async def test_openai_hk_sends_one_image_as_the_documented_array(started: Any) -> None:
    emu = RunwayEmulator(KEY, flavour="openai-hk")
    await emu.start()
    client = OpenAIHKClient(api_key=KEY, base_url=emu.base_url)
    started.append((emu, client))
    req = image_req()
    await client.submit(req, idempotency_key="k1")
    body = creates(emu)[-1]
    assert body["promptImage"] == [{"uri": req.first_frame.data_uri(), "position": "first"}]  # type: ignore[union-attr]
    async with httpx.AsyncClient() as http:  # the document types it object[]: a string is refused
        refused = await http.post(
            f"{emu.base_url}/runwayml/v1/image_to_video",
            json={**body, "promptImage": body["promptImage"][0]["uri"]},
            headers={"Authorization": f"Bearer {KEY}"},
        )
    assert refused.status_code == 400
    assert [i["path"] for i in refused.json()["issues"]] == [["promptImage"]]
