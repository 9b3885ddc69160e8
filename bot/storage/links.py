"""One account across platforms in SQLite: `user_links` maps a platform user to its
account's primary user, and every money transaction resolves through it.

Rules, each one transaction: the daily free credits are counted over all of an account's
users (their `daily_usage` rows are summed, so a job's usage stays on the row of the user
who asked for it and a refund finds it there); bonus credits and the ban live on the
primary's row. Linking and unlinking wait until no job of either side is active, so a job
is settled by the account that reserved it. Neither creates credits: linking moves the
joiner's bonus to the primary (two `grant` rows that cancel out); unlinking leaves the
bonus with the account, keeps the account's usage of the day, spends the day's free
credits of the user who leaves (theirs again tomorrow), and keeps a ban on them.
"""

from __future__ import annotations

import sqlite3

from bot.models import ACTIVE_STATES
from bot.storage.base import LinkResult
from bot.storage.batching import Batcher, Kind
from bot.storage.rows import LEDGER_INSERT, marks

_STATES = tuple(s.value for s in ACTIVE_STATES)


def account_of(db: sqlite3.Connection, user: str) -> str:
    """The primary user of `user`'s account (itself when not linked)."""
    row = db.execute("SELECT account FROM user_links WHERE user = ?", (user,)).fetchone()
    return str(row[0]) if row else user


def members(db: sqlite3.Connection, account: str) -> list[str]:
    """Every user of the account whose primary is `account`, the primary first."""
    rows = db.execute("SELECT user FROM user_links WHERE account = ? ORDER BY user", (account,))
    return [account, *(str(r[0]) for r in rows if r[0] != account)]


def used_on(db: sqlite3.Connection, users: list[str], day: str) -> int:
    (used,) = db.execute(
        "SELECT COALESCE(SUM(used), 0) FROM daily_usage "
        f"WHERE day = ? AND user IN ({marks(users)})",
        (day, *users),
    ).fetchone()
    return int(used)


def active_of(db: sqlite3.Connection, users: list[str]) -> int:
    (active,) = db.execute(
        f"SELECT COUNT(*) FROM jobs WHERE user IN ({marks(users)}) AND state IN ({marks(_STATES)})",
        (*users, *_STATES),
    ).fetchone()
    return int(active)


def ensure_user(db: sqlite3.Connection, user: str, now: float) -> None:
    db.execute(
        "INSERT INTO users (user, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING", (user, now)
    )


class LinkOps(Batcher):
    """Link codes and the joining and splitting of accounts."""

    async def put_link_code(self, user: str, code_hash: str, expires_at: float, now: float) -> None:
        """Remember `user`'s new one-time code (only its hash), replacing an older one."""

        def put(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM link_codes WHERE user = ? OR expires_at < ?", (user, now))
            db.execute(
                "INSERT INTO link_codes (code_hash, user, expires_at) VALUES (?, ?, ?)",
                (code_hash, user, expires_at),
            )

        await self._transaction(put)

    async def link_users(self, code_hash: str, joiner: str, now: float) -> LinkResult:
        """Join `joiner` to the account of the code's owner, using the code up (even when
        the join is refused, so a code is tried once)."""

        def link(db: sqlite3.Connection) -> LinkResult:
            row = db.execute(
                "SELECT user, expires_at FROM link_codes WHERE code_hash = ?", (code_hash,)
            ).fetchone()
            db.execute(
                "DELETE FROM link_codes WHERE code_hash = ? OR expires_at < ?", (code_hash, now)
            )
            if row is None or row[1] < now:
                return LinkResult("link_bad_code")
            owner = str(row[0])
            account = account_of(db, owner)
            if account_of(db, joiner) == account:
                return LinkResult("link_same", account)
            if members(db, joiner) != [joiner] or account_of(db, joiner) != joiner:
                return LinkResult("link_already", account)
            if active_of(db, [*members(db, account), joiner]):
                return LinkResult("link_busy", account)
            ensure_user(db, account, now)
            ensure_user(db, joiner, now)
            (bonus,) = db.execute("SELECT bonus FROM users WHERE user = ?", (joiner,)).fetchone()
            if bonus:
                db.execute("UPDATE users SET bonus = 0 WHERE user = ?", (joiner,))
                db.execute("UPDATE users SET bonus = bonus + ? WHERE user = ?", (bonus, account))
                db.execute(LEDGER_INSERT, (now, joiner, None, "grant", -bonus, f"link {account}"))
                db.execute(LEDGER_INSERT, (now, account, None, "grant", bonus, f"link {joiner}"))
            (banned,) = db.execute("SELECT banned FROM users WHERE user = ?", (joiner,)).fetchone()
            if banned:  # a ban is not shed by joining another account
                db.execute("UPDATE users SET banned = 1 WHERE user = ?", (account,))
            db.execute(
                "INSERT INTO user_links (user, account, linked_at) VALUES (?, ?, ?)",
                (joiner, account, now),
            )
            return LinkResult("link_done", account, moved=bonus)

        return await self._transaction(link)

    async def unlink_user(self, user: str, now: float, day: str, per_day: int) -> LinkResult:
        """Split `user` off its account (the primary leaves by handing the account to
        its next user)."""

        def unlink(db: sqlite3.Connection) -> LinkResult:
            account = account_of(db, user)
            users = members(db, account)
            if len(users) < 2:
                return LinkResult("unlink_none")
            if active_of(db, users):
                return LinkResult("link_busy", account)
            total = used_on(db, users, day)
            bonus, banned = db.execute(
                "SELECT bonus, banned FROM users WHERE user = ?", (account,)
            ).fetchone()
            rest = [u for u in users if u != user]
            primary = account if user != account else rest[0]
            db.execute("DELETE FROM user_links WHERE user IN (?, ?)", (user, primary))
            db.execute("UPDATE user_links SET account = ? WHERE account = ?", (primary, account))
            if primary != account:  # the account's bonus and ban go with it to its new primary
                db.execute("UPDATE users SET bonus = 0 WHERE user = ?", (account,))
                db.execute(
                    "UPDATE users SET bonus = bonus + ?, banned = ? WHERE user = ?",
                    (bonus, banned, primary),
                )
                if bonus:
                    note = f"unlink {user}"
                    db.execute(LEDGER_INSERT, (now, account, None, "grant", -bonus, note))
                    db.execute(LEDGER_INSERT, (now, primary, None, "grant", bonus, note))
            db.execute("UPDATE users SET banned = ? WHERE user = ?", (banned, user))
            # No free credits appear today: the account keeps its usage, the leaver has none.
            for side, floor in ((user, max(total, per_day)), (primary, total)):
                gap = floor - used_on(db, members(db, account_of(db, side)), day)
                if gap > 0:
                    db.execute(
                        "INSERT INTO daily_usage (user, day, used) VALUES (?, ?, ?) "
                        "ON CONFLICT (user, day) DO UPDATE SET used = used + excluded.used",
                        (side, day, gap),
                    )
            return LinkResult("unlink_done", primary)

        return await self._transaction(unlink)

    async def linked_users(self, user: str) -> list[str]:
        """Every user of `user`'s account, itself included (the primary first)."""
        return await self._call(lambda db: members(db, account_of(db, user)), Kind.READ)
