"""Group budgets: /groupquota, its refusals, and a group's jobs refused by its pool."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "usage_groupquota": {
        "en": "Usage: /groupquota 50 — a daily pool of 50 credits for this chat · "
        "/groupquota member 5 — at most 5 a member a day (member off: no cap) · "
        "/groupquota off — remove the pool · /groupquota — today's use. "
        "Amounts are whole numbers from 1 to {max}.",
        "zh": "用法:/groupquota 50 —— 本群每天共享 50 点额度 · "
        "/groupquota member 5 —— 每位成员每天最多 5 点(member off:不限) · "
        "/groupquota off —— 取消群预算 · /groupquota —— 查看今天的使用情况。"
        "数量须为 1 到 {max} 之间的整数。",
    },
    "groupquota_private": {
        "en": "👥 /groupquota is for groups: in a group, its admins can give the chat a "
        "shared daily budget that everyone's videos there draw from. Here you use your own "
        "credits (/quota).",
        "zh": "👥 /groupquota 用于群组:群管理员可以为群设置每日共享预算,"
        "群内所有人的视频都从中扣除。这里使用你自己的额度(/quota)。",
    },
    "groupquota_not_admin": {
        "en": "👥 Only this chat's admins can manage its group budget. Nothing was changed; "
        "ask an admin, or see your own credits with /quota.",
        "zh": "👥 只有本群管理员可以管理群预算。未做任何更改;"
        "请联系管理员,或用 /quota 查看你自己的额度。",
    },
    "groupquota_none": {
        "en": "👥 This chat has no group budget: everyone uses their own credits. "
        "Set one with /groupquota 50.",
        "zh": "👥 本群没有群预算:每个人使用自己的额度。用 /groupquota 50 设置一个。",
    },
    "groupquota_set": {
        "en": "✅ This chat now has {per_day} credits a day to share{cap}. Videos asked here "
        "draw from it, not from members' own credits; it resets at midnight UTC.",
        "zh": "✅ 本群现在每天共享 {per_day} 点额度{cap}。"
        "在这里生成的视频从中扣除,不动成员自己的额度;每天 UTC 午夜重置。",
    },
    "groupquota_cap": {
        "en": ", at most {per_member} a member",
        "zh": ",每位成员最多 {per_member} 点",
    },
    "groupquota_off": {
        "en": "✅ Group budget removed: everyone here uses their own credits again.",
        "zh": "✅ 已取消群预算:这里的每个人重新使用自己的额度。",
    },
    "groupquota_report": {
        "en": "👥 Group budget: {per_day} credits a day{cap}.\n"
        "Used today: {used} · left: {left} · resets in {reset} (midnight UTC).",
        "zh": "👥 群预算:每天 {per_day} 点{cap}。\n今天已用 {used} 点 · 剩余 {left} 点 · "
        "{reset} 后重置(UTC 午夜)。",
    },
    "groupquota_member_line": {"en": "• {member}: {used}", "zh": "• {member}:{used} 点"},
    "groupquota_nobody": {"en": "Nobody has used it today.", "zh": "今天还没有人使用。"},
    "left_group": {
        "en": "{left} for you from this chat's group budget",
        "zh": "本群预算中你还可用 {left} 点",
    },
    "quota_group": {
        "en": "👥 In this chat the group budget pays: {left} left for you today.",
        "zh": "👥 在本群由群预算支付:你今天还可用 {left} 点。",
    },
    "err_group_pool": {
        "en": "👥 This chat's group budget for today is used up: this video costs {cost} and "
        "{left} is left. It resets in {reset} (midnight UTC); nothing was charged.",
        "zh": "👥 本群今天的群预算已用完:此视频需要 {cost} 点,剩余 {left} 点。"
        "{reset} 后(UTC 午夜)重置;未扣除任何额度。",
    },
    "err_group_member": {
        "en": "👥 You've used your share of this chat's group budget today ({cap} a member): "
        "this video costs {cost} and you have {left} left. It resets in {reset} (midnight "
        "UTC); nothing was charged.",
        "zh": "👥 你今天在本群预算中的份额已用完(每人 {cap} 点):"
        "此视频需要 {cost} 点,你还剩 {left} 点。{reset} 后(UTC 午夜)重置;未扣除任何额度。",
    },
    "cmd_groupquota": {
        "en": "Group admins: a shared daily budget for this chat",
        "zh": "群管理员:设置本群的每日共享预算",
    },
    "opt_groupquota_setting": {
        "en": "50 (a pool a day) · member 5 (a cap each) · off — empty: today's use",
        "zh": "50(每日总额)· member 5(每人上限)· off —— 留空:查看今天的使用",
    },
}
