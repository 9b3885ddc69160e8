"""Several bot processes on one PostgreSQL database and one bot token: only the leader long
polls, a follower takes over within seconds when the leader's database session ends, and a
follower delivers its own jobs. Each process is a real core and a real python-telegram-bot
Application of its own (its own connections), all against the one Bot API emulator, which
records which process made each call (`via`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from adapters.telegram import TelegramAdapter, TelegramSettings
from adapters.telegram.chat import TelegramChat
from adapters.telegram.leader import polling_scope
from bot.bootstrap import Core
from bot.commands import read
from bot.models import UserRef
from bot.replies import Incoming
from bot.storage.leadership import leadership
from bot.storage.postgres.leader import lock_key
from bot.vendors.runway import RunwayClient
from tests.botapi_emulator import TOKEN, BotAPIEmulator
from tests.emulators.runway import RunwayEmulator
from tests.helpers import make_core, wait_until

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")
ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
TAKEOVER = 10.0  # seconds a follower may take: it asks every ~2 s


@dataclass
class Process:
    name: str
    core: Core
    adapter: TelegramAdapter

    @property
    def polling(self) -> bool:
        return self.adapter.poller.polling


Start = Callable[[str], Awaitable[Process]]


@pytest.fixture
async def tg() -> AsyncIterator[BotAPIEmulator]:
    emulator = await BotAPIEmulator().start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def start(tmp_path: Path, database_url: str, tg: BotAPIEmulator) -> AsyncIterator[Start]:
    """Starts a bot process named `name` on the shared database and emulator."""
    vendor = RunwayEmulator(run_seconds=0.2)
    await vendor.start()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(vendor.stop)

        async def process(name: str) -> Process:
            client = RunwayClient(api_key="test-key", base_url=vendor.base_url)
            core = await make_core(
                tmp_path / name,
                vendors=[client],
                database_url=database_url,
                telegram_bot_token=TOKEN,
                telegram_api_url=tg.via(name),
                video_vendors=["runway"],
            )
            stack.push_async_callback(core.aclose)
            adapter = TelegramAdapter(
                core, TelegramSettings(_env_file=None), edit_interval=0.05, poll_timeout=1
            )
            await adapter.start()
            stack.push_async_callback(adapter.stop)
            await core.start()
            return Process(name, core, adapter)

        yield process


async def end_session(database_url: str, process: Process) -> None:
    """End the leader's lock session from outside, as PostgreSQL does when the process
    holding it dies or its connection breaks."""
    db = await asyncpg.connect(database_url)
    try:
        ended = await db.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
            "WHERE locktype = 'advisory' AND granted "
            "AND ((classid::bigint << 32) | objid::bigint) = $1::bigint",
            lock_key(polling_scope(TOKEN)),
        )
    finally:
        await db.close()
    assert ended == 1, f"{process.name} held no lock session"


def answer_to(via: str) -> Callable[..., bool]:
    return lambda call: call.via == via


@ON_POSTGRES
async def test_only_the_leader_polls_and_a_follower_takes_over(
    start: Start, tg: BotAPIEmulator, database_url: str
) -> None:
    a = await start("a")
    b = await start("b")
    assert a.polling and a.adapter.leadership is not None and a.adapter.leadership.leading
    assert not b.polling and b.adapter.leadership is not None
    assert not b.adapter.leadership.leading

    tg.push_message(tg.make_message("/start"))
    await tg.wait_for("sendMessage", where=answer_to("a"))
    assert {p.via for p in tg.polls} == {"a"}

    await end_session(database_url, a)
    await wait_until(lambda: not a.polling, timeout=TAKEOVER)  # lost the lock: stops at once
    await wait_until(lambda: b.polling, timeout=TAKEOVER)
    since = len(tg.polls)
    tg.push_message(tg.make_message("/start"))
    await tg.wait_for("sendMessage", where=answer_to("b"))
    assert {p.via for p in tg.polls[since:]} == {"b"}
    assert not a.polling


@ON_POSTGRES
async def test_a_leader_that_stops_hands_over(start: Start, tg: BotAPIEmulator) -> None:
    a = await start("a")
    b = await start("b")
    await a.adapter.stop()  # ends its session: the lock is free at once
    await wait_until(lambda: b.polling, timeout=TAKEOVER)
    tg.push_message(tg.make_message("/start"))
    await tg.wait_for("sendMessage", where=answer_to("b"))


@ON_POSTGRES
async def test_a_follower_delivers_its_jobs(start: Start, tg: BotAPIEmulator) -> None:
    await start("a")
    b = await start("b")
    assert not b.polling
    chat = TelegramChat(chat_id=1001, chat_type="private", message_id=77)
    reply = await b.core.service.handle(
        Incoming(UserRef("telegram", "1001"), read("/video a red fox"), "en", chat)
    )
    assert reply.job is not None, reply.text
    (video,) = await tg.wait_for("sendVideo")
    assert video.via == "b" and video.params["chat_id"] == 1001


async def test_two_bots_on_one_database_lead_apart() -> None:
    key = lock_key(polling_scope(TOKEN))
    assert key != lock_key(polling_scope(TOKEN + "x"))
    assert -(2**63) <= key < 2**63


async def test_on_sqlite_there_is_no_election(tmp_path: Path) -> None:
    async def nothing() -> None:
        return None

    url = f"sqlite:///{tmp_path / 'videobot.db'}"
    assert leadership(url, b"scope", lead=nothing, follow=nothing, what="x") is None
