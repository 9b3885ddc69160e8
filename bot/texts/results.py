"""Kept results: /show, a video compressed to fit, and inputs no longer kept."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "cmd_show": {
        "en": "Send a past video again (/show ID)",
        "zh": "再次发送以前的视频(/show 编号)",
    },
    "opt_show_job": {
        "en": "The video's job id (see /jobs)",
        "zh": "视频的任务编号(见 /jobs)",
    },
    "show_which": {
        "en": "Which video? Send /show ID with an id from /jobs.",
        "zh": "哪个视频?请用 /jobs 里的编号发送 /show 编号。",
    },
    "show_unknown": {
        "en": "I can't find a video “{id}” you may see. Send /show ID with an id from /jobs.",
        "zh": "找不到你可以查看的视频“{id}”。请用 /jobs 里的编号发送 /show 编号。",
    },
    "show_sent": {"en": "🎬 Job {id} again.", "zh": "🎬 再次发送任务 {id}。"},
    "show_link": {
        "en": "🎬 Job {id} is no longer kept here; the video service's link may still work "
        "for a while: {url}",
        "zh": "🎬 任务 {id} 已不再保留在这里;视频服务的链接可能还能用一段时间:{url}",
    },
    "show_gone": {
        "en": "🎬 The video of job {id} is no longer kept (videos are kept {days} days). "
        "Press ↻ Again or use /video for a new one.",
        "zh": "🎬 任务 {id} 的视频已不再保留(视频保留 {days} 天)。请按 ↻ 再来一次或用 /video "
        "生成新视频。",
    },
    "show_path": {"en": "🎬 Job {id}: {path}", "zh": "🎬 任务 {id}:{path}"},
    "jobs_show_hint": {
        "en": "Send /show ID to get a finished video again.",
        "zh": "发送 /show 编号 可再次获取已完成的视频。",
    },
    "again_inputs_gone": {
        "en": "The photo or video job {id} was made from is no longer kept (inputs are kept "
        "7 days), so it cannot be made again. Send it again with /video. No credits were used.",
        "zh": "任务 {id} 所用的图片或视频已不再保留(输入保留 7 天),无法再来一次。请用 /video "
        "重新发送。未消耗额度。",
    },
    "caption_compressed": {
        "en": "(compressed to fit; /show {id} or the link has the original)",
        "zh": "(已压缩以便发送;原片见 /show {id} 或链接)",
    },
    "button_extend": {"en": "⏩ Extend", "zh": "⏩ 续拍"},
    "cmd_extend": {
        "en": "Continue a finished video from its last frame (/extend ID [prompt])",
        "zh": "从最后一帧继续已完成的视频(/extend 编号 [描述])",
    },
    "opt_extend_job": {"en": "The video's job id (see /jobs)", "zh": "视频的任务编号(见 /jobs)"},
    "opt_extend_prompt": {
        "en": "What happens next (empty: the video's own prompt)",
        "zh": "接下来发生什么(留空:沿用原视频的描述)",
    },
    "extend_which": {
        "en": "Which video? Press ⏩ Extend under it, or send /extend ID with an id from /jobs.",
        "zh": "哪个视频?请按视频下方的 ⏩ 续拍,或用 /jobs 里的编号发送 /extend 编号。",
    },
    "extend_unknown": {
        "en": "I can't find a finished video “{id}” you may extend. Use the ⏩ Extend button "
        "under the video, or /extend ID with an id from /jobs.",
        "zh": "找不到你可以续拍的已完成视频“{id}”。请使用视频下方的 ⏩ 续拍 按钮,"
        "或用 /jobs 里的编号发送 /extend 编号。",
    },
    "extend_gone": {
        "en": "The video of job {id} is no longer kept, so it cannot be extended. Press ↻ Again "
        "for a new one and extend that. No credits were used.",
        "zh": "任务 {id} 的视频已不再保留,无法续拍。请按 ↻ 再来一次 生成新视频后再续拍。"
        "未消耗额度。",
    },
}
