"""A refund notice reaches the user even when the bot stops between the refund and the
message: the notice is stored with the refund and shown again after the next start until an
adapter has put it on screen. The core runs against the Runway emulator over HTTP; the
Telegram case goes through the real adapter and the Bot API emulator."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from adapters.telegram import TelegramAdapter, TelegramSettings
from adapters.telegram.chat import TelegramChat
from bot import texts
from bot.bootstrap import Core
from bot.chat import StoredChat
from bot.commands import read
from bot.events import EventKind
from bot.models import JobState, UserRef
from bot.service import Incoming, utc_day
from bot.storage.base import JobPatch
from bot.storage.sqlite import MIGRATIONS, SqliteStore
from bot.vendors.runway import RunwayClient
from tests.botapi_emulator import TOKEN, BotAPIEmulator
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, make_core, wait_until

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")
REFUSED = texts.t("en", "failed_moderated", cost=1)


@pytest.fixture
async def vendor() -> AsyncIterator[RunwayEmulator]:
    emulator = RunwayEmulator(run_seconds=0.2)
    await emulator.start()
    yield emulator
    await emulator.stop()


def client(vendor: RunwayEmulator) -> RunwayClient:
    return RunwayClient(api_key="test-key", base_url=vendor.base_url)


async def test_notice_waits_for_an_adapter_and_is_shown_once(
    tmp_path: Path, vendor: RunwayEmulator
) -> None:
    core = await make_core(tmp_path, vendors=[client(vendor)], video_vendors=["runway"])
    await core.start()  # no adapter for "console" is running: nobody can be told yet
    user = UserRef("console", "1")
    reply = await core.service.handle(
        Incoming(user=user, command=read("/video [moderate] a storm"))
    )
    assert reply.job is not None
    await core.engine.wait([reply.job.id])
    job = await core.store.get_job(reply.job.id)
    assert job is not None and job.state is JobState.FAILED
    ((pending, text),) = await core.store.pending_notices(0)
    assert pending.id == job.id and text == REFUSED
    await core.aclose()

    core = await make_core(tmp_path, vendors=[client(vendor)], video_vendors=["runway"])
    sink = RecordingSink()
    core.engine.subscribe("console", sink)
    await core.start()
    (event,) = sink.events
    assert (event.kind, event.job.id, event.text, event.replayed) == (
        EventKind.FAILED,
        job.id,
        REFUSED,
        True,
    )
    assert await core.store.pending_notices(0) == []
    await core.aclose()

    core = await make_core(tmp_path, vendors=[client(vendor)], video_vendors=["runway"])
    sink = RecordingSink()
    core.engine.subscribe("console", sink)
    await core.start()
    assert sink.events == []  # shown once is enough
    balance = await core.store.balance(user, utc_day(core.service.clock()))
    assert balance.used_today == 0  # and the refund itself happened once, at the failure
    await core.aclose()


async def test_notice_is_cleared_when_shown_at_once(tmp_path: Path, vendor: RunwayEmulator) -> None:
    core = await make_core(tmp_path, vendors=[client(vendor)], video_vendors=["runway"])
    sink = RecordingSink()
    core.engine.subscribe("console", sink)
    await core.start()
    reply = await core.service.handle(
        Incoming(user=UserRef("console", "1"), command=read("/video [moderate] a storm"))
    )
    assert reply.job is not None
    await core.engine.wait([reply.job.id])
    assert EventKind.FAILED in sink.kinds(reply.job.id)
    assert await core.store.pending_notices(0) == []
    await core.aclose()


@pytest.mark.parametrize("status_message", [True, False])
async def test_telegram_shows_a_notice_that_a_stop_cut_off(
    tmp_path: Path, vendor: RunwayEmulator, status_message: bool
) -> None:
    """The refund lands while the status edit waits out its interval; the adapter stops
    before the edit. After the restart the status message is edited, or, when its id was
    lost, the notice is sent as a new reply to the command."""
    async with AsyncExitStack() as stack:
        tg = await BotAPIEmulator().start()
        stack.push_async_callback(tg.stop)
        overrides = {
            "telegram_bot_token": TOKEN,
            "telegram_api_url": tg.root_url,
            "video_vendors": ["runway"],
        }
        settings = TelegramSettings(_env_file=None)

        async def run(edit_interval: float) -> tuple[Core, TelegramAdapter]:
            core = await make_core(tmp_path, vendors=[client(vendor)], **overrides)
            stack.push_async_callback(core.aclose)
            adapter = TelegramAdapter(core, settings, edit_interval=edit_interval, poll_timeout=5)
            await adapter.start()
            stack.push_async_callback(adapter.stop)
            await core.start()
            return core, adapter

        core, adapter = await run(edit_interval=3600)
        command = tg.push_message(tg.make_message("/video [moderate] a storm at sea"))
        await tg.wait_for("sendMessage", where=lambda c: c.reply_to == command["message_id"])
        user = UserRef("telegram", str(command["from"]["id"]))

        async def refunded() -> bool:
            jobs = await core.store.user_jobs(user, 1)
            return bool(jobs) and jobs[0].state is JobState.FAILED

        await wait_until(refunded)
        (job,) = await core.store.user_jobs(user, 1)
        assert [j.id for j, _ in await core.store.pending_notices(0)] == [job.id]
        assert not any(REFUSED in c.params.get("text", "") for c in tg.calls)
        await adapter.stop()
        if not status_message:
            chat = {k: v for k, v in job.chat.to_json().items() if k != "status_message_id"}
            await core.store.update(job.id, job.updated_at, JobPatch(chat=StoredChat(chat)))
        await core.aclose()

        core, adapter = await run(edit_interval=0.05)
        method = "editMessageText" if status_message else "sendMessage"
        (shown,) = await tg.wait_for(method, where=lambda c: REFUSED in c.params["text"])
        if status_message:
            assert shown.params["message_id"] == job.chat.to_json()["status_message_id"]
            assert "reply_markup" not in shown.params
        else:
            assert shown.reply_to == command["message_id"]
        await wait_until(lambda: _none_pending(core))


async def _none_pending(core: Core) -> bool:
    return await core.store.pending_notices(0) == []


async def test_a_version_1_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "videobot.db"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute(
            "INSERT INTO jobs (id, user, state, request, cost, paid_daily, paid_bonus, "
            "quota_day, settled, created_at, updated_at, deadline_at) "
            "VALUES ('ab12', 'console:1', 'failed', '{}', 1, 1, 0, 'd', 'refunded', 1, 1, 2)"
        )
        db.execute("PRAGMA user_version = 1")
    store = await SqliteStore.open(path)
    try:
        assert await store.schema_version() == len(MIGRATIONS)
        job = await store.get_job("ab12")
        assert job is not None and job.state is JobState.FAILED
        assert await store.pending_notices(0) == []  # old refunds are not announced again
    finally:
        await store.close()


async def test_telegram_tells_a_refund_of_a_job_from_before_the_start_at_once(
    tmp_path: Path,
) -> None:
    """The job was taken by an earlier process that died before its status message went
    out; it fails in this one. No handler here will open a status message for it, so the
    refund is sent as a reply to the command right away."""
    vendor = RunwayEmulator(run_seconds=1.5)
    await vendor.start()
    tg = await BotAPIEmulator().start()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(vendor.stop)
        stack.push_async_callback(tg.stop)
        overrides = {
            "telegram_bot_token": TOKEN,
            "telegram_api_url": tg.root_url,
            "video_vendors": ["runway"],
        }
        core = await make_core(tmp_path, vendors=[client(vendor)], **overrides)
        stack.push_async_callback(core.aclose)
        user = UserRef("telegram", "5017")
        chat = TelegramChat(chat_id=5017, chat_type="private", message_id=41)
        reply = await core.service.handle(
            Incoming(user=user, command=read("/video [moderate] a storm at sea"), chat=chat)
        )
        assert reply.job is not None
        adapter = TelegramAdapter(core, TelegramSettings(_env_file=None), poll_timeout=5)
        await adapter.start()
        stack.push_async_callback(adapter.stop)
        await core.start()
        (shown,) = await tg.wait_for(
            "sendMessage", where=lambda c: REFUSED in c.params["text"], timeout=10
        )
        assert shown.reply_to == 41
        assert "[moderate] a storm at sea" in shown.params["text"]  # says which job
        await wait_until(lambda: _none_pending(core))
