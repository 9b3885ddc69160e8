"""⤴ Upscale: the button, the command and why an upscale cannot start."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "button_upscale": {"en": "⤴ Upscale", "zh": "⤴ 高清放大"},
    "cmd_upscale": {
        "en": "A sharper, larger copy of a finished video",
        "zh": "把已完成的视频放大成更清晰的版本",
    },
    "opt_upscale_job": {
        "en": "The video's job id (see /jobs); empty: your latest video",
        "zh": "视频的任务编号(见 /jobs);留空:最近的视频",
    },
    "upscale_unavailable": {
        "en": "⤴ Upscaling needs a video service that offers it, and none is set up here.",
        "zh": "⤴ 高清放大需要支持它的视频服务,这里没有配置。",
    },
    "upscale_unknown": {
        "en": "I can't find a finished video “{id}” you may upscale. Use the ⤴ Upscale button "
        "under the video, or /upscale ID with an id from /jobs.",
        "zh": "找不到你可以放大的已完成视频“{id}”。请使用视频下方的 ⤴ 高清放大 按钮,"
        "或用 /jobs 里的编号发送 /upscale 编号。",
    },
    "upscale_which": {
        "en": "You have no finished video to upscale yet. Make one with /video first.",
        "zh": "你还没有可以放大的已完成视频。请先用 /video 生成一个。",
    },
    "upscale_gone": {
        "en": "The video of job {id} is no longer kept, so it cannot be upscaled (results are "
        "kept for about a day). Press ↻ Again for a new one and upscale that. No credits "
        "were used.",
        "zh": "任务 {id} 的视频已不再保留,无法放大(结果约保留一天)。请按 ↻ 再来一次 "
        "生成新视频后再放大。未消耗额度。",
    },
}
