"""The few Telegram-only texts the core catalogue does not have (English and Chinese)."""

from __future__ import annotations

from typing import Any

from bot.texts import norm_locale

TEXTS: dict[str, dict[str, str]] = {
    "hint": {
        "en": "Send /video followed by what you want to see, or reply to a photo with "
        "/video and how it should move. /help explains everything.",
        "zh": "发送 /video 加上想看的画面,或回复一张照片并发送 /video 描述它如何运动。"
        "/help 查看完整说明。",
    },
    "download_failed": {
        "en": "⚠️ I couldn't fetch that file from Telegram; nothing was charged. "
        "Please send it again.",
        "zh": "⚠️ 无法从 Telegram 获取该文件,未扣除额度。请重新发送。",
    },
    "cmd_grant": {"en": "Admin: give a user bonus credits", "zh": "管理员:给用户奖励额度"},
    "cmd_ban": {"en": "Admin: stop a user making videos", "zh": "管理员:封禁用户"},
    "cmd_unban": {"en": "Admin: lift a ban", "zh": "管理员:解封用户"},
    "cmd_stats": {"en": "Admin: today's numbers", "zh": "管理员:今日统计"},
}


def tg_text(locale: str | None, key: str, **params: Any) -> str:
    entry = TEXTS[key]
    text = entry.get(norm_locale(locale)) or entry["en"]
    return text.format(**params) if params else text
