"""The Discord gateway split across processes: DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS reach
discord.py's AutoShardedClient, only the process with shard 0 registers the commands, and a
process without it still serves slash commands and buttons and delivers over REST (the fake
Discord: its REST server, and a gateway that only identifies, so interactions are injected
as the shard would deliver them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import discord
import pytest
from pydantic import ValidationError

from adapters.base import load_settings
from adapters.discord import DiscordSettings
from adapters.discord.chat import DiscordChat
from adapters.discord.client import ShardedVideoBot, VideoBot
from bot.bootstrap import ConfigError
from bot.models import Job, JobState, UserRef
from bot.vendors.base import VendorClient
from tests.conftest import EmulatorSpec
from tests.discord_emulator import APP_ID, USER_ID, Harness
from tests.helpers import wait_until

COMMANDS = r"^/applications/\d+/commands$"


def shards(**values: Any) -> DiscordSettings:
    return DiscordSettings(_env_file=None, **values)


Process = Callable[..., Any]


@pytest.fixture
def process(
    tmp_path: Path, emulator_spec: EmulatorSpec, client: VendorClient
) -> Callable[..., Any]:
    """A bot process with these Discord settings against the fake Discord."""

    @asynccontextmanager
    async def run(gateway: bool = False, **values: Any) -> AsyncIterator[Harness]:
        async with Harness(
            tmp_path,
            [client],
            settings=shards(**values),
            gateway=gateway,
            video_vendors=[emulator_spec.vendor],
        ) as harness:
            yield harness

    return run


def test_shard_settings_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "3, 1")
    settings = DiscordSettings(_env_file=None)
    assert settings.shards == [1, 3] and not settings.syncs_commands
    monkeypatch.setenv("DISCORD_SYNC_COMMANDS", "true")
    assert DiscordSettings(_env_file=None).syncs_commands


def test_shard_defaults() -> None:
    assert shards().shards is None and shards().syncs_commands  # one process, as before
    assert shards(shard_count=3).shards == [0, 1, 2]  # every shard in this process
    assert shards(shard_count=2, shard_ids="0").syncs_commands
    assert not shards(shard_count=2, shard_ids="1").syncs_commands
    assert not shards(sync_commands=False).syncs_commands


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"shard_ids": "0,1"}, "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
        ({"shard_count": 2, "shard_ids": "1,2"}, "DISCORD_SHARD_IDS 2 out of range"),
        ({"shard_count": 2, "shard_ids": "-1"}, "DISCORD_SHARD_IDS -1 out of range"),
        ({"shard_count": 2, "shard_ids": "1,1"}, "lists a shard twice"),
        ({"shard_count": 0}, "greater than or equal to 1"),
        ({"shard_count": 2, "shard_ids": "one"}, "valid integer"),
    ],
)
def test_bad_shard_settings_are_refused(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        shards(**values)


def test_a_bad_shard_setting_is_a_config_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "2")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "5")
    with pytest.raises(ConfigError, match=r"bad Discord configuration: DISCORD_SHARD_IDS 5 out"):
        load_settings(DiscordSettings, "Discord")
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "none")
    with pytest.raises(ConfigError, match=r"DISCORD_SHARD_COUNT: Input should be a valid"):
        load_settings(DiscordSettings, "Discord")


async def test_the_process_with_shard_zero_registers_the_commands(process: Process) -> None:
    async with process(shard_count=2, shard_ids="0") as h:
        bot = h.bot
        assert isinstance(bot, ShardedVideoBot) and isinstance(bot, discord.AutoShardedClient)
        assert (bot.shard_count, bot.shard_ids) == (2, [0])
        (put,) = h.fake.find("PUT", COMMANDS)
        assert "video" in {c["name"] for c in put.json}


async def test_a_process_without_shard_zero_serves_but_registers_nothing(
    process: Process,
) -> None:
    async with process(shard_count=2, shard_ids="1") as h:
        assert (h.bot.shard_count, h.bot.shard_ids) == (2, [1])
        assert h.fake.find("PUT", COMMANDS) == []
        payload = h.interact(h.fake.slash("video", prompt="a kite over the sea"))
        job = await h.job()
        assert (await h.settled(job.id)).state is JobState.DELIVERED
        (post,) = await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")
        assert post.files and post.files[0][2][4:8] == b"ftyp"  # delivered over REST

        h.interact(h.fake.slash("video", prompt="[never] an endless render"))
        rendering = await wait_for_job(h, lambda j: j.id != job.id)
        await h.fake.wait_for(
            "PATCH", r"/messages/", lambda c: f"videobot:cancel:{rendering.id}" in c.custom_ids()
        )
        status = DiscordChat.of(rendering.chat).message_id
        assert status is not None
        h.interact(h.fake.click(status, f"videobot:cancel:{rendering.id}"))
        assert (await h.settled(rendering.id)).state is JobState.CANCELLED  # the button worked


async def wait_for_job(h: Harness, which: Callable[[Job], bool]) -> Job:
    """The user's newest job, once it is one that `which` accepts."""
    found: list[Job] = []

    async def started() -> bool:
        found[:] = await h.core.store.user_jobs(UserRef("discord", str(USER_ID)), 1)
        return bool(found) and which(found[0])

    await wait_until(started)
    return found[0]


async def test_a_sharded_process_connects_its_own_shard_only(
    process: Process,
) -> None:
    async with process(gateway=True, shard_count=3, shard_ids="2") as h:
        (identify,) = await h.fake.wait_for_identify(1)
        assert identify["shard"] == [2, 3] and identify["token"] == "fake-token"
        await wait_until(lambda: h.bot.get_shard(2) is not None)
        assert h.bot.get_shard(0) is None and h.bot.get_shard(1) is None
        assert len(h.fake.identifies) == 1


async def test_a_process_with_two_shards_connects_both(
    process: Process,
) -> None:
    async with process(gateway=True, shard_count=3, shard_ids="2,0") as h:
        found = await h.fake.wait_for_identify(2, timeout=30)  # discord.py paces them 5 s
        assert [i["shard"] for i in found] == [[0, 3], [2, 3]]
        assert len(h.fake.find("PUT", COMMANDS)) == 1  # it runs shard 0


async def test_an_unsharded_process_connects_without_shard(
    process: Process,
) -> None:
    async with process(gateway=True) as h:
        (identify,) = await h.fake.wait_for_identify(1)
        assert "shard" not in identify


async def test_unsharded_is_the_plain_client(process: Process) -> None:
    async with process() as h:
        assert type(h.bot) is VideoBot and not isinstance(h.bot, discord.AutoShardedClient)
        assert len(h.fake.find("PUT", COMMANDS)) == 1
