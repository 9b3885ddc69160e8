"""A video's progress: acceptance, status lines, captions, quota, /jobs and /cancel."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "accepted": {
        "en": "🎬 On it: “{prompt}”\n{model} · {duration}s · {ratio} · seed {seed} · job {id}\n"
        "Cost: {cost} credit(s). Credits left today: {left}",
        "zh": "🎬 开始生成:“{prompt}”\n{model} · {duration} 秒 · {ratio} · 种子 {seed} · 任务 {id}\n"
        "消耗 {cost} 点 · 今天剩余额度:{left}",
    },
    "notice_header": {"en": "🎬 “{prompt}” · job {id}", "zh": "🎬 “{prompt}” · 任务 {id}"},
    "left_unlimited": {"en": "unlimited", "zh": "不限"},
    "status_queued": {"en": "⏳ Queued at {vendor}…", "zh": "⏳ 正在 {vendor} 排队…"},
    "status_in_line": {
        "en": "⏳ {place} in line · ready in about {eta}",
        "zh": "⏳ 排在第 {place} 位 · 预计约 {eta} 后完成",
    },
    "status_starting": {
        "en": "⏳ Starting · ready in about {eta}",
        "zh": "⏳ 即将开始 · 预计约 {eta} 后完成",
    },
    "status_left": {"en": " · about {eta} left", "zh": " · 约剩 {eta}"},
    "status_running": {"en": "🎨 Rendering… {bar}", "zh": "🎨 正在渲染… {bar}"},
    "status_delivering": {"en": "📤 Uploading the video…", "zh": "📤 正在上传视频…"},
    "status_done": {"en": "✅ Done.", "zh": "✅ 完成。"},
    "caption": {
        "en": "🎬 {prompt}\n{model} · {duration}s · seed {seed}",
        "zh": "🎬 {prompt}\n{model} · {duration} 秒 · 种子 {seed}",
    },
    "result_link": {
        "en": "🎬 Your video is ready but too large to upload here ({size_mb} MB): {url}\n"
        "The link expires within about 24 hours.",
        "zh": "🎬 视频已生成,但文件太大({size_mb} MB)无法在此上传:{url}\n链接约 24 小时内失效。",
    },
    "quota": {
        "en": "💳 {left} of {daily} credits left today (resets in {reset}).{bonus}\n"
        "Prices: {prices}. Rendering now: {active}.",
        "zh": "💳 今天剩余 {left}/{daily} 点(距重置 {reset})。{bonus}\n"
        "价格:{prices}。正在生成:{active} 个。",
    },
    "price_model": {"en": "{model}: {prices}", "zh": "{model}:{prices}"},
    "price_length": {"en": "{seconds} s = {credits}", "zh": "{seconds} 秒 {credits} 点"},
    "quota_bonus": {"en": " Bonus credits: {bonus}.", "zh": " 奖励额度:{bonus} 点。"},
    "quota_admin": {
        "en": "💳 You are an admin: unlimited credits. Rendering now: {active}.",
        "zh": "💳 你是管理员:额度不限。正在生成:{active} 个。",
    },
    "jobs_none": {
        "en": "You have no videos yet. Try /video …",
        "zh": "你还没有视频。试试 /video …",
    },
    "jobs_header": {"en": "🎞 Your recent videos:", "zh": "🎞 最近的视频:"},
    "jobs_line": {
        "en": "{id} · {state} · seed {seed} · {prompt}",
        "zh": "{id} · {state} · 种子 {seed} · {prompt}",
    },
    "state_queued": {"en": "in line", "zh": "排队中"},
    "state_reserved": {"en": "starting", "zh": "准备中"},
    "state_submitting": {"en": "starting", "zh": "准备中"},
    "state_running": {"en": "rendering", "zh": "生成中"},
    "state_delivering": {"en": "uploading", "zh": "上传中"},
    "state_delivered": {"en": "delivered", "zh": "已送达"},
    "state_failed": {"en": "failed, refunded", "zh": "失败,已退还"},
    "state_cancelled": {"en": "cancelled, refunded", "zh": "已取消,已退还"},
    "cancel_which": {
        "en": "Which one? /cancel ID — your running videos: {ids}",
        "zh": "要取消哪个?/cancel 编号 —— 正在生成:{ids}",
    },
    "cancel_nothing": {"en": "Nothing is rendering for you.", "zh": "你没有正在生成的视频。"},
    "cancel_unknown": {
        "en": "I can't find a video “{id}” of yours. See /jobs.",
        "zh": "找不到你的视频“{id}”。请查看 /jobs。",
    },
    "cancel_forbidden": {
        "en": "Only the person who asked for this video (or an admin) can cancel it.",
        "zh": "只有发起者(或管理员)可以取消这个视频。",
    },
    "cancel_too_late": {
        "en": "That video is already {state}.",
        "zh": "该视频已{state}。",
    },
    "cancel_ok": {
        "en": "🛑 Cancelled {id}; {cost} credit(s) refunded.",
        "zh": "🛑 已取消 {id},已退还 {cost} 点额度。",
    },
}
