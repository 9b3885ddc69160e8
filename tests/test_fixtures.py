"""The shared fixtures of tests/conftest.py: each mark reaches the fixture it configures."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bot.bootstrap import Core
from bot.errors import NotFound
from bot.vendors.apiframe import ApiframeClient
from bot.vendors.base import VendorClient
from bot.vendors.runway import RunwayClient
from tests.discord_emulator import ADMIN_ID, Harness
from tests.emulators.apiframe import ApiframeEmulator
from tests.emulators.base import VendorEmulator
from tests.emulators.reseller import Clock
from tests.emulators.runway import RunwayEmulator


async def test_unmarked_emu_is_runway_with_its_defaults(
    emu: VendorEmulator, client: VendorClient, clock: Clock
) -> None:
    assert isinstance(emu, RunwayEmulator) and emu.flavour == "runway"
    assert (emu.api_key, emu.run_seconds, emu.queue_seconds) == ("test-key", 0.2, 0.0)
    assert emu.clock is not clock
    assert isinstance(client, RunwayClient) and client.base_url == emu.base_url
    with pytest.raises(NotFound):  # over real HTTP, with a key the emulator accepts
        await client.poll("no-such-task")


@pytest.mark.emulator("apiframe", key="afk_fixture-key", clock=True, queue_seconds=1)
async def test_marked_emu_is_the_vendor_asked_for(
    emu: VendorEmulator, client: VendorClient, clock: Clock
) -> None:
    assert isinstance(emu, ApiframeEmulator)
    assert (emu.api_key, emu.queue_seconds, emu.clock) == ("afk_fixture-key", 1, clock)
    assert isinstance(client, ApiframeClient)
    assert (client.api_key, client.base_url) == ("afk_fixture-key", emu.base_url)


async def test_core_runs_on_the_client(core: Core, client: VendorClient, tmp_path: Path) -> None:
    assert core.vendors == [client]
    assert core.settings.video_vendors == ["runway"]
    assert core.settings.database_url.endswith(str(tmp_path / "videobot.db"))


@pytest.mark.harness(admin_user_ids=[f"discord:{ADMIN_ID}"])
async def test_harness_takes_its_mark(h: Harness, client: VendorClient) -> None:
    assert h.core.vendors == [client]
    assert h.core.settings.admin_user_ids == [f"discord:{ADMIN_ID}"]


@pytest.mark.intake("runway", "aimlapi")
def test_core_loop_has_the_marked_vendors_and_never_launches(
    core_loop: tuple[Core, asyncio.AbstractEventLoop],
) -> None:
    core, loop = core_loop
    assert [v.id for v in core.vendors] == ["runway", "aimlapi"]
    assert core.settings.video_vendors == ["runway", "aimlapi"]
    assert core.engine.launch("any") is None
    assert not loop.is_closed()


def test_clean_env_works_in_tmp_path(clean_env: None, tmp_path: Path) -> None:
    assert Path.cwd() == tmp_path
    assert os.environ["DATABASE_URL"] == f"sqlite:///{tmp_path / 'videobot.db'}"
