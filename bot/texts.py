"""Every user-facing text, in English and Simplified Chinese, in one catalogue.

Adapters pass the user's platform locale; `t()` picks the language and fills the fields.
Keys stay stable so tests and adapters can refer to them.
"""

from __future__ import annotations

from typing import Any

LOCALES = ("en", "zh")

CATALOG: dict[str, dict[str, str]] = {
    "help": {
        "en": (
            "🎬 I turn a message into a short AI video.\n\n"
            "/video a fox running through snow — text to video\n"
            "Reply to a photo with /video make it wave — animate the photo\n"
            "Two photos (album) with /video … — first and last frame\n"
            "Reply to a video with /video … — restyle the video\n"
            "/act — reply to a performance video with a character photo captioned /act\n\n"
            "Options, before or after the prompt: --duration 5|10  "
            "--ratio 16:9|9:16|1:1|4:3|3:4|21:9|portrait|landscape|square  --seed N  "
            "--model NAME  --watermark (also ratio=9:16 duration=10 before the prompt). "
            'A prompt in quotes is taken word for word: /video "a sign that says --seed 5"\n\n'
            "/quota — your credits · /jobs — your videos · /cancel ID — stop one\n"
            "A 5 s video costs {cost5} credit(s), a 10 s video {cost10}. "
            "You get {daily} credits a day (UTC). Failed videos are refunded."
        ),
        "zh": (
            "🎬 我可以把一句话变成一段 AI 短视频。\n\n"
            "/video 一只狐狸在雪地里奔跑 —— 文字生成视频\n"
            "回复一张照片并发送 /video 让它挥手 —— 让照片动起来\n"
            "两张照片(相册)配文 /video … —— 首帧和尾帧\n"
            "回复一段视频并发送 /video … —— 视频风格转换\n"
            "/act —— 用角色照片配文 /act 回复一段表演视频\n\n"
            "选项(写在描述之前或之后):--duration 5|10  "
            "--ratio 16:9|9:16|1:1|4:3|3:4|21:9|竖屏|横屏|方形  --seed 数字  "
            "--model 模型  --watermark(也可在描述前写 ratio=9:16 duration=10)。"
            '加引号的描述会原样使用:/video "写着 --seed 5 的招牌"\n\n'
            "/quota —— 我的额度 · /jobs —— 我的视频 · /cancel 编号 —— 取消\n"
            "5 秒视频消耗 {cost5} 点,10 秒消耗 {cost10} 点。"
            "每天(UTC){daily} 点额度,生成失败会自动退还。"
        ),
    },
    "admin_help": {
        "en": "Admin: /grant USER CREDITS · /ban USER · /unban USER · /stats",
        "zh": "管理员:/grant 用户 点数 · /ban 用户 · /unban 用户 · /stats",
    },
    "cmd_video": {"en": "Make a video from text or a photo", "zh": "用文字或照片生成视频"},
    "cmd_act": {"en": "Animate a character with a performance", "zh": "用表演视频驱动角色"},
    "cmd_quota": {"en": "Your credits today", "zh": "今天的额度"},
    "cmd_jobs": {"en": "Your recent videos", "zh": "最近的视频"},
    "cmd_cancel": {"en": "Stop a video that is rendering", "zh": "取消正在生成的视频"},
    "cmd_help": {"en": "How to use the bot", "zh": "使用说明"},
    "accepted": {
        "en": "🎬 On it: “{prompt}”\n{model} · {duration}s · {ratio} · seed {seed} · job {id}\n"
        "Credits left today: {left}",
        "zh": "🎬 开始生成:“{prompt}”\n{model} · {duration} 秒 · {ratio} · 种子 {seed} · 任务 {id}\n"
        "今天剩余额度:{left}",
    },
    "notice_header": {"en": "🎬 “{prompt}” · job {id}", "zh": "🎬 “{prompt}” · 任务 {id}"},
    "left_unlimited": {"en": "unlimited", "zh": "不限"},
    "status_queued": {"en": "⏳ Queued at {vendor}…", "zh": "⏳ 正在 {vendor} 排队…"},
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
    "failed_moderated": {
        "en": "🚫 The video service refused this content. Try wording the prompt differently "
        "or use another image. Your {cost} credit(s) were refunded.",
        "zh": "🚫 视频服务拒绝了该内容。请换一种描述或换一张图片。已退还 {cost} 点额度。",
    },
    "failed_timeout": {
        "en": "⌛ The video took too long and was stopped. Your {cost} credit(s) were refunded.",
        "zh": "⌛ 视频生成超时,已停止。已退还 {cost} 点额度。",
    },
    "failed_vendor": {
        "en": "⚠️ The video could not be made ({reason}). Your {cost} credit(s) were refunded.",
        "zh": "⚠️ 视频生成失败({reason})。已退还 {cost} 点额度。",
    },
    "failed_unavailable": {
        "en": "⚠️ No video service can take this right now. Please try again in a few minutes. "
        "Your {cost} credit(s) were refunded.",
        "zh": "⚠️ 目前没有可用的视频服务,请几分钟后再试。已退还 {cost} 点额度。",
    },
    "failed_delivery": {
        "en": "⚠️ The video was made but could not be sent here. Your {cost} credit(s) "
        "were refunded.",
        "zh": "⚠️ 视频已生成但无法发送到这里。已退还 {cost} 点额度。",
    },
    "failed_cancelled": {
        "en": "🛑 Cancelled. Your {cost} credit(s) were refunded.",
        "zh": "🛑 已取消。已退还 {cost} 点额度。",
    },
    "failed_operator": {
        "en": "🛑 An operator stopped this video. Your {cost} credit(s) were refunded.",
        "zh": "🛑 管理员已停止该视频。已退还 {cost} 点额度。",
    },
    "quota": {
        "en": "💳 {left} of {daily} credits left today (resets in {reset}).{bonus}\n"
        "5 s video: {cost5} · 10 s video: {cost10}. Rendering now: {active}.",
        "zh": "💳 今天剩余 {left}/{daily} 点(距重置 {reset})。{bonus}\n"
        "5 秒视频:{cost5} 点 · 10 秒视频:{cost10} 点。正在生成:{active} 个。",
    },
    "quota_bonus": {"en": " Bonus credits: {bonus}.", "zh": " 奖励额度:{bonus} 点。"},
    "quota_admin": {
        "en": "💳 You are an admin: unlimited credits. Rendering now: {active}.",
        "zh": "💳 你是管理员:额度不限。正在生成:{active} 个。",
    },
    "err_no_credits": {
        "en": "💳 Not enough credits: this video costs {cost} and you have {left} left today. "
        "Credits reset in {reset}; a 5 s video costs less.",
        "zh": "💳 额度不足:此视频需要 {cost} 点,你今天还剩 {left} 点。{reset} 后重置;5 秒视频更便宜。",
    },
    "err_too_many_jobs": {
        "en": "⏳ You already have {active} video(s) rendering (limit {limit}). "
        "Wait for one to finish, or /cancel one.",
        "zh": "⏳ 你已有 {active} 个视频在生成(上限 {limit})。请等待完成,或用 /cancel 取消。",
    },
    "err_banned": {
        "en": "🚫 You can't make videos with this bot.",
        "zh": "🚫 你无法使用此机器人生成视频。",
    },
    "err_prompt_missing": {
        "en": "✍️ Tell me what to make, e.g. /video a paper boat on a stormy sea",
        "zh": "✍️ 请描述想要的视频,例如:/video 暴风雨海面上的一只纸船",
    },
    "err_prompt_too_long": {
        "en": "✍️ The prompt is too long ({length} characters); {model} takes at most {max}.",
        "zh": "✍️ 描述太长({length} 字符),{model} 最多 {max} 字符。",
    },
    "err_ratio": {
        "en": "📐 {model} can't make {ratio} videos. Use one of: {allowed}.",
        "zh": "📐 {model} 不支持 {ratio} 比例。可选:{allowed}。",
    },
    "err_ratio_unknown": {
        "en": "📐 I don't know the ratio “{ratio}”. Use e.g. 16:9, 9:16, 1:1, landscape or portrait.",
        "zh": "📐 无法识别比例“{ratio}”。可用 16:9、9:16、1:1、landscape 或 portrait。",
    },
    "err_duration": {
        "en": "⏱ {model} makes videos of {allowed} seconds; “{duration}” isn't one of them.",
        "zh": "⏱ {model} 支持的时长为 {allowed} 秒,不支持“{duration}”。",
    },
    "err_seed": {
        "en": "🎲 The seed must be a whole number from {min} to {max}.",
        "zh": "🎲 种子必须是 {min} 到 {max} 之间的整数。",
    },
    "err_model_unknown": {
        "en": "🤖 No configured service offers the model “{model}” for this. Available: {models}.",
        "zh": "🤖 没有已配置的服务为此提供模型“{model}”。可用:{models}。",
    },
    "err_mode_unsupported": {
        "en": "🧩 None of the configured video services can do {what}. What works here: {possible}.",
        "zh": "🧩 已配置的视频服务都不支持{what}。当前可用:{possible}。",
    },
    "err_option_unknown": {
        "en": "❓ I don't know the option “{option}”. Options: --duration, --ratio, --seed, "
        "--model, --watermark.",
        "zh": "❓ 无法识别选项“{option}”。可用选项:--duration、--ratio、--seed、--model、--watermark。",
    },
    "err_option_in_prompt": {
        "en": "✋ “{option}” stands inside the prompt, so I can't tell whether it is a setting "
        "or part of the picture. Nothing was charged.\n"
        "As a setting, put it before or after the prompt:\n{fixed}\n"
        "As words of the prompt, put the prompt in quotes:\n{quoted}",
        "zh": "✋ “{option}”出现在描述中间,无法判断它是选项还是画面内容。未扣除额度。\n"
        "如果是选项,请放在描述之前或之后:\n{fixed}\n"
        "如果是描述的一部分,请给描述加上引号:\n{quoted}",
    },
    "err_option_value": {
        "en": "❓ The option {option} needs a value, e.g. {example}.",
        "zh": "❓ 选项 {option} 需要一个值,例如 {example}。",
    },
    "err_image_invalid": {
        "en": "🖼 That file isn't an image I can read. Send a JPEG, PNG or WebP photo.",
        "zh": "🖼 无法读取该图片。请发送 JPEG、PNG 或 WebP 格式的照片。",
    },
    "err_image_too_large": {
        "en": "🖼 That image is too large ({size_mb} MB); send one under {max_mb} MB.",
        "zh": "🖼 图片太大({size_mb} MB),请发送小于 {max_mb} MB 的图片。",
    },
    "err_image_aspect": {
        "en": "🖼 That image is too narrow or too wide (width/height {aspect}); "
        "it must be between 0.5 and 2. Crop it and try again.",
        "zh": "🖼 图片过窄或过宽(宽高比 {aspect}),需在 0.5 到 2 之间。请裁剪后重试。",
    },
    "err_video_invalid": {
        "en": "🎞 That file isn't a video I can use. Send an MP4, MOV or WebM video.",
        "zh": "🎞 无法使用该视频。请发送 MP4、MOV 或 WebM 格式的视频。",
    },
    "err_video_too_large": {
        "en": "🎞 That video is too large ({size_mb} MB); send one under {max_mb} MB.",
        "zh": "🎞 视频太大({size_mb} MB),请发送小于 {max_mb} MB 的视频。",
    },
    "err_act_inputs": {
        "en": "🎭 For /act, send a photo of the character captioned /act as a reply to a video "
        "of someone performing (add --body to carry gestures too).",
        "zh": "🎭 使用 /act:发送角色照片并配文 /act,作为对一段表演视频的回复(加 --body 同步肢体动作)。",
    },
    "err_too_many_images": {
        "en": "🖼 I can use at most two images: the first and the last frame.",
        "zh": "🖼 最多使用两张图片:首帧和尾帧。",
    },
    "what_text": {"en": "text-to-video", "zh": "文字生成视频"},
    "what_image": {"en": "photo animation", "zh": "照片动画"},
    "what_first_last": {"en": "first-and-last-frame videos", "zh": "首尾帧视频"},
    "what_video": {"en": "video-to-video", "zh": "视频转视频"},
    "what_act": {"en": "character performance", "zh": "角色表演"},
    "jobs_none": {
        "en": "You have no videos yet. Try /video …",
        "zh": "你还没有视频。试试 /video …",
    },
    "jobs_header": {"en": "🎞 Your recent videos:", "zh": "🎞 最近的视频:"},
    "jobs_line": {
        "en": "{id} · {state} · seed {seed} · {prompt}",
        "zh": "{id} · {state} · 种子 {seed} · {prompt}",
    },
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
    "unknown_command": {
        "en": "I don't know that command. Try /help.",
        "zh": "无法识别该命令。试试 /help。",
    },
    "not_enabled_here": {
        "en": "This bot isn't enabled in this chat.",
        "zh": "此机器人未在本聊天中启用。",
    },
    "internal_error": {
        "en": "⚠️ Something went wrong on my side; nothing was charged. Please try again.",
        "zh": "⚠️ 出了点问题,未扣除额度。请重试。",
    },
    # Shared by the chat adapters
    "hint": {
        "en": "Send /video followed by what you want to see, or reply to a photo with /video and how it should move. /help explains everything.",
        "zh": "发送 /video 加上想看的画面,或回复一张照片并发送 /video 描述它如何运动。/help 查看完整说明。",
    },
    "download_failed": {
        "en": "⚠️ I couldn't fetch that file; nothing was charged. Please send it again.",
        "zh": "⚠️ 无法获取该文件,未扣除额度。请重新发送。",
    },
    "cmd_grant": {"en": "Admin: give a user bonus credits", "zh": "管理员:给用户奖励额度"},
    "cmd_ban": {"en": "Admin: stop a user making videos", "zh": "管理员:封禁用户"},
    "cmd_unban": {"en": "Admin: let a user make videos again", "zh": "管理员:解除封禁"},
    "cmd_stats": {"en": "Admin: today's numbers", "zh": "管理员:今日统计"},
    # Discord command options, forms and menus
    "no_image": {
        "en": "🖼 That message has no image I can animate.",
        "zh": "🖼 该消息中没有可以生成动画的图片。",
    },
    "need_manage_guild": {
        "en": "That command needs the Manage Server permission here.",
        "zh": "在此服务器使用该命令需要“管理服务器”权限。",
    },
    "modal_title": {"en": "Animate with video", "zh": "生成动画视频"},
    "modal_prompt": {"en": "What should happen?", "zh": "画面里会发生什么?"},
    "modal_prompt_hint": {
        "en": "e.g. the clouds drift slowly, camera pushes in",
        "zh": "例如:云朵缓缓飘动,镜头慢慢推进",
    },
    "modal_duration": {"en": "Duration in seconds (optional)", "zh": "时长,秒(可选)"},
    "modal_ratio": {"en": "Aspect ratio (optional)", "zh": "画面比例(可选)"},
    "menu_animate": {"en": "Animate with video", "zh": "生成动画视频"},
    "opt_prompt": {"en": "What the video should show", "zh": "视频内容的描述"},
    "opt_image": {"en": "Photo to animate (first frame)", "zh": "要动起来的图片(首帧)"},
    "opt_end_image": {"en": "Photo to end on (last frame)", "zh": "结尾的图片(尾帧)"},
    "opt_duration": {"en": "Length in seconds", "zh": "视频时长(秒)"},
    "opt_ratio": {"en": "Aspect ratio", "zh": "画面比例"},
    "opt_seed": {"en": "Seed, to repeat a result", "zh": "种子,用于复现结果"},
    "opt_model": {"en": "Video model", "zh": "视频模型"},
    "opt_character": {"en": "Image or video of the character", "zh": "角色的图片或视频"},
    "opt_performance": {"en": "Video of the performance to copy", "zh": "要模仿的表演视频"},
    "opt_body": {"en": "Carry gestures too, not only the face", "zh": "同时同步肢体动作"},
    "opt_job": {"en": "Job id (see /jobs)", "zh": "任务编号(见 /jobs)"},
    "opt_user": {"en": "A @mention, a user id or platform:id", "zh": "@用户、用户编号或 平台:编号"},
    "opt_credits": {"en": "Bonus credits to set", "zh": "奖励额度点数"},
    "choice_seconds": {"en": "{n} seconds", "zh": "{n} 秒"},
    "button_again": {"en": "↻ Again", "zh": "↻ 再来一次"},
    "button_cancel": {"en": "Cancel", "zh": "取消"},
    "err_image_pixels": {
        "en": "🖼 That picture is too big ({megapixels} megapixels); the most I take is "
        "{max} megapixels. Send it as a photo rather than a file, or scale it down.",
        "zh": "🖼 图片像素过多({megapixels} 百万像素),最多 {max} 百万像素。"
        "请以照片而非文件发送,或缩小后重试。",
    },
    "err_prompt_invisible": {
        "en": "✍️ Your description has no visible characters. "
        "Tell me what to make, e.g. /video a paper boat on a stormy sea",
        "zh": "✍️ 描述中没有可见的文字。请描述想要的视频,例如:/video 暴风雨海面上的一只纸船",
    },
    "again_unavailable": {
        "en": "This video can't be repeated here. Send your own /video command instead.",
        "zh": "无法在这里重复这个视频。请发送你自己的 /video 命令。",
    },
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
    "reason_vendor_internal": {
        "en": "a problem at the video service; trying again later usually works",
        "zh": "视频服务出现故障,稍后再试通常就可以",
    },
    "reason_input": {
        "en": "the video service could not use the photo or video you sent; try another one",
        "zh": "视频服务无法使用你发送的照片或视频,请换一个试试",
    },
    "reason_bad_output": {
        "en": "the video service discarded its result, often because of text or graphics in "
        "the photo; try again or use another photo",
        "zh": "视频服务放弃了生成结果,常见原因是照片里有文字或图形;请重试或换一张照片",
    },
    "reason_request": {
        "en": "the video service did not accept these settings; try a shorter prompt or "
        "other options",
        "zh": "视频服务不接受这些设置,请缩短描述或换用其他选项",
    },
    "reason_not_video": {
        "en": "the video service sent back something that is not a video",
        "zh": "视频服务返回的内容不是视频",
    },
    "reason_no_video": {
        "en": "the video service sent no usable video",
        "zh": "视频服务没有返回可用的视频",
    },
    "reason_too_large": {"en": "the video is too large", "zh": "视频文件过大"},
    "reason_download": {
        "en": "the video could not be downloaded from the video service",
        "zh": "无法从视频服务下载视频",
    },
    "reason_internal": {"en": "an error in the bot", "zh": "机器人内部出错"},
    "reason_task_lost": {
        "en": "the video service lost track of it",
        "zh": "视频服务找不到该任务了",
    },
    "failed_storage": {
        "en": "⚠️ The bot could not store the video (a problem on our side, not yours). "
        "Please try again later. Your {cost} credit(s) were refunded.",
        "zh": "⚠️ 机器人无法保存该视频(是我们这边的问题)。请稍后再试。已退还 {cost} 点额度。",
    },
    "err_not_a_file": {
        "en": "📄 {path} is not a regular file. Give the path of a photo or video saved on disk.",
        "zh": "📄 {path} 不是普通文件。请提供保存在磁盘上的图片或视频文件的路径。",
    },
}


def norm_locale(code: str | None) -> str:
    """Platform language code (`zh-hans`, `zh_CN`, `zh-TW`, `en-US`, ...) -> catalogue locale."""
    if code and code.lower().replace("_", "-").startswith("zh"):
        return "zh"
    return "en"


def t(locale: str | None, key: str, **params: Any) -> str:
    """The catalogue text for `key` in `locale`, with `params` filled in."""
    entry = CATALOG[key]
    text = entry.get(norm_locale(locale)) or entry["en"]
    return text.format(**params) if params else text


def progress_bar(progress: float | None, width: int = 10) -> str:
    if progress is None:
        return ""
    filled = max(0, min(width, round(progress * width)))
    return "▰" * filled + "▱" * (width - filled) + f" {round(progress * 100)}%"


def duration_text(seconds: float, locale: str | None) -> str:
    hours, rem = divmod(max(0, int(seconds)), 3600)
    minutes = rem // 60
    if norm_locale(locale) == "zh":
        return f"{hours} 小时 {minutes} 分钟" if hours else f"{minutes} 分钟"
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"
