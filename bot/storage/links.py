"""One account across platforms in SQLite: `user_links` maps a platform user to its
account's primary user, and every money transaction resolves through it.

Rules, each one transaction: the daily free credits are counted over all of an account's
users (their `daily_usage` rows are summed, so a job's usage stays on the row of the user
who asked for it and a refund finds it there); bonus and bought credits and the ban live
on the primary's row. Linking and unlinking wait until no job of either side is active, so
a job is settled by the account that reserved it. Neither creates credits: linking moves
the joiner's bonus and bought credits to the primary (`grant` and `purchase` rows that
cancel out); unlinking leaves them with the account, keeps the account's usage of the day,
spends the day's free credits of the user who leaves (theirs again tomorrow), and keeps a
ban on them.
"""

from __future__ import annotations

import sqlite3

from bot.storage import link_rows as sql
from bot.storage.batching import Batcher, Kind
from bot.storage.link_types import LinkResult
from bot.storage.rows import LEDGER_INSERT


def account_of(db: sqlite3.Connection, user: str) -> str:
    """The primary user of `user`'s account (itself when not linked)."""
    row = db.execute(sql.ACCOUNT_OF, (user,)).fetchone()
    return str(row[0]) if row else user


def members(db: sqlite3.Connection, account: str) -> list[str]:
    """Every user of the account whose primary is `account`, the primary first."""
    return sql.members_of(account, [str(r[0]) for r in db.execute(sql.MEMBERS, (account,))])


def used_on(db: sqlite3.Connection, account: str, day: str) -> int:
    return int(db.execute(sql.USED_ON, (account, account, day)).fetchone()[0])


def active_of(db: sqlite3.Connection, account: str) -> int:
    return int(db.execute(sql.ACTIVE_OF, (account, account)).fetchone()[0])


def ensure_user(db: sqlite3.Connection, user: str, now: float) -> None:
    db.execute(sql.ENSURE_USER, (user, now))


class LinkOps(Batcher):
    """Link codes and the joining and splitting of accounts."""

    async def put_link_code(self, user: str, code_hash: str, expires_at: float, now: float) -> None:
        """Remember `user`'s new one-time code (only its hash), replacing an older one."""

        def put(db: sqlite3.Connection) -> None:
            db.execute(sql.DROP_CODES, (user, now))
            db.execute(sql.PUT_CODE, (code_hash, user, expires_at))

        await self._transaction(put)

    async def link_users(self, code_hash: str, joiner: str, now: float) -> LinkResult:
        """Join `joiner` to the account of the code's owner, using the code up (even when
        the join is refused, so a code is tried once)."""

        def link(db: sqlite3.Connection) -> LinkResult:
            rows = db.execute(sql.TAKE_CODE, (code_hash, now)).fetchall()
            row = next((r for r in rows if r[0] == code_hash), None)
            if row is None or row[2] < now:
                return LinkResult("link_bad_code")
            account = account_of(db, str(row[1]))
            if account_of(db, joiner) == account:
                return LinkResult("link_same", account)
            if members(db, joiner) != [joiner] or account_of(db, joiner) != joiner:
                return LinkResult("link_already", account)
            if active_of(db, account) or active_of(db, joiner):
                return LinkResult("link_busy", account)
            ensure_user(db, account, now)
            ensure_user(db, joiner, now)
            bonus, banned, bought = db.execute(sql.ACCOUNT_BALANCE, (joiner,)).fetchone()
            if bonus or bought:
                db.execute(sql.CLEAR_BONUS, (joiner,))
                db.execute(sql.ADD_BONUS, (bonus, bought, account))
                notes = (f"link {account}", f"link {joiner}")
                moves = sql.move_entries(now, joiner, account, (bonus, bought), notes)
                db.executemany(LEDGER_INSERT, moves)
            if banned:  # a ban is not shed by joining another account
                db.execute(sql.SET_BANNED, (1, account))
            db.execute(sql.LINK, (joiner, account, now))
            return LinkResult("link_done", account, moved=bonus + bought)

        return await self._transaction(link)

    async def unlink_user(self, user: str, now: float, day: str, per_day: int) -> LinkResult:
        """Split `user` off its account (the primary leaves by handing the account to
        its next user)."""

        def unlink(db: sqlite3.Connection) -> LinkResult:
            account = account_of(db, user)
            users = members(db, account)
            if len(users) < 2:
                return LinkResult("unlink_none")
            if active_of(db, account):
                return LinkResult("link_busy", account)
            total = used_on(db, account, day)
            bonus, banned, bought = db.execute(sql.ACCOUNT_BALANCE, (account,)).fetchone()
            primary = account if user != account else users[1]
            db.execute(sql.UNLINK, (user, primary))
            db.execute(sql.MOVE_LINKS, (primary, account))
            if primary != account:  # the account's bonus and ban go with it to its new primary
                db.execute(sql.CLEAR_BONUS, (account,))
                db.execute(sql.HAND_OVER, (bonus, bought, banned, primary))
                notes = (f"unlink {user}",) * 2
                moves = sql.move_entries(now, account, primary, (bonus, bought), notes)
                db.executemany(LEDGER_INSERT, moves)
            db.execute(sql.SET_BANNED, (banned, user))
            # No free credits appear today: the account keeps its usage, the leaver has none.
            for side, floor in ((user, max(total, per_day)), (primary, total)):
                gap = floor - used_on(db, account_of(db, side), day)
                if gap > 0:
                    db.execute(sql.ADD_USAGE, (side, day, gap))
            return LinkResult("unlink_done", primary)

        return await self._transaction(unlink)

    async def linked_users(self, user: str) -> list[str]:
        """Every user of `user`'s account, itself included (the primary first)."""
        return await self._call(lambda db: members(db, account_of(db, user)), Kind.READ)
