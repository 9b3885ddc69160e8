"""The SQL of one account across platforms, in SQLite and PostgreSQL alike (PostgreSQL's
through `postgres.dialect.pg`): which account a user belongs to, who its users are, and
what they use together. An account is named by its primary user; `user_links` holds every
other user of it (and, once linked, the primary too)."""

from __future__ import annotations

from bot.models import ACTIVE_STATES
from bot.storage.payment_rows import HISTORY_READ

# The account's users as a subquery taking the account twice: its linked users and itself.
_MEMBERS = "SELECT user FROM user_links WHERE account = ? UNION SELECT ?"
_ACTIVE = ", ".join(f"'{s.value}'" for s in ACTIVE_STATES)  # constants, safe to inline

ACCOUNT_OF = "SELECT account FROM user_links WHERE user = ?"
MEMBERS = "SELECT user FROM user_links WHERE account = ? ORDER BY user"
# The day's free credits used by the account's users together (account, account, day).
USED_ON = f"SELECT COALESCE(SUM(used), 0) FROM daily_usage WHERE user IN ({_MEMBERS}) AND day = ?"
# The account's active jobs (account, account).
ACTIVE_OF = f"SELECT COUNT(*) FROM jobs WHERE user IN ({_MEMBERS}) AND state IN ({_ACTIVE})"
# What an account holds: its bonus, its ban and its bought credits.
ACCOUNT_BALANCE = "SELECT bonus, banned, purchased FROM users WHERE user = ?"
ENSURE_USER = "INSERT INTO users (user, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING"
ADD_USAGE = (
    "INSERT INTO daily_usage (user, day, used) VALUES (?, ?, ?) "
    "ON CONFLICT (user, day) DO UPDATE SET used = daily_usage.used + excluded.used"
)
PUT_CODE = "INSERT INTO link_codes (code_hash, user, expires_at) VALUES (?, ?, ?)"
DROP_CODES = "DELETE FROM link_codes WHERE user = ? OR expires_at < ?"
# Uses a code up (and drops the expired ones), returning its owner and expiry when it was one.
TAKE_CODE = (
    "DELETE FROM link_codes WHERE code_hash = ? OR expires_at < ? RETURNING code_hash, user, "
    "expires_at"
)
LINK = "INSERT INTO user_links (user, account, linked_at) VALUES (?, ?, ?)"
UNLINK = "DELETE FROM user_links WHERE user IN (?, ?)"
MOVE_LINKS = "UPDATE user_links SET account = ? WHERE account = ?"
# Bonus and bought credits move together (bonus, bought, user).
ADD_BONUS = "UPDATE users SET bonus = bonus + ?, purchased = purchased + ? WHERE user = ?"
CLEAR_BONUS = "UPDATE users SET bonus = 0, purchased = 0 WHERE user = ?"
HAND_OVER = (
    "UPDATE users SET bonus = bonus + ?, purchased = purchased + ?, banned = ? WHERE user = ?"
)
SET_BANNED = "UPDATE users SET banned = ? WHERE user = ?"
# An account's balance (account x5, day, account x2): bonus, bought credits, ban, the day's
# use, active jobs (the columns `rows.balance_from` takes).
BALANCE = (
    "SELECT (SELECT bonus FROM users WHERE user = ?), "
    "(SELECT purchased FROM users WHERE user = ?), "
    f"(SELECT banned FROM users WHERE user = ?), ({USED_ON}), ({ACTIVE_OF})"
)
# Every ledger entry of the account's users (account, account, limit), newest first.
HISTORY = HISTORY_READ.replace("l.user = ?", f"l.user IN ({_MEMBERS})")


def balance_params(account: str, day: str) -> tuple[str, ...]:
    return (account, account, account, account, account, day, account, account)


def move_entries(
    now: float, source: str, target: str, moved: tuple[int, int], notes: tuple[str, str]
) -> list[tuple[object, ...]]:
    """`LEDGER_INSERT` values for (bonus, bought credits) moving from `source` to `target`:
    a pair of cancelling rows per kind moved (`grant`, `purchase`), so no credits appear."""
    entries: list[tuple[object, ...]] = []
    for kind, amount in zip(("grant", "purchase"), moved, strict=True):
        if amount:
            entries.append((now, source, None, kind, -amount, notes[0]))
            entries.append((now, target, None, kind, amount, notes[1]))
    return entries


def members_of(account: str, linked: list[str]) -> list[str]:
    """The account's users from its `MEMBERS` rows: the primary first."""
    return [account, *(u for u in linked if u != account)]
