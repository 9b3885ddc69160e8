"""Credits: reserved atomically before any vendor call, limits, admins, grants and bans."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.bootstrap import Core
from bot.commands import read
from bot.models import UserRef
from bot.service import Incoming, utc_day
from bot.storage import is_postgres
from bot.vendors.runway import RunwayClient
from tests.emulators.runway import RunwayEmulator
from tests.helpers import make_core
from tests.postgres import BACKENDS

pytestmark = [pytest.mark.emulator(run_seconds=60), BACKENDS]

USER = UserRef("test", "1")
ADMIN = UserRef("test", "99")


async def core_with(
    tmp_path: Path, emu: RunwayEmulator, url: str | None = None, **kw: object
) -> Core:
    """A core on Runway's emulator; on `url` when given, else a SQLite file in `tmp_path`."""
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    kw.setdefault("admin_user_ids", ["test:99"])
    if url is not None:
        kw["database_url"] = url
    return await make_core(tmp_path, vendors=[client], video_vendors=["runway"], **kw)


async def ask(core: Core, text: str, user: UserRef = USER) -> str:
    reply = await core.service.handle(Incoming(user=user, command=read(text)))
    return reply.text


async def test_200_concurrent_requests_against_3_credits(
    tmp_path: Path, emu: RunwayEmulator, database_url: str
) -> None:
    core = await core_with(
        tmp_path, emu, database_url, quota_credits_per_day=3, max_jobs_per_user=1000
    )
    try:
        replies = await asyncio.gather(
            *(
                core.service.handle(Incoming(user=USER, command=read(f"/video fox {i}")))
                for i in range(200)
            )
        )
        accepted = [r for r in replies if r.job is not None]
        refused = [r for r in replies if r.job is None]
        assert len(accepted) == 3 and len(refused) == 197
        assert all(r.error and "Not enough credits" in r.text for r in refused)
        ledger = await core.store.ledger()
        assert [(e.kind, e.amount) for e in ledger] == [("reserve", 1)] * 3
        balance = await core.store.balance(USER, utc_day(core.engine.clock()))
        assert balance.used_today == 3 and balance.left(3) == 0
    finally:
        await core.aclose()


async def test_ten_seconds_costs_two(
    tmp_path: Path, emu: RunwayEmulator, database_url: str
) -> None:
    core = await core_with(tmp_path, emu, database_url, quota_credits_per_day=3)
    try:
        assert "Credits left today: 1" in await ask(core, "/video --duration 10 a fox")
        text = await ask(core, "/video duration=10 another fox")
        assert "costs 2 and you have 1 left" in text
        assert "Credits left today: 0" in await ask(core, "/video a small fox")
    finally:
        await core.aclose()


async def test_jobs_in_flight_are_limited(
    tmp_path: Path, emu: RunwayEmulator, database_url: str
) -> None:
    core = await core_with(tmp_path, emu, database_url, max_jobs_per_user=2, max_queued_per_user=1)
    try:
        await ask(core, "/video one")
        await ask(core, "/video two")
        third = await ask(core, "/video three")
        # Several processes share PostgreSQL's line: one process does not know the place.
        assert is_postgres(database_url) or "1st in line" in third
        text = await ask(core, "/video four")
        assert "already have 3 video(s) rendering or waiting in line (limit 3)" in text
    finally:
        await core.aclose()


async def test_admins_are_unlimited(tmp_path: Path, emu: RunwayEmulator, database_url: str) -> None:
    core = await core_with(tmp_path, emu, database_url, quota_credits_per_day=0)
    try:
        assert "Credits left today: unlimited" in await ask(core, "/video boss", ADMIN)
        assert "Not enough credits" in await ask(core, "/video peasant")
    finally:
        await core.aclose()


async def test_grant_ban_and_unban(tmp_path: Path, emu: RunwayEmulator, database_url: str) -> None:
    core = await core_with(
        tmp_path, emu, database_url, quota_credits_per_day=0, max_jobs_per_user=10
    )
    try:
        assert "admins" in await ask(core, "/grant test:1 2")
        assert "2 bonus credit" in await ask(core, "/grant test:1 2", ADMIN)
        assert "Credits left today: 1" in await ask(core, "/video bonus one")
        assert "Bonus credits: 1" in await ask(core, "/quota")
        assert "banned" in await ask(core, "/ban 1", ADMIN)
        assert "can't make videos" in await ask(core, "/video banned")
        await ask(core, "/unban test:1", ADMIN)
        assert "Credits left today: 0" in await ask(core, "/video back")
        assert "2 jobs" in await ask(core, "/stats", ADMIN)
    finally:
        await core.aclose()


async def test_quota_jobs_and_help_texts(
    tmp_path: Path, emu: RunwayEmulator, database_url: str
) -> None:
    core = await core_with(tmp_path, emu, database_url)
    try:
        assert "10 of 10 credits left today" in await ask(core, "/quota")
        assert "no videos yet" in await ask(core, "/jobs")
        await ask(core, "/video a paper boat")
        assert "a paper boat" in await ask(core, "/jobs")
        assert "/video" in await ask(core, "/help")
        zh = await core.service.handle(
            Incoming(user=USER, command=read("/quota"), locale="zh-hans")
        )
        assert "今天剩余" in zh.text
    finally:
        await core.aclose()
