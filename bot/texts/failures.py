"""Why a video failed after it started; every one says the credits came back."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "failed_moderated": {
        "en": "🚫 The video service refused this content. Try wording the prompt differently "
        "or use another image. Your {cost} credit(s) were refunded.",
        "zh": "🚫 视频服务拒绝了该内容。请换一种描述或换一张图片。已退还 {cost} 点额度。",
    },
    "failed_timeout": {
        "en": "⌛ The video took too long and was stopped. Your {cost} credit(s) were refunded.",
        "zh": "⌛ 视频生成超时,已停止。已退还 {cost} 点额度。",
    },
    "failed_queue_timeout": {
        "en": "⌛ Your video waited in line too long without a free slot, so it was taken out. "
        "Your {cost} credit(s) were refunded; please try again later.",
        "zh": "⌛ 你的视频排队太久仍未轮到,已移出队列。已退还 {cost} 点额度,请稍后再试。",
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
    "reason_model": {
        "en": "the video service account here can't use this model; pick another with "
        "--model (/help lists them)",
        "zh": "此处的视频服务账户无法使用该模型,请用 --model 换用其他模型(/help 有列表)",
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
}
