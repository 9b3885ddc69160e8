"""Commands and help: /help, the command menus, and Discord's options, forms and menus."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "help": {
        "en": (
            "🎬 I turn a message into a short AI video.\n\n"
            "/video a fox running through snow — text to video\n"
            "Reply to a photo with /video make it wave — animate the photo\n"
            "Two photos (album) with /video … — first and last frame\n"
            "Reply to a video with /video … — restyle the video\n"
            "/act — reply to a performance video with a character photo captioned /act\n\n"
            "Options, before or after the prompt: --duration N (seconds, per model below)  "
            "--ratio 16:9|9:16|1:1|4:3|3:4|21:9|portrait|landscape|square  --seed N  "
            "--model NAME  --watermark (also ratio=9:16 duration=10 before the prompt). "
            'Where the model has them: --audio / --no-audio, --negative "what to leave out", '
            "--moderation low|auto (public figures), --expression 1-5 (/act), "
            "--resolution 720p. "
            'A prompt in quotes is taken word for word: /video "a sign that says --seed 5"\n\n'
            "/quota — your credits · /jobs — your videos · /cancel ID — stop one · "
            "/upscale ID — a sharper, larger copy of a finished video\n"
            "Prices in credits: {prices}. "
            "You get {daily} credits a day (UTC). Failed videos are refunded.\n"
            "👥 In a group, its admins can share a daily budget: /groupquota 50."
        ),
        "zh": (
            "🎬 我可以把一句话变成一段 AI 短视频。\n\n"
            "/video 一只狐狸在雪地里奔跑 —— 文字生成视频\n"
            "回复一张照片并发送 /video 让它挥手 —— 让照片动起来\n"
            "两张照片(相册)配文 /video … —— 首帧和尾帧\n"
            "回复一段视频并发送 /video … —— 视频风格转换\n"
            "/act —— 用角色照片配文 /act 回复一段表演视频\n\n"
            "选项(写在描述之前或之后):--duration 秒数(见下方模型)  "
            "--ratio 16:9|9:16|1:1|4:3|3:4|21:9|竖屏|横屏|方形  --seed 数字  "
            "--model 模型  --watermark(也可在描述前写 ratio=9:16 duration=10)。"
            '模型支持时还可用:--audio / --no-audio、--negative "不想出现的内容"、'
            "--moderation low|auto(公众人物审核)、--expression 1-5(/act)、"
            "--resolution 720p。"
            '加引号的描述会原样使用:/video "写着 --seed 5 的招牌"\n\n'
            "/quota —— 我的额度 · /jobs —— 我的视频 · /cancel 编号 —— 取消 · "
            "/upscale 编号 —— 高清放大已完成的视频\n"
            "价格:{prices}。"
            "每天(UTC){daily} 点额度,生成失败会自动退还。\n"
            "👥 在群组中,群管理员可以设置每日共享预算:/groupquota 50。"
        ),
    },
    "help_models": {"en": "🎞 Models at {vendor}:", "zh": "🎞 {vendor} 的模型:"},
    "help_model_line": {
        "en": "• {title} ({name}): {does} · {seconds}",
        "zh": "• {title}({name}):{does} · {seconds}",
    },
    "help_seconds": {"en": "{n} s", "zh": "{n} 秒"},
    "help_input_length": {"en": "input's length", "zh": "与输入等长"},
    "task_text": {"en": "text", "zh": "文字"},
    "task_image": {"en": "photo", "zh": "照片"},
    "task_first_last": {"en": "first+last", "zh": "首尾帧"},
    "task_video": {"en": "video", "zh": "视频"},
    "task_act": {"en": "performance", "zh": "表演"},
    "cmd_video": {"en": "Make a video from text or a photo", "zh": "用文字或照片生成视频"},
    "cmd_act": {"en": "Animate a character with a performance", "zh": "用表演视频驱动角色"},
    "cmd_quota": {"en": "Your credits today", "zh": "今天的额度"},
    "cmd_jobs": {"en": "Your recent videos", "zh": "最近的视频"},
    "cmd_cancel": {"en": "Stop a video that is rendering", "zh": "取消正在生成的视频"},
    "cmd_help": {"en": "How to use the bot", "zh": "使用说明"},
    "unknown_command": {
        "en": "I don't know that command. Try /help.",
        "zh": "无法识别该命令。试试 /help。",
    },
    "hint": {
        "en": "Send /video followed by what you want to see, or reply to a photo with /video and how it should move. /help explains everything.",
        "zh": "发送 /video 加上想看的画面,或回复一张照片并发送 /video 描述它如何运动。/help 查看完整说明。",
    },
    # Discord command options, forms and menus
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
    "opt_audio": {"en": "With sound (models that make audio)", "zh": "生成声音(支持音频的模型)"},
    "opt_negative": {"en": "What the video should not show", "zh": "视频中不要出现的内容"},
    "opt_moderation": {
        "en": "Public-figure check: low (less strict) or auto",
        "zh": "公众人物审核:low(较宽松)或 auto",
    },
    "opt_expression": {"en": "Expression strength, 1 to 5", "zh": "表情强度,1 到 5"},
    "opt_resolution": {
        "en": "Output resolution, where the model has one",
        "zh": "输出分辨率(模型支持时)",
    },
    "opt_character": {"en": "Image or video of the character", "zh": "角色的图片或视频"},
    "opt_performance": {"en": "Video of the performance to copy", "zh": "要模仿的表演视频"},
    "opt_body": {"en": "Carry gestures too, not only the face", "zh": "同时同步肢体动作"},
    "opt_job": {"en": "Job id (see /jobs)", "zh": "任务编号(见 /jobs)"},
    "opt_user": {"en": "A @mention, a user id or platform:id", "zh": "@用户、用户编号或 平台:编号"},
    "opt_credits": {"en": "Bonus credits to set", "zh": "奖励额度点数"},
    "choice_seconds": {"en": "{n} seconds", "zh": "{n} 秒"},
    "button_again": {"en": "↻ Again", "zh": "↻ 再来一次"},
    "button_cancel": {"en": "Cancel", "zh": "取消"},
}
