"""/settings through the real Telegram adapter (python-telegram-bot against the Bot API
emulator): an admin narrows TELEGRAM_ALLOWED_CHATS from a private chat and a group is
refused at its next command; `videobot settings reset`, a process of its own on the same
database, opens it again without a restart; both changes are in `videobot audit`."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from bot import texts
from tests.test_console import bot_env
from tests.test_settings_cli import videobot
from tests.test_telegram_e2e import ADMIN_ID, RigFactory, make_rig  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")


async def test_allowed_chats_change_from_chat_and_command_line(
    make_rig: RigFactory,  # noqa: F811
    tmp_path: Path,
) -> None:
    rig = await make_rig()
    tg = rig.tg
    admin = tg.user(ADMIN_ID)

    async def answer(text: str, chat: dict[str, object], user: dict[str, object]) -> str:
        sent = tg.push_message(tg.make_message(text, chat=chat, user=user))
        (reply,) = await tg.wait_for(
            "sendMessage", where=lambda c: c.reply_to == sent["message_id"]
        )
        return str(reply.params["text"])

    group = tg.group_chat(-1001234)
    assert (await answer("/quota", group, rig.ann)).startswith("💳")
    private = tg.private_chat(admin)
    done = await answer("/settings TELEGRAM_ALLOWED_CHATS -100999", private, admin)
    assert "TELEGRAM_ALLOWED_CHATS: (none) → -100999" in done
    assert await answer("/quota", group, rig.ann) == texts.t("en", "not_enabled_here")

    env = bot_env(DATABASE_URL=rig.core.settings.database_url)
    code, out, err = await videobot(env, tmp_path, "settings", "reset", "TELEGRAM_ALLOWED_CHATS")
    assert code == 0, err
    assert (await answer("/quota", group, rig.ann)).startswith("💳")  # no restart

    code, out, err = await videobot(env, tmp_path, "audit")
    assert code == 0, err
    rows = [line.split()[2:6] for line in out.splitlines()[1:]]
    assert rows == [
        [f"cli:{getpass.getuser()}", "cli", "setting_reset", "TELEGRAM_ALLOWED_CHATS"],
        [f"telegram:{ADMIN_ID}", "telegram", "setting", "TELEGRAM_ALLOWED_CHATS"],
    ]
