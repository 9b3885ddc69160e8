"""The series read from the live core at each scrape: jobs waiting in the queue, each
vendor's last balance, prompts the blocklist refused; against the Runway emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.ops.metrics import Metrics, OpsServer
from bot.bootstrap import Core
from bot.commands import read
from bot.models import UserRef
from bot.service import Incoming
from bot.vendors.runway import RunwayClient
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, make_core, wait_until
from tests.test_ops_metrics import get, samples, value

pytestmark = pytest.mark.emulator(run_seconds=30)

USER = UserRef("test", "1")


@pytest.fixture
async def served(tmp_path: Path, emu: RunwayEmulator) -> AsyncIterator[tuple[Core, OpsServer]]:
    blocklist = tmp_path / "blocklist.txt"
    blocklist.write_text("gore\n", encoding="utf-8")
    ops = OpsServer("127.0.0.1", 0)
    core = await make_core(
        tmp_path, vendors=[RunwayClient(api_key="test-key", base_url=emu.base_url)],
        video_vendors=["runway"], max_jobs_per_user=1, prompt_blocklist=blocklist,
    )  # fmt: skip
    core.engine.subscribe("test", RecordingSink())
    await ops.start(core)
    await core.start()
    try:
        yield core, ops
    finally:
        await ops.stop()
        await core.aclose()


async def test_queue_balance_and_blocked_prompts_are_scraped(
    served: tuple[Core, OpsServer], emu: RunwayEmulator
) -> None:
    core, ops = served
    found = samples((await get(ops, "/metrics")).text)
    assert value(found, "videobot_jobs_queued") == 0
    assert not [name for name, _ in found if name == "videobot_vendor_balance"]  # none read yet

    for text in ("/video one boat", "/video two boats"):  # one job at a time: one waits
        assert (await core.service.handle(Incoming(USER, read(text)))).job is not None
    await wait_until(lambda: emu.count("POST", "/v1/") == 1)
    refused = await core.service.handle(Incoming(USER, read("/video gore")))
    assert refused.error
    emu.credit_balance = 420
    await core.balance_watch().check()

    found = samples((await get(ops, "/metrics")).text)
    assert value(found, "videobot_jobs_queued") == 1
    assert value(found, "videobot_jobs_in_flight") == 2
    assert value(found, "videobot_vendor_balance", vendor="runway") == 420
    assert value(found, "videobot_prompts_blocked_total") == 1


def test_a_metrics_registry_without_a_core_still_names_every_series() -> None:
    text = Metrics().render().decode()
    found = samples(text)
    for name in ("videobot_jobs_queued", "videobot_prompts_blocked_total"):
        assert (name, frozenset()) in found and value(found, name) == 0
    assert "# TYPE videobot_vendor_balance gauge" in text
