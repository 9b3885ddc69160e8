"""One account across platforms in PostgreSQL, by the rules of the SQLite room
(`bot/storage/links.py`) and on the same SQL (`bot/storage/link_rows.py`).

Which account a user belongs to changes only while the rows of every user it concerns are
locked (the joiner's and the account's on a link, all the account's users on an unlink), so
a money transaction that has locked its user's and its account's rows (`lock_account`)
reads an account that stays as it is until it commits. Users' rows are locked in the order
of their names, before any job or usage row, as every money transaction does.
"""

from __future__ import annotations

from typing import Any

from bot.storage import link_rows as sql
from bot.storage.link_types import LinkResult
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.rows import LEDGER_INSERT

LOCK_USERS = 'SELECT "user" FROM users WHERE "user" = ANY($1) ORDER BY "user" FOR UPDATE'


async def account_of(db: Any, user: str) -> str:
    """The primary user of `user`'s account (itself when not linked)."""
    return str(await db.fetchval(pg(sql.ACCOUNT_OF), user) or user)


async def members(db: Any, account: str) -> list[str]:
    """Every user of the account whose primary is `account`, the primary first."""
    return sql.members_of(account, [str(r[0]) for r in await db.fetch(pg(sql.MEMBERS), account)])


async def used_on(db: Any, account: str, day: str) -> int:
    return int(await db.fetchval(pg(sql.USED_ON), account, account, day))


async def active_of(db: Any, account: str) -> int:
    return int(await db.fetchval(pg(sql.ACTIVE_OF), account, account))


async def lock_account(db: Any, user: str, now: float) -> tuple[str, int, int, int]:
    """Create `user`'s row when missing, lock it and its account's row; (the account, its
    bonus, its ban, its bought credits) as they stand while this transaction holds the locks."""
    await db.execute(pg(sql.ENSURE_USER), user, now)
    while True:
        account = await account_of(db, user)
        await db.execute(LOCK_USERS, [user, account])
        if await account_of(db, user) == account:  # not linked or unlinked meanwhile
            bonus, banned, bought = await db.fetchrow(pg(sql.ACCOUNT_BALANCE), account)
            return account, int(bonus), int(banned), int(bought)


class PgLinks(PgBase):
    """Link codes and the joining and splitting of accounts."""

    async def put_link_code(self, user: str, code_hash: str, expires_at: float, now: float) -> None:
        async def put(db: Any) -> None:
            await db.execute(pg(sql.DROP_CODES), user, now)
            await db.execute(pg(sql.PUT_CODE), code_hash, user, expires_at)

        await self._transaction(put)

    async def link_users(self, code_hash: str, joiner: str, now: float) -> LinkResult:
        """Join `joiner` to the account of the code's owner, using the code up (even when
        the join is refused, so a code is tried once)."""

        async def link(db: Any) -> LinkResult:
            rows = await db.fetch(pg(sql.TAKE_CODE), code_hash, now)
            row = next((r for r in rows if r[0] == code_hash), None)
            if row is None or row[2] < now:
                return LinkResult("link_bad_code")
            owner = str(row[1])
            while True:
                sides = (await account_of(db, owner), await account_of(db, joiner))
                await db.execute(LOCK_USERS, [owner, joiner, *sides])
                if (await account_of(db, owner), await account_of(db, joiner)) == sides:
                    break
            account, joined = sides
            if joined == account:
                return LinkResult("link_same", account)
            if joined != joiner or await members(db, joiner) != [joiner]:
                return LinkResult("link_already", account)
            if await active_of(db, account) or await active_of(db, joiner):
                return LinkResult("link_busy", account)
            for user in (account, joiner):
                await db.execute(pg(sql.ENSURE_USER), user, now)
            bonus, banned, bought = await db.fetchrow(pg(sql.ACCOUNT_BALANCE), joiner)
            if bonus or bought:
                await db.execute(pg(sql.CLEAR_BONUS), joiner)
                await db.execute(pg(sql.ADD_BONUS), bonus, bought, account)
                notes = (f"link {account}", f"link {joiner}")
                moves = sql.move_entries(now, joiner, account, (bonus, bought), notes)
                await db.executemany(pg(LEDGER_INSERT), moves)
            if banned:  # a ban is not shed by joining another account
                await db.execute(pg(sql.SET_BANNED), 1, account)
            await db.execute(pg(sql.LINK), joiner, account, now)
            return LinkResult("link_done", account, moved=bonus + bought)

        return await self._transaction(link)

    async def unlink_user(self, user: str, now: float, day: str, per_day: int) -> LinkResult:
        """Split `user` off its account (the primary leaves by handing the account to
        its next user)."""

        async def unlink(db: Any) -> LinkResult:
            while True:
                account = await account_of(db, user)
                users = await members(db, account)
                await db.execute(LOCK_USERS, users)
                if await account_of(db, user) == account and await members(db, account) == users:
                    break
            if len(users) < 2:
                return LinkResult("unlink_none")
            if await active_of(db, account):
                return LinkResult("link_busy", account)
            total = await used_on(db, account, day)
            bonus, banned, bought = await db.fetchrow(pg(sql.ACCOUNT_BALANCE), account)
            primary = account if user != account else users[1]
            await db.execute(pg(sql.UNLINK), user, primary)
            await db.execute(pg(sql.MOVE_LINKS), primary, account)
            if primary != account:  # the account's bonus and ban go with it to its new primary
                await db.execute(pg(sql.CLEAR_BONUS), account)
                await db.execute(pg(sql.HAND_OVER), bonus, bought, banned, primary)
                notes = (f"unlink {user}",) * 2
                moves = sql.move_entries(now, account, primary, (bonus, bought), notes)
                await db.executemany(pg(LEDGER_INSERT), moves)
            await db.execute(pg(sql.SET_BANNED), banned, user)
            # No free credits appear today: the account keeps its usage, the leaver has none.
            for side, floor in ((user, max(total, per_day)), (primary, total)):
                gap = floor - await used_on(db, await account_of(db, side), day)
                if gap > 0:
                    await db.execute(pg(sql.ADD_USAGE), side, day, gap)
            return LinkResult("unlink_done", primary)

        return await self._transaction(unlink)

    async def linked_users(self, user: str) -> list[str]:
        async def read(db: Any) -> list[str]:
            return await members(db, await account_of(db, user))

        return await self._run(read)
