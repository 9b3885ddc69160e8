"""/history: a user's last credit movements, each with the job or payment it belongs to and,
for a refunded job, why it ended."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import texts
from bot.models import UserRef
from bot.storage.base import Store
from bot.storage.payment_types import HistoryEntry

HISTORY_LIMIT = 20


async def history_text(store: Store, user: UserRef, locale: str) -> str:
    entries = await store.history(user, HISTORY_LIMIT)
    if not entries:
        return texts.t(locale, "history_none")
    lines = [texts.t(locale, "history_header")]
    lines += [history_line(entry, locale) for entry in entries]
    return "\n".join(lines)


def history_line(entry: HistoryEntry, locale: str) -> str:
    what = texts.t(locale, f"hist_{entry.kind}")
    if entry.reason:
        why = f"why_{entry.reason}" if f"why_{entry.reason}" in texts.CATALOG else "why_failed"
        what += texts.t(locale, "history_reason", reason=texts.t(locale, why))
    if entry.job_id:
        ref = texts.t(locale, "history_job", id=entry.job_id[:8])
    elif entry.payment_id:
        ref = texts.t(locale, "history_payment", id=entry.payment_id)
    else:
        ref = texts.t(locale, "history_admin")
    # A reservation takes credits, its charge only settles them (no sign), a refund gives
    # them back.
    sign = (
        ""
        if entry.kind == "charge"
        else "−"
        if entry.kind == "reserve" or entry.amount < 0
        else "+"
    )
    return texts.t(
        locale, "history_line",
        when=datetime.fromtimestamp(entry.at, UTC).strftime("%m-%d %H:%M"),
        what=what, amount=f"{sign}{abs(entry.amount)}", ref=ref,
    )  # fmt: skip
