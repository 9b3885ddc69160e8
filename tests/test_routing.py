"""Routing that remembers: a vendor failing creates is skipped by the next requests and
probed again after its cool-down; one out of credits is held until an operator acts, the
admins told once. Two real emulators over HTTP (Runway official, then gpt.ge)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Core
from bot.commands import read
from bot.models import JobState, Media, UserRef
from bot.service import Incoming
from bot.vendors.runway import GptgeClient, RunwayClient
from tests.emulators.base import Fault
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, image_bytes, make_core
from tests.test_core_engine import finished

USER = UserRef("test", "1")
ADMIN = UserRef("test", "99")


class AdminSink(RecordingSink):
    """A sink that can also message a user directly, as the adapters do for admins."""

    def __init__(self) -> None:
        super().__init__()
        self.told: list[tuple[UserRef, str]] = []

    async def tell(self, user: UserRef, text: str) -> None:
        self.told.append((user, text))


@contextlib.asynccontextmanager
async def two_vendors(
    tmp_path: Path, **kw: Any
) -> AsyncIterator[tuple[Core, RunwayEmulator, RunwayEmulator, AdminSink]]:
    async with (
        RunwayEmulator("test-key", run_seconds=0.2) as first,
        RunwayEmulator("test-key", flavour="gptge", run_seconds=0.2) as second,
    ):
        vendors = [
            RunwayClient(api_key="test-key", base_url=first.base_url),
            GptgeClient(api_key="test-key", base_url=second.base_url),
        ]
        core = await make_core(
            tmp_path, vendors=vendors, video_vendors=["runway", "gptge"],
            admin_user_ids=["test:99"], max_jobs_per_user=10, **kw,
        )  # fmt: skip
        core.engine.backoff = lambda attempt, base=2.0: 0.01  # type: ignore[method-assign]
        sink = AdminSink()
        core.engine.subscribe("test", sink)
        try:
            await core.start()
            yield core, first, second, sink
        finally:
            await core.aclose()


def creates(emu: RunwayEmulator) -> int:
    return sum(1 for e in emu.log if e["method"] == "POST" and "video" in e["path"])


async def deliver(core: Core, text: str) -> str:
    """Send a video command and wait for its delivery; the vendor that rendered it."""
    photo = Media(image_bytes(), "image/jpeg", "p.jpg")  # both vendors animate gen4_turbo
    command = read(text.replace("/video", "/video --model gen4_turbo --ratio 16:9", 1))
    reply = await core.service.handle(Incoming(user=USER, command=command, images=[photo]))
    assert reply.job is not None, reply.text
    assert await finished(core, reply.job.id) is JobState.DELIVERED
    job = await core.store.get_job(reply.job.id)
    return job.vendor or "" if job is not None else ""


async def test_a_vendor_failing_five_creates_is_skipped_then_probed_after_its_cool_down(
    tmp_path: Path,
) -> None:
    async with two_vendors(tmp_path, video_breaker_cooldown=1.5) as (core, first, second, _):
        first.fail_next("create", Fault(status=503), times=5)
        assert await deliver(core, "/video one") == "gptge"  # three failed tries, then on
        assert core.engine.breakers.state("runway") == "closed"
        assert await deliver(core, "/video two") == "gptge"  # two more open the breaker
        assert creates(first) == 5 and core.engine.breakers.state("runway") == "open"
        # the next requests skip runway altogether
        assert await deliver(core, "/video three") == "gptge"
        assert creates(first) == 5
        # after the cool-down one job probes it; it answers again, so it takes jobs again
        await asyncio.sleep(1.6)
        assert await deliver(core, "/video four") == "runway"
        assert core.engine.breakers.state("runway") == "closed"
        assert await deliver(core, "/video five") == "runway"
        assert creates(first) == 7 and creates(second) == 3


async def test_a_failed_probe_opens_the_breaker_again(tmp_path: Path) -> None:
    async with two_vendors(tmp_path, video_breaker_failures=2, video_breaker_cooldown=0.5) as (
        core,
        first,
        _,
        _,
    ):
        first.fail_next("create", Fault(status=503), times=3)
        assert await deliver(core, "/video one") == "gptge"  # two failures open it
        await asyncio.sleep(0.6)
        assert await deliver(core, "/video two") == "gptge"  # the probe fails: open again
        assert creates(first) == 3 and core.engine.breakers.state("runway") == "open"


async def test_out_of_credits_holds_the_vendor_and_tells_the_admins_once(
    tmp_path: Path,
) -> None:
    async with two_vendors(tmp_path) as (core, first, _, sink):
        body = {"error": "You do not have enough credits to run this task."}
        first.fail_next("create", Fault(status=400, body=body), times=2)
        assert await deliver(core, "/video one") == "gptge"
        assert core.engine.breakers.state("runway") == "held"
        assert await deliver(core, "/video two") == "gptge"
        assert creates(first) == 1  # never asked again
        assert [(u, "runway" in t and "credits" in t) for u, t in sink.told] == [(ADMIN, True)]


@pytest.mark.parametrize("routing", ["order", "fastest"])
async def test_routing_setting_picks_the_vendor(tmp_path: Path, routing: str) -> None:
    async with two_vendors(tmp_path, video_routing=routing) as (core, _, _, _):
        core.engine.history.add("runway", "gen4_turbo", 300.0)  # runway is slow of late
        core.engine.history.add("gptge", "gen4_turbo", 30.0)
        expected = "gptge" if routing == "fastest" else "runway"
        assert await deliver(core, "/video a fox") == expected
