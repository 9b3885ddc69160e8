"""Command guards in the core: who cannot start a video costs no image decoding, and /cancel
does not tell a stranger which job ids exist."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.bootstrap import Core
from bot.models import Media, UserRef
from bot.service import Incoming
from tests.emulators.runway import RunwayEmulator
from tests.helpers import image_bytes, spy_on_decoding
from tests.test_core_quota import ADMIN, USER, core_with


@pytest.fixture
async def emu() -> AsyncIterator[RunwayEmulator]:
    async with RunwayEmulator("test-key", run_seconds=60) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
async def make(tmp_path: Path, emu: RunwayEmulator) -> AsyncIterator[object]:
    cores: list[Core] = []

    async def factory(**kw: object) -> Core:
        core = await core_with(tmp_path, emu, **kw)
        cores.append(core)
        return core

    yield factory
    for core in cores:
        await core.aclose()


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    return spy_on_decoding(monkeypatch)


def photo_msg(text: str = "/video wave", user: UserRef = USER) -> Incoming:
    photos = [Media(image_bytes((640, 480)), "image/jpeg") for _ in range(2)]
    return Incoming(user=user, text=text, images=photos)


async def test_a_banned_users_images_are_never_decoded(make, decodes) -> None:  # type: ignore[no-untyped-def]
    core = await make()
    await core.store.set_banned(USER, True, core.service.clock())
    reply = await core.service.handle(photo_msg())
    assert not decodes
    assert reply.text == texts.t("en", "err_banned")
    refusal = await core.service.admit(USER, "en")
    assert refusal is not None and refusal.text == texts.t("en", "err_banned")


async def test_an_over_quota_users_images_are_never_decoded(make, decodes) -> None:  # type: ignore[no-untyped-def]
    core = await make(quota_credits_per_day=0)
    reply = await core.service.handle(photo_msg())
    assert not decodes
    assert "Not enough credits" in reply.text
    assert await core.service.admit(USER, "en") is not None
    assert await core.service.admit(ADMIN, "en") is None  # admins are unlimited


async def test_images_over_the_job_limit_are_never_decoded(make, decodes) -> None:  # type: ignore[no-untyped-def]
    core = await make(max_jobs_per_user=1)
    await core.start()
    first = await core.service.handle(Incoming(user=USER, text="/video a long one"))
    assert first.job is not None, first.text
    reply = await core.service.handle(photo_msg())
    assert not decodes
    assert "already have 1 video" in reply.text
    ledger = await core.store.ledger()
    assert [e.kind for e in ledger] == ["reserve"]


async def test_cancel_answers_the_same_for_anothers_job_and_no_job(make) -> None:  # type: ignore[no-untyped-def]
    core = await make()
    await core.start()
    started = await core.service.handle(Incoming(user=USER, text="/video mine"))
    assert started.job is not None
    stranger = UserRef("test", "2")
    prefix = started.job.id[:6]
    theirs = await core.service.cancel(stranger, prefix, "en")
    missing = "ffffff" if not prefix.startswith("ffffff") else "eeeeee"
    nothing = await core.service.cancel(stranger, missing, "en")
    assert theirs.text.replace(prefix, "ID") == nothing.text.replace(missing, "ID")
    assert theirs.error and nothing.error
