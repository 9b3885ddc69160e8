"""Buying credits (/buy, the invoice, the payment, /paysupport, /terms) and /history."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "cmd_buy": {"en": "Buy credits", "zh": "购买额度"},
    "cmd_history": {"en": "Where your credits went", "zh": "额度明细"},
    "cmd_paysupport": {"en": "Help with a payment", "zh": "付款帮助"},
    "cmd_terms": {"en": "Terms of purchase", "zh": "购买条款"},
    "buy_intro": {
        "en": "💫 Credit packs. Bought credits never expire; a video spends today's free "
        "credits first, then bought ones.\n{packs}",
        "zh": "💫 额度包。购买的额度永不过期;生成视频时先用当天的免费额度,"
        "再用购买的额度。\n{packs}",
    },
    "buy_pack_stars": {
        "en": "• {credits} credits for {stars} ⭐",
        "zh": "• {credits} 点:{stars} ⭐",
    },
    "buy_pack_sku": {"en": "• {credits} credits", "zh": "• {credits} 点"},
    "buy_none": {
        "en": "Credits cannot be bought here. Your free credits come back every day (/quota).",
        "zh": "这里不能购买额度。免费额度每天恢复(/quota)。",
    },
    "invoice_title": {"en": "{credits} video credits", "zh": "{credits} 点视频额度"},
    "invoice_description": {
        "en": "{credits} credits for making videos. They never expire.",
        "zh": "{credits} 点用于生成视频的额度,永不过期。",
    },
    "precheck_unknown_pack": {
        "en": "This pack is not sold any more. Send /buy for the current packs.",
        "zh": "该额度包已下架。发送 /buy 查看当前的额度包。",
    },
    "precheck_other_user": {
        "en": "This invoice was made out to someone else. Send /buy for your own.",
        "zh": "这张账单属于其他用户。发送 /buy 获取你自己的账单。",
    },
    "precheck_banned": {
        "en": "You are blocked from using this bot, so you cannot buy credits.",
        "zh": "你已被禁止使用本机器人,无法购买额度。",
    },
    "purchase_done": {
        "en": "✅ Thank you! {credits} credits added. Bought credits: {purchased}; "
        "credits left in all: {left}.",
        "zh": "✅ 谢谢!已增加 {credits} 点。购买的额度:{purchased} 点;总共剩余:{left} 点。",
    },
    "paysupport_default": {
        "en": "For help with a payment, write to the bot's operator. Refunds of unspent "
        "credits are handled by the operator.",
        "zh": "付款问题请联系机器人的运营者。未使用额度的退款由运营者处理。",
    },
    "terms_default": {
        "en": "Credits pay for generated videos only; they never expire and cannot be "
        "exchanged for money. A failed video returns its credits. Unspent bought credits "
        "may be refunded on request (/paysupport).",
        "zh": "额度只用于生成视频,永不过期,不能兑换现金。生成失败的视频会退回额度。"
        "未使用的购买额度可申请退款(/paysupport)。",
    },
    "quota_purchased": {
        "en": " Bought credits (never expire): {purchased}.",
        "zh": " 购买的额度(永不过期):{purchased} 点。",
    },
    "history_none": {
        "en": "No credit has moved yet. /video spends credits, /buy adds some.",
        "zh": "还没有额度变动。/video 会使用额度,/buy 可以购买。",
    },
    "history_header": {"en": "🧾 Your last credit movements:", "zh": "🧾 最近的额度变动:"},
    "history_line": {
        "en": "{when} {what} {amount} — {ref}",
        "zh": "{when} {what} {amount} — {ref}",
    },
    "history_job": {"en": "job {id}", "zh": "任务 {id}"},
    "history_payment": {"en": "payment {id}", "zh": "付款 {id}"},
    "history_admin": {"en": "by an admin", "zh": "管理员操作"},
    "history_reason": {"en": " ({reason})", "zh": "({reason})"},
    "hist_reserve": {"en": "reserved", "zh": "预留"},
    "hist_charge": {"en": "charged", "zh": "扣除"},
    "hist_refund": {"en": "refunded", "zh": "退回"},
    "hist_grant": {"en": "granted", "zh": "赠送"},
    "hist_purchase": {"en": "purchased", "zh": "购买"},
    "hist_payment_refund": {"en": "payment refunded", "zh": "付款退款"},
    # why a refunded job ended, by its error code (others: "why_failed")
    "why_failed": {"en": "failed", "zh": "失败"},
    "why_cancelled": {"en": "cancelled", "zh": "已取消"},
    "why_timeout": {"en": "took too long", "zh": "超时"},
    "why_moderated": {"en": "refused by the video service", "zh": "被视频服务拒绝"},
    "why_unavailable": {"en": "no video service free", "zh": "没有可用的视频服务"},
    "why_delivery": {"en": "could not be sent", "zh": "无法发送"},
    "why_manual_refund": {"en": "refunded by an admin", "zh": "管理员退回"},
}
