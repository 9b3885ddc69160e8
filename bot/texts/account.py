"""The cost question before a dear job, and linking one account across platforms."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "confirm_ask": {
        "en": "This video costs {cost} credits; you have {left} left. Press Confirm to start "
        "it (or send /confirm), Cancel (or /cancel) to drop it. Nothing is spent until you "
        "confirm; the question lapses in {minutes} min. Add --yes to skip this question.",
        "zh": "这个视频需要 {cost} 点额度;你还剩 {left} 点。按“确认”开始(或发送 /confirm),"
        "按“取消”(或 /cancel)放弃。确认前不扣额度;此问题 {minutes} 分钟后失效。"
        "加上 --yes 可跳过此确认。",
    },
    "confirm_gone": {
        "en": "That question has lapsed or was answered already; nothing was spent. Send the "
        "command again to start a new one.",
        "zh": "该确认已失效或已回答,未扣额度。请重新发送命令。",
    },
    "confirm_busy": {
        "en": "Too many videos are waiting for a confirmation right now. Try again in a few "
        "minutes, or add --yes to start at once.",
        "zh": "目前等待确认的视频太多。请几分钟后再试,或加上 --yes 直接开始。",
    },
    "confirm_not_yours": {
        "en": "Only the person who asked for this video can confirm or cancel it.",
        "zh": "只有发起这个视频的人可以确认或取消。",
    },
    "confirm_dropped": {
        "en": "Cancelled; nothing was spent.",
        "zh": "已取消,未扣额度。",
    },
    "button_confirm": {"en": "✅ Confirm", "zh": "✅ 确认"},
    "button_decline": {"en": "✖ Cancel", "zh": "✖ 取消"},
    "cmd_confirm": {
        "en": "Start the video waiting for your confirmation",
        "zh": "确认待开始的视频",
    },
    "cmd_link": {
        "en": "One account on Telegram and Discord: get a code, or join with one",
        "zh": "在 Telegram 和 Discord 间共用一个账户:获取代码或用代码关联",
    },
    "opt_link_code": {
        "en": "The code /link gave you on the other platform; empty: get a code here",
        "zh": "在另一个平台用 /link 得到的代码;留空:在这里获取代码",
    },
    "cmd_unlink": {"en": "Split a linked account again", "zh": "解除账户关联"},
    "link_code": {
        "en": "Your link code: {code}\nOn the other platform, send /link {code} within "
        "{minutes} min to use one account (one balance) on both. The code works once.",
        "zh": "你的关联代码:{code}\n请在 {minutes} 分钟内在另一个平台发送 /link {code},"
        "两边即共用一个账户(同一额度)。代码只能使用一次。",
    },
    "link_private": {
        "en": "A link code is personal: send /link to me in a private chat.",
        "zh": "关联代码是私密的:请在与我的私聊中发送 /link。",
    },
    "link_done": {
        "en": "Linked: this account and {account} now share one balance, history and rights. "
        "{moved} bonus and bought credits were moved over. /unlink splits them again.",
        "zh": "已关联:此账户与 {account} 现在共用额度、记录和权限。"
        "已转入 {moved} 点奖励与购买额度。发送 /unlink 可解除。",
    },
    "link_bad_code": {
        "en": "That code is unknown, used or expired. Send /link on the other platform for a "
        "fresh one.",
        "zh": "该代码无效、已使用或已过期。请在另一个平台发送 /link 获取新代码。",
    },
    "link_same": {"en": "These are already one account.", "zh": "它们已经是同一个账户。"},
    "link_already": {
        "en": "This user is already linked to another account; /unlink it first.",
        "zh": "此用户已关联到另一个账户;请先发送 /unlink。",
    },
    "link_busy": {
        "en": "A video of one of these accounts is still rendering. Link or unlink once it "
        "is done.",
        "zh": "其中一个账户仍有视频在生成。请等它完成后再关联或解除。",
    },
    "link_slow_down": {
        "en": "Too many link codes tried. Wait {minutes} min, then get a fresh code.",
        "zh": "尝试的关联代码过多。请等待 {minutes} 分钟后再获取新代码。",
    },
    "unlink_done": {
        "en": "Unlinked. Bonus and bought credits stay with {account}; the one who left gets "
        "daily free credits again from tomorrow (UTC).",
        "zh": "已解除关联。奖励与购买额度留在 {account};"
        "离开的一方从明天(UTC)起重新获得每日免费额度。",
    },
    "unlink_none": {"en": "This account is not linked.", "zh": "此账户没有关联。"},
}
