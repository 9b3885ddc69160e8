"""MAX_JOBS_PER_USER raised with /settings lets waiting jobs go to the vendor at once,
against the Runway emulator over real HTTP: the line is looked at again on the change,
not only when a job ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import read
from bot.models import UserRef
from bot.service import Incoming
from tests.emulators.runway import RunwayEmulator
from tests.helpers import wait_until
from tests.test_core_engine import _core, creates, start

USER = UserRef("test", "1")
ADMIN = UserRef("test", "admin")


@pytest.mark.emulator(run_seconds=30)
async def test_a_higher_job_limit_sends_waiting_jobs_at_once(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    core = await _core(tmp_path, emu, max_jobs_per_user=1, admin_user_ids=[str(ADMIN)])
    try:
        await start(core)
        for i in range(3):
            reply = await core.service.handle(Incoming(user=USER, command=read(f"/video cat {i}")))
            assert reply.job is not None, reply.text
        await wait_until(lambda: creates(emu) == 1)
        change = Incoming(user=ADMIN, command=read("/settings MAX_JOBS_PER_USER 3"))
        assert "1 → 3" in (await core.service.handle(change)).text
        waiting = [t for t in core.engine.queue.tickets.values() if t.granted is None]
        assert waiting == []  # granted with the change, not at the next job's end
        await wait_until(lambda: creates(emu) == 3)  # the first is still rendering (30 s)
        for job in await core.store.active_jobs():
            await core.engine.cancel(job.id)
    finally:
        await core.aclose()
