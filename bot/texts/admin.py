"""Admin commands: /grant, /ban, /unban, /stats and their refusals."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "admin_help": {
        "en": "Admin: /grant USER CREDITS · /ban USER · /unban USER · /stats · /settings · "
        "/groupquota N|member N|off — a group chat's shared daily budget (any chat)",
        "zh": "管理员:/grant 用户 点数 · /ban 用户 · /unban 用户 · /stats · /settings · "
        "/groupquota 点数|member 点数|off —— 群的每日共享预算(任何群)",
    },
    "not_admin": {"en": "That command is for admins.", "zh": "该命令仅限管理员。"},
    "usage_grant": {
        "en": "Usage: /grant platform:id CREDITS (e.g. /grant telegram:12345 5)",
        "zh": "用法:/grant 平台:编号 点数(例如 /grant telegram:12345 5)",
    },
    "usage_user": {
        "en": "Usage: /{command} platform:id (e.g. /{command} telegram:12345)",
        "zh": "用法:/{command} 平台:编号(例如 /{command} telegram:12345)",
    },
    "grant_ok": {
        "en": "✅ {user} now has {bonus} bonus credit(s).",
        "zh": "✅ {user} 现有奖励额度 {bonus} 点。",
    },
    "ban_ok": {"en": "✅ {user} is banned.", "zh": "✅ 已封禁 {user}。"},
    "unban_ok": {"en": "✅ {user} may make videos again.", "zh": "✅ 已解封 {user}。"},
    "stats": {
        "en": "📊 Today: {jobs} jobs, {delivered} delivered, {failed} refunded, "
        "{active} rendering now; {spent} credits spent, {users} users.",
        "zh": "📊 今天:{jobs} 个任务,{delivered} 个已送达,{failed} 个已退还,"
        "{active} 个正在生成;消耗 {spent} 点,{users} 位用户。",
    },
    "notice_balance_low": {
        "en": "⚠️ {vendor}: balance {balance} is below the alert level {threshold} "
        "(VENDOR_BALANCE_ALERT). Top it up before videos start failing.",
        "zh": "⚠️ {vendor}:余额 {balance} 低于提醒线 {threshold}(VENDOR_BALANCE_ALERT)。"
        "请在视频开始失败前充值。",
    },
    "notice_balance_out": {
        "en": "⛔ {vendor} says the account is out of credits. Top it up; until then jobs "
        "go to the other vendors or fail and are refunded.",
        "zh": "⛔ {vendor} 表示账户额度已用完。请充值;在此之前任务会转给其他供应商,或失败并退还额度。",
    },
    "notice_balance_ok": {
        "en": "✅ {vendor}: balance back to {balance}.",
        "zh": "✅ {vendor}:余额已恢复到 {balance}。",
    },
    "notice_spend_cap": {
        "en": "🛑 Today's vendor spend ${spent} reached DAILY_SPEND_LIMIT ${limit}: new videos "
        "are refused until midnight UTC (in {reset}).",
        "zh": "🛑 今天的供应商花费 ${spent} 已达到 DAILY_SPEND_LIMIT ${limit}:"
        "在 UTC 午夜前(还有 {reset})不再接受新视频。",
    },
    "stats_spend": {
        "en": "💵 Vendor spend: ${today} today, ${week} in the last 7 days.",
        "zh": "💵 供应商花费:今天 ${today},最近 7 天 ${week}。",
    },
    "cmd_grant": {"en": "Admin: give a user bonus credits", "zh": "管理员:给用户奖励额度"},
    "cmd_ban": {"en": "Admin: stop a user making videos", "zh": "管理员:封禁用户"},
    "cmd_unban": {"en": "Admin: let a user make videos again", "zh": "管理员:解除封禁"},
    "cmd_stats": {"en": "Admin: today's numbers", "zh": "管理员:今日统计"},
    "err_user_id": {
        "en": "That isn't a user id. Write platform:id, e.g. telegram:12345 "
        "(telegram and discord ids are numbers, console ids a short name).",
        "zh": "这不是有效的用户编号。请写成 平台:编号,例如 telegram:12345"
        "(telegram 和 discord 的编号是数字,console 的编号是简短的名字)。",
    },
    "usage_grant_amount": {
        "en": "Credits must be a whole number from -{max} to {max}, e.g. /grant telegram:12345 5",
        "zh": "点数必须是 -{max} 到 {max} 之间的整数,例如 /grant telegram:12345 5",
    },
    "vendor_held": {
        "en": "⚠️ The video service {vendor} refused new videos: {reason}. It is skipped until "
        "that is fixed (top up its credits or fix its key, then restart the bot; a balance it "
        "reports is checked every few minutes). Other services take the jobs meanwhile.",
        "zh": "⚠️ 视频服务 {vendor} 拒绝了新任务:{reason}。在修复之前将跳过它(充值或更换密钥后"
        "重启机器人;若该服务报告余额,每隔几分钟会自动检查)。其间由其他服务接单。",
    },
}
