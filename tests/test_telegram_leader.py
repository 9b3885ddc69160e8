"""Several bot processes on one PostgreSQL database and one bot token: only the leader long
polls, a follower takes over within seconds when the leader's database session ends, and a
follower delivers its own jobs. Each process is a real core and a real python-telegram-bot
Application of its own (its own connections), all against the one Bot API emulator, which
records which process made each call (`via`)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
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
ROOT = Path(__file__).resolve().parent.parent
TAKEOVER = 10.0  # seconds a follower may take: it asks every ~2 s


@dataclass
class Process:
    name: str
    core: Core
    adapter: TelegramAdapter

    @property
    def polling(self) -> bool:
        return self.adapter.poller.polling


Start = Callable[..., Awaitable[Process]]


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

        async def process(
            name: str, settings: TelegramSettings | None = None, *, database_url: str = database_url
        ) -> Process:
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
                core,
                settings or TelegramSettings(_env_file=None),
                edit_interval=0.05,
                poll_timeout=1,
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
async def test_a_follower_polls_within_seconds_of_the_leader_process_being_killed(
    start: Start, tg: BotAPIEmulator, database_url: str, tmp_path: Path
) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.telegram_child", str(tmp_path / "child"), database_url,
        tg.via("child"), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        assert (await asyncio.wait_for(child.stdout.readline(), 60)).strip() == b"LEADING"
        b = await start("b")
        assert not b.polling
        tg.push_message(tg.make_message("/start"))
        await tg.wait_for("sendMessage", where=answer_to("child"))
    finally:
        child.kill()  # SIGKILL: no shutdown code runs, the session just ends
        await child.wait()
    await wait_until(lambda: b.polling, timeout=TAKEOVER)
    tg.push_message(tg.make_message("/start"))
    await tg.wait_for("sendMessage", where=answer_to("b"))
    assert {p.via for p in tg.polls} == {"child", "b"}


class Proxy:
    """A TCP proxy to PostgreSQL that can go silent (a network that drops everything, no
    connection closed) and then cut every connection (the server noticing, by its
    keepalives, that the peer is gone)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.open = asyncio.Event()
        self.open.set()
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, up_writer]
        await asyncio.gather(
            self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True
        )

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            await self.open.wait()  # silent: held here, never delivered
            writer.write(data)
            await writer.drain()
        writer.close()

    def cut(self) -> None:
        for writer in self.writers:
            writer.transport.abort()

    async def stop(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()


@ON_POSTGRES
async def test_a_leader_whose_database_goes_silent_stops_polling(
    start: Start, tg: BotAPIEmulator, database_url: str
) -> None:
    where = urlsplit(database_url)
    proxy = Proxy((where.hostname or "127.0.0.1", where.port or 5432))
    await proxy.start()
    try:
        a = await start("a", database_url=urlunsplit(where._replace(netloc=(
            f"{where.username}@127.0.0.1:{proxy.port}" if where.username
            else f"127.0.0.1:{proxy.port}"))))  # fmt: skip
        b = await start("b")
        assert a.polling and not b.polling
        proxy.open.clear()  # no answer, no FIN: only the leader's ping can tell
        await wait_until(lambda: not a.polling, timeout=TAKEOVER)
        assert not b.polling  # the server still holds the silent session's lock
        proxy.cut()  # ... until it notices the peer is gone
        await wait_until(lambda: b.polling, timeout=TAKEOVER)
        tg.push_message(tg.make_message("/start"))
        await tg.wait_for("sendMessage", where=answer_to("b"))
    finally:
        await proxy.stop()


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


@ON_POSTGRES
async def test_with_a_webhook_every_process_serves_and_none_polls(
    start: Start, tg: BotAPIEmulator
) -> None:
    hook = TelegramSettings(
        _env_file=None,
        webhook_url="https://bot.example.com/telegram",
        webhook_listen="127.0.0.1:0",
        webhook_secret="s3cret-Token_1",
    )
    processes = [await start(name, hook) for name in ("a", "b")]
    async with httpx.AsyncClient() as http:
        for process in processes:
            assert process.adapter.leadership is None and not process.polling
            server = process.adapter.webhook
            assert server is not None
            url = f"http://127.0.0.1:{server.port}/telegram"
            update = {"update_id": 1, "message": tg.make_message("/start")}
            assert (await http.post(url, json=update)).status_code == 403  # no secret
            secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
            assert (await http.post(url, json=update, headers=secret)).status_code == 200
            await tg.wait_for("sendMessage", where=answer_to(process.name))
    assert tg.polls == [] and len(tg.calls_of("setWebhook")) == 2


async def test_two_bots_on_one_database_lead_apart() -> None:
    key = lock_key(polling_scope(TOKEN))
    assert key != lock_key(polling_scope(TOKEN + "x"))
    assert -(2**63) <= key < 2**63


async def test_on_sqlite_there_is_no_election(tmp_path: Path) -> None:
    async def nothing() -> None:
        return None

    url = f"sqlite:///{tmp_path / 'videobot.db'}"
    assert leadership(url, b"scope", lead=nothing, follow=nothing, what="x") is None
