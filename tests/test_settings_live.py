"""Settings changed at run time, through the core as an adapter drives it, on every backend:
an admin's /settings change takes effect at once in this process and in another on the same
database (the quota, the job limit, the vendor order, the default model), a bad value is
refused with the message the environment's would get, a reset brings the environment's
back, and each change (and each /grant and /ban) lands in the audit log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.bootstrap import Core
from bot.commands import read
from bot.config import Settings
from bot.models import UserRef
from bot.replies import Incoming
from bot.settings_keys import CORE_KEYS, problems
from bot.settings_live import LiveSettings
from bot.storage.settings_types import AuditEntry
from bot.vendors.local import LocalVendor
from tests.emulators.registry import CASES
from tests.helpers import make_core
from tests.postgres import BACKENDS

ADMIN = UserRef("telegram", "1")
USER = UserRef("telegram", "2")


async def say(core: Core, user: UserRef, text: str) -> str:
    return (await core.service.handle(Incoming(user=user, command=read(text)))).text


@pytest.fixture
async def two(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[Core, Core]]:
    """Two cores on one database, as two processes of one deployment would be."""
    cores = [
        await make_core(
            tmp_path,
            [LocalVendor(work_dir=tmp_path / name)],
            database_url=database_url,
            admin_user_ids=[str(ADMIN)],
            video_vendors=["local"],
        )
        for name in ("a", "b")
    ]
    yield cores[0], cores[1]
    for core in cores:
        await core.aclose()


@BACKENDS
async def test_a_change_in_one_process_applies_at_once_in_the_other(two: tuple[Core, Core]) -> None:
    a, b = two
    assert "10 of 10 credits" in await say(b, USER, "/quota")
    reply = await say(a, ADMIN, "/settings quota_credits_per_day 3")
    assert "QUOTA_CREDITS_PER_DAY: 10 → 3" in reply
    assert "3 of 3 credits" in await say(a, USER, "/quota")
    assert "3 of 3 credits" in await say(b, USER, "/quota")  # no restart, another process
    assert b.settings.quota_credits_per_day == 3
    listing = await say(b, ADMIN, "/settings")
    assert "QUOTA_CREDITS_PER_DAY = 3 (changed at run time)" in listing
    assert "MAX_JOBS_PER_USER = 2 (environment)" in listing

    assert "3 → 10" in await say(b, ADMIN, "/settings reset QUOTA_CREDITS_PER_DAY")
    assert "10 of 10 credits" in await say(a, USER, "/quota")
    log = await a.store.audit_log(0)
    assert [(e.action, e.target, e.before, e.after, e.actor, e.source) for e in log] == [
        ("setting_reset", "QUOTA_CREDITS_PER_DAY", "3", "10", str(ADMIN), "telegram"),
        ("setting", "QUOTA_CREDITS_PER_DAY", "10", "3", str(ADMIN), "telegram"),
    ]


@BACKENDS
async def test_the_job_limit_changes_what_the_queue_lets_through(two: tuple[Core, Core]) -> None:
    a, b = two
    await say(a, ADMIN, "/settings MAX_JOBS_PER_USER 5")
    await b.service.live.refresh()
    assert b.settings.max_jobs_per_user == 5
    assert b.engine.settings.max_jobs_per_user == 5  # the queue reads the same object


@BACKENDS
async def test_a_bad_value_is_refused_with_the_environments_message(two: tuple[Core, Core]) -> None:
    a, _ = two
    with pytest.raises(ValidationError) as exc:
        Settings(_env_file=None, max_jobs_per_user="0")
    reply = await say(a, ADMIN, "/settings MAX_JOBS_PER_USER 0")
    assert problems(exc.value) in reply
    assert "MAX_JOBS_PER_USER: Input should be greater than or equal to 1" in reply
    assert "unknown vendor nosuch" in await say(a, ADMIN, "/settings VIDEO_VENDORS nosuch")
    assert "not a setting to change here" in await say(a, ADMIN, "/settings DATABASE_URL x")
    assert await a.store.stored_settings() == {}
    assert await a.store.audit_log(0) == []
    assert "for admins" in await say(a, USER, "/settings MAX_JOBS_PER_USER 9")


@BACKENDS
async def test_grants_and_bans_are_audited(two: tuple[Core, Core]) -> None:
    a, _ = two
    await say(a, ADMIN, "/grant telegram:2 5")
    await say(a, ADMIN, "/ban telegram:2")
    await say(a, ADMIN, "/unban 2")
    log = [(e.action, e.target, e.before, e.after) for e in await a.store.audit_log(0)]
    assert log == [
        ("unban", "telegram:2", "banned", "allowed"),
        ("ban", "telegram:2", "allowed", "banned"),
        ("grant", "telegram:2", "0", "5"),
    ]
    shown = await say(a, ADMIN, "/settings audit")
    assert "telegram:1 grant telegram:2: 0 → 5" in shown


async def test_the_vendor_order_and_default_model_apply_to_new_videos(tmp_path: Path) -> None:
    """Two vendors: the local one and Runway's client (never reached: the engine does not
    launch jobs here), planned in the order VIDEO_VENDORS gives at the time."""
    runway = CASES["runway"][1](api_key="k", base_url="http://127.0.0.1:9")
    local = LocalVendor(work_dir=tmp_path / "local")
    core = await make_core(
        tmp_path, [local, runway], video_vendors=["local", "runway"],
        admin_user_ids=[str(ADMIN)], quota_credits_per_day=100, confirm_above_credits=100,
    )  # fmt: skip
    core.engine.launch = lambda job_id: None  # type: ignore[method-assign]
    try:
        first = (await core.service.handle(Incoming(USER, read("/video a boat")))).job
        assert first is not None and first.request.vendors[0] == "local"
        reply = await say(core, ADMIN, "/settings VIDEO_VENDORS runway, local")
        assert "local,runway → runway,local" in reply
        second = (await core.service.handle(Incoming(USER, read("/video a boat")))).job
        assert second is not None and list(second.request.vendors) == ["runway", "local"]
        assert second.request.model is None  # each vendor's own default

        assert "unknown task" in await say(core, ADMIN, "/settings VIDEO_DEFAULT_MODELS x:y")
        reply = await say(core, ADMIN, "/settings VIDEO_DEFAULT_MODELS text:Veo 3.1 Fast")
        assert "→ text:veo3.1_fast" in reply
        third = (await core.service.handle(Incoming(USER, read("/video a boat")))).job
        assert third is not None and third.request.model == "veo3.1_fast"
        assert list(third.request.vendors) == ["runway"]  # the only one serving it

        await say(core, ADMIN, "/settings VIDEO_VENDORS local")  # runway: no new jobs
        fourth = (await core.service.handle(Incoming(USER, read("/video a boat")))).job
        assert fourth is not None and list(fourth.request.vendors) == ["local"]
        assert fourth.request.model is None  # the default model is not served: the vendor's
    finally:
        await core.aclose()


async def test_a_stored_value_this_build_refuses_leaves_the_environments(tmp_path: Path) -> None:
    core = await make_core(tmp_path)
    try:
        entry = AuditEntry(1.0, "cli:x", "cli", "setting", "MAX_JOBS_PER_USER", "", "0")
        await core.store.put_setting("MAX_JOBS_PER_USER", "0", entry)
        live = LiveSettings(core.store, CORE_KEYS, [core.settings])
        await live.refresh()
        assert core.settings.max_jobs_per_user == 2
    finally:
        await core.aclose()


async def test_commands_arriving_together_share_their_reads(tmp_path: Path) -> None:
    """A burst of commands costs two version reads, not one each, and a command arriving
    after a change sees it."""
    core = await make_core(tmp_path)
    try:
        reads = 0
        real = core.store.settings_version

        async def counted() -> int:
            nonlocal reads
            reads += 1
            return await real()

        core.store.settings_version = counted  # type: ignore[method-assign]
        live = LiveSettings(core.store, CORE_KEYS, [core.settings])
        await asyncio.gather(*(live.refresh() for _ in range(50)))
        assert reads <= 2
        entry = AuditEntry(1.0, "cli:x", "cli", "setting", "MAX_JOBS_PER_USER", "2", "6")
        await core.store.put_setting("MAX_JOBS_PER_USER", "6", entry)
        await asyncio.gather(*(live.refresh() for _ in range(50)))
        assert core.settings.max_jobs_per_user == 6
    finally:
        await core.aclose()
