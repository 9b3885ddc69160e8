"""The model's optional fields (--audio, --negative, --moderation, --expression,
--resolution): refusals of a value or of a model without the field."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "err_option_unsupported": {
        "en": "🧩 {model} has no setting for {option}. Models that do: {models}. "
        "Pick one with --model, or leave out {option}. Nothing was charged.",
        "zh": "🧩 {model} 不支持 {option}。支持的模型:{models}。"
        "请用 --model 选择其中之一,或去掉 {option}。未扣除额度。",
    },
    "err_option_nowhere": {
        "en": "🧩 None of the models here takes {option} for this kind of video. "
        "Leave it out. Nothing was charged.",
        "zh": "🧩 此处没有模型在这类视频上支持 {option}。请去掉它。未扣除额度。",
    },
    "err_resolution": {
        "en": "🖥 {model} makes {allowed}; “{resolution}” isn't one of them.",
        "zh": "🖥 {model} 支持的分辨率为 {allowed},不支持“{resolution}”。",
    },
    "err_resolution_format": {
        "en": "🖥 “{resolution}” isn't a resolution. Write it like --resolution 720p "
        "(or 1080p, 2k).",
        "zh": "🖥 “{resolution}”不是分辨率。请写成 --resolution 720p(或 1080p、2k)。",
    },
    "err_moderation": {
        "en": "🛡 --moderation takes low or auto (how strict the check for public figures "
        "is), not “{value}”.",
        "zh": "🛡 --moderation 只能是 low 或 auto(对公众人物的审核严格程度),不能是“{value}”。",
    },
    "err_expression": {
        "en": "🎭 --expression takes a whole number from {min} to {max} "
        "(higher: stronger expressions).",
        "zh": "🎭 --expression 须为 {min} 到 {max} 的整数(越大表情越强烈)。",
    },
    "err_option_unclosed": {
        "en": "❓ The value of {option} opens a quote that never closes. Write it like {example}.",
        "zh": "❓ {option} 的值有左引号但没有右引号。请写成 {example}。",
    },
    "err_negative_long": {
        "en": "✍️ The negative prompt is too long ({length} characters); at most {max}.",
        "zh": "✍️ 反向描述太长({length} 字符),最多 {max} 字符。",
    },
}
