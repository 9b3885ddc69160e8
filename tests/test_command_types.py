"""Commands as typed data: the parser's results, and the service answering typed commands
built without any chat text (as Discord's slash commands do)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import get_args

import pytest

from bot import texts
from bot.bootstrap import Core
from bot.command_types import (
    BanCommand,
    CancelCommand,
    Command,
    GrantCommand,
    HelpCommand,
    JobsCommand,
    QuotaCommand,
    Refused,
    StatsCommand,
    VideoCommand,
)
from bot.commands import parse, read
from bot.service import Incoming
from tests.emulators.runway import RunwayEmulator
from tests.test_core_quota import ADMIN, USER, core_with


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/quota", QuotaCommand()),
        ("/jobs please", JobsCommand()),
        ("/cancel", CancelCommand()),
        ("/cancel ab12cd34 now", CancelCommand("ab12cd34")),
        ("/help", HelpCommand()),
        ("/start", HelpCommand()),
        ("/STATS", StatsCommand()),
        ("/grant telegram:5 10", GrantCommand("telegram:5", "10")),
        ("/grant telegram:5", GrantCommand()),
        ("/ban 7", BanCommand("7")),
        ("/unban 7", BanCommand("7", banned=False)),
        ("/ban", BanCommand()),
        ("/video --seed 3 a fox", VideoCommand("a fox", seed=3)),
        ("/act --body", VideoCommand(act=True, body=True)),
    ],
)
def test_text_becomes_a_typed_command(text: str, command: object) -> None:
    assert parse(text) == command
    assert read(text) == command


def test_what_is_no_command_reads_as_its_refusal() -> None:
    assert read("/teleport home") == Refused("unknown_command")
    assert read("hello") == Refused("unknown_command")
    refused = read("/video --sed 3 a fox")
    assert isinstance(refused, Refused) and refused.key == "err_option_unknown"


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    async with RunwayEmulator("test-key", run_seconds=60) as emu:
        core = await core_with(tmp_path, emu)
        yield core
        await core.aclose()


async def test_typed_commands_are_answered_without_any_text(core: Core) -> None:
    quota = await core.service.handle(Incoming(USER, QuotaCommand()))
    assert (
        not quota.error
        and quota.text == (await core.service.handle(Incoming(USER, read("/quota")))).text
    )
    started = await core.service.handle(Incoming(USER, VideoCommand("a fox", seed=5)))
    assert started.job is not None and started.job.prompt == "a fox"
    cancelled = await core.service.handle(Incoming(USER, CancelCommand(started.job.short_id)))
    assert not cancelled.error, cancelled.text


async def test_admin_commands_need_an_admin_whatever_their_words(core: Core) -> None:
    for command in (GrantCommand("test:1", "5"), GrantCommand(), BanCommand(), StatsCommand()):
        reply = await core.service.handle(Incoming(USER, command))
        assert reply.error and reply.text == texts.t("en", "not_admin")
    granted = await core.service.handle(Incoming(ADMIN, GrantCommand("1", "5")))
    assert granted.text == texts.t("en", "grant_ok", user="test:1", bonus=5)
    usage = await core.service.handle(Incoming(ADMIN, BanCommand(banned=False)))
    assert usage.error and usage.text == texts.t("en", "usage_user", command="unban")


async def test_a_refusal_is_answered_in_the_users_language(core: Core) -> None:
    reply = await core.service.handle(Incoming(USER, read("/teleport"), locale="zh"))
    assert reply.error and reply.text == texts.t("zh", "unknown_command")


async def test_every_command_type_has_its_handler(core: Core) -> None:
    """A command type added without a handler would be answered as unknown."""
    assert set(get_args(Command)) == set(core.service._handlers)
