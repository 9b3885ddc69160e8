"""Command guards in the core: who cannot start a video costs no image decoding, /cancel
does not tell a stranger which job ids exist, /grant and `videobot grant` take only real
user ids and bounded amounts, and a prompt must show something."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.cli import main
from bot import texts
from bot.bootstrap import Core
from bot.commands import read
from bot.config import Settings
from bot.models import Media, UserRef
from bot.service import Incoming, utc_day
from tests.emulators.runway import RunwayEmulator
from tests.helpers import image_bytes, spy_on_decoding
from tests.test_core_quota import ADMIN, USER, core_with

pytestmark = pytest.mark.emulator(run_seconds=60)


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
    return Incoming(user=user, command=read(text), images=photos)


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
    core = await make(max_jobs_per_user=1, max_queued_per_user=0)
    await core.start()
    first = await core.service.handle(Incoming(user=USER, command=read("/video a long one")))
    assert first.job is not None, first.text
    reply = await core.service.handle(photo_msg())
    assert not decodes
    assert "already have 1 video" in reply.text
    ledger = await core.store.ledger()
    assert [e.kind for e in ledger] == ["reserve"]


async def test_cancel_answers_the_same_for_anothers_job_and_no_job(make) -> None:  # type: ignore[no-untyped-def]
    core = await make()
    await core.start()
    started = await core.service.handle(Incoming(user=USER, command=read("/video mine")))
    assert started.job is not None
    stranger = UserRef("test", "2")
    prefix = started.job.id[:6]
    theirs = await core.service.cancel(stranger, prefix, "en")
    missing = "ffffff" if not prefix.startswith("ffffff") else "eeeeee"
    nothing = await core.service.cancel(stranger, missing, "en")
    assert theirs.text.replace(prefix, "ID") == nothing.text.replace(missing, "ID")
    assert theirs.error and nothing.error


BAD_USERS = [
    "telegram:@bob", "telegram:bob", "telegram:-5", "telegram:0", "telegram:",
    "x:y:z", "discord:12 3", "telegram:1\u200b", "telegram:١٢", "console:a\x00b",
    "console:" + "a" * 40, ":5", "tele gram:5",
]  # fmt: skip
BAD_AMOUNTS = ["99999999999999999999", "1000001", "-1000001", "5.5", "1e9", "²", "five"]


@pytest.mark.parametrize("target", BAD_USERS)
async def test_grant_refuses_malformed_user_ids(make, target: str) -> None:  # type: ignore[no-untyped-def]
    core = await make()
    reply = await core.service.handle(Incoming(user=ADMIN, command=read(f"/grant {target} 5")))
    usage = {texts.t("en", "err_user_id"), texts.t("en", "usage_grant")}  # spaces: 3 words
    assert reply.error and reply.text in usage, reply.text
    assert not await core.store.ledger()


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
async def test_grant_refuses_unbounded_amounts(make, amount: str) -> None:  # type: ignore[no-untyped-def]
    core = await make()
    reply = await core.service.handle(Incoming(user=ADMIN, command=read(f"/grant test:1 {amount}")))
    assert reply.error and "-1000000 to 1000000" in reply.text, reply.text
    assert not await core.store.ledger()


async def test_grant_at_the_bounds_keeps_whole_numbers(make) -> None:  # type: ignore[no-untyped-def]
    core = await make()
    for _ in range(2):
        reply = await core.service.handle(
            Incoming(user=ADMIN, command=read("/grant telegram:5 1000000"))
        )
        assert not reply.error, reply.text
    reply = await core.service.handle(
        Incoming(user=ADMIN, command=read("/grant 7 -3"))
    )  # own platform
    assert not reply.error, reply.text
    balance = await core.store.balance(UserRef("telegram", "5"), utc_day(core.service.clock()))
    assert balance.bonus == 2_000_000 and isinstance(balance.bonus, int)
    reply = await core.service.handle(Incoming(user=ADMIN, command=read("/ban telegram:@bob")))
    assert reply.text == texts.t("en", "err_user_id")


@pytest.mark.parametrize(
    ("user", "credits"),
    [("telegram:@bob", "5"), ("x:y:z", "5"), ("telegram:5", "99999999999999999999")],
)
def test_admin_cli_grant_refuses_bad_input(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    user: str,
    credits: str,
) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'videobot.db'}")
    assert main(["grant", user, credits]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("id" in err or "credits" in err), err


INVISIBLE = ["\x00", "\u200b\u200b", "\u200d\ufeff", "\u2800", "\u3164", "\u202e\u2066", "\u0301"]


@pytest.mark.parametrize("prompt", INVISIBLE)
async def test_a_prompt_of_invisible_characters_is_refused(make, prompt: str) -> None:  # type: ignore[no-untyped-def]
    core = await make()
    reply = await core.service.handle(Incoming(user=USER, command=read(f"/video {prompt}")))
    assert reply.error and reply.text == texts.t("en", "err_prompt_invisible"), repr(reply.text)
    assert not await core.store.ledger()


async def test_a_visible_prompt_is_kept_as_typed(make) -> None:  # type: ignore[no-untyped-def]
    core = await make()
    reply = await core.service.handle(Incoming(user=USER, command=read("/video a\u200bb 🌊")))
    assert reply.job is not None, reply.text
    assert reply.job.prompt == "a\u200bb 🌊"
