"""Requests turned away before anything is charged, and what to do instead."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "err_no_credits": {
        "en": "💳 Not enough credits: this video costs {cost} and you have {left} left today. "
        "Credits reset in {reset}; a 5 s video costs less.",
        "zh": "💳 额度不足:此视频需要 {cost} 点,你今天还剩 {left} 点。{reset} 后重置;5 秒视频更便宜。",
    },
    "err_spend_cap": {
        "en": "⏸ The bot has reached its spending limit for today; no credits were taken. "
        "New videos open again in {reset} (midnight UTC).",
        "zh": "⏸ 机器人今天的花费已达上限;未扣除任何额度。{reset} 后(UTC 午夜)可以再次生成视频。",
    },
    "err_too_many_jobs": {
        "en": "⏳ You already have {active} video(s) rendering or waiting in line (limit {limit}). "
        "Wait for one to finish, or /cancel one.",
        "zh": "⏳ 你已有 {active} 个视频在生成或排队(上限 {limit})。请等待完成,或用 /cancel 取消。",
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
        "en": "⏱ {model} takes {allowed} seconds; “{duration}” isn't one of them.",
        "zh": "⏱ {model} 支持的时长为 {allowed} 秒,不支持“{duration}”。",
    },
    "err_seed": {
        "en": "🎲 The seed must be a whole number from {min} to {max}.",
        "zh": "🎲 种子必须是 {min} 到 {max} 之间的整数。",
    },
    "err_duration_format": {
        "en": "⏱ “{duration}” isn't a number of seconds. Write it like --duration 6; "
        "/help lists each model's lengths.",
        "zh": "⏱ “{duration}”不是秒数。请写成 --duration 6;/help 列出各模型支持的时长。",
    },
    "err_seed_unsupported": {
        "en": "🎲 {model} takes no seed, so its videos can't be repeated. "
        "Leave out --seed, or pick a model that takes one.",
        "zh": "🎲 {model} 不支持种子,无法复现视频。请去掉 --seed,或换用支持种子的模型。",
    },
    "err_model_unavailable": {
        "en": "🔒 The video service account here can't use {model}. Pick another model "
        "(/help lists them). Nothing was charged.",
        "zh": "🔒 此处的视频服务账户无法使用 {model}。请换用其他模型(/help 有列表)。未扣除额度。",
    },
    "list_comma": {"en": ", ", "zh": "、"},
    "list_or": {"en": " or ", "zh": " 或 "},
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
        "--model, --watermark, --audio, --no-audio, --negative, --moderation, --expression, "
        "--resolution.",
        "zh": "❓ 无法识别选项“{option}”。可用选项:--duration、--ratio、--seed、--model、--watermark、"
        "--audio、--no-audio、--negative、--moderation、--expression、--resolution。",
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
    "not_enabled_here": {
        "en": "This bot isn't enabled in this chat.",
        "zh": "此机器人未在本聊天中启用。",
    },
    "internal_error": {
        "en": "⚠️ Something went wrong on my side; nothing was charged. Please try again.",
        "zh": "⚠️ 出了点问题,未扣除额度。请重试。",
    },
    "download_failed": {
        "en": "⚠️ I couldn't fetch that file; nothing was charged. Please send it again.",
        "zh": "⚠️ 无法获取该文件,未扣除额度。请重新发送。",
    },
    "no_image": {
        "en": "🖼 That message has no image I can animate.",
        "zh": "🖼 该消息中没有可以生成动画的图片。",
    },
    "need_manage_guild": {
        "en": "That command needs the Manage Server permission here.",
        "zh": "在此服务器使用该命令需要“管理服务器”权限。",
    },
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
    "err_prompt_blocked": {  # PROMPT_BLOCKLIST: neutral, never naming what matched
        "en": "🚫 I can't make a video from this description. Please describe something else.",
        "zh": "🚫 无法根据这段描述制作视频,请换一种描述。",
    },
    "again_unavailable": {
        "en": "This video can't be repeated here. Send your own /video command instead.",
        "zh": "无法在这里重复这个视频。请发送你自己的 /video 命令。",
    },
    "err_not_a_file": {
        "en": "📄 {path} is not a regular file. Give the path of a photo or video saved on disk.",
        "zh": "📄 {path} 不是普通文件。请提供保存在磁盘上的图片或视频文件的路径。",
    },
}
