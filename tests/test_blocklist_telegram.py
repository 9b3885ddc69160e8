"""PROMPT_BLOCKLIST through Telegram: the real python-telegram-bot Application against the
Bot API emulator, the core against the Runway emulator. A blocked prompt gets the neutral
reply in the user's language; the vendor sees no create and no credit moves."""

from __future__ import annotations

from pathlib import Path

from bot import texts
from bot.models import UserRef
from tests.helpers import task_calls
from tests.test_telegram_e2e import RigFactory, make_rig  # noqa: F401 (a fixture)


async def test_a_blocked_prompt_is_refused_in_the_users_language(
    make_rig: RigFactory,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    blocklist = tmp_path / "blocklist.txt"
    blocklist.write_text("gore\n暴力\n", encoding="utf-8")
    rig = await make_rig(prompt_blocklist=blocklist)
    tg = rig.tg
    zh_user = tg.user(1002, language="zh-hans")
    for text, user, locale in (
        ("/video Gore in the rain", tg.user(), "en"),
        ("/video 一段暴力的视频", zh_user, "zh"),
    ):
        sent = tg.push_message(tg.make_message(text, user=user))
        (reply,) = await tg.wait_for(
            "sendMessage", where=lambda c, m=sent: c.reply_to == m["message_id"]
        )
        assert reply.params["text"] == texts.t(locale, "err_prompt_blocked")
    assert task_calls(rig.vendor) == []
    assert await rig.used() == 0 and await rig.used(1002) == 0
    for uid in ("1001", "1002"):
        assert await rig.core.store.user_jobs(UserRef("telegram", uid), 10) == []
