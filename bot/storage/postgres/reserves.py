"""Reserves in PostgreSQL by group commit: the reserves a process is asked for while one
batch runs are run together, in order, as the next batch, in one transaction.

Why: alone, a reserve was ten round trips to the server and a commit that waits for the WAL
to reach the disk. A batch takes about as many round trips, and one commit, whatever its
size.

The money rules hold as they do for one reserve. The batch locks the rows of every user it
serves and of their accounts, in the order of their names as every money transaction does
(`links.py`), then reads each account's credits in a statement of its own, after the
locks, so it sees what the last holder committed (in any process). It applies the quota
rule (`quota.split_cost`) to each reserve in turn, each seeing what the ones before it
spent, and writes what the accepted ones pay. A refused reserve gets its QuotaError and
leaves no trace, as alone; a batch that fails for another reason is run again one reserve
at a time, so only the reserve at fault fails.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.errors import QuotaError
from bot.models import ACTIVE_STATES, Job
from bot.storage.base import NewJob, QuotaPolicy
from bot.storage.group_rows import pool_note
from bot.storage.postgres.connection import CALLER_ERRORS
from bot.storage.postgres.dialect import pg
from bot.storage.postgres.groups import PoolBook
from bot.storage.postgres.links import LOCK_USERS
from bot.storage.quota import split_cost
from bot.storage.rows import JOB_INSERT, new_job_values, reserved_job

ACTIVE = ", ".join(f"'{s.value}'" for s in ACTIVE_STATES)  # constants, safe inline


# The batch's users (no duplicates) made sure of, in order of name so that two batches
# creating the same users never wait for each other; each with its account as it was before
# the locks, and whether this transaction created its row.
ENSURE_USERS = (
    'WITH new AS (INSERT INTO users ("user", created_at) '
    "SELECT n, $2 FROM unnest($1::text[]) AS n ORDER BY n ON CONFLICT DO NOTHING "
    'RETURNING "user") '
    'SELECT n, COALESCE(l.account, n), n IN (SELECT "user" FROM new) '
    'FROM unnest($1::text[]) AS n LEFT JOIN user_links AS l ON l."user" = n'
)
# For each (user, day) asked for: its account and what the account holds (bonus, ban,
# bought credits, active jobs and the day's free credits its users used together, counted
# as `link_rows.ACTIVE_OF` and `USED_ON` count them; 0 for a user never seen). A reserve
# reads it after its locks; `Store.balance` reads it for many users at once.
READ_ACCOUNTS = pg(
    "WITH r AS (SELECT DISTINCT r.user, r.day, COALESCE(l.account, r.user) AS account "
    "FROM unnest($1::text[], $2::text[]) AS r(user, day) "
    "LEFT JOIN user_links AS l ON l.user = r.user), "
    "members AS (SELECT account, account AS user FROM r UNION "
    "SELECT account, user FROM user_links WHERE account IN (SELECT account FROM r)), "
    "active AS (SELECT m.account, COUNT(*) AS n FROM members AS m JOIN jobs AS j "
    f"ON j.user = m.user AND j.state IN ({ACTIVE}) GROUP BY m.account), "
    "used AS (SELECT m.account, d.day, SUM(d.used) AS n FROM members AS m "
    "JOIN daily_usage AS d ON d.user = m.user AND d.day IN (SELECT day FROM r) "
    "GROUP BY m.account, d.day) "
    "SELECT r.user, r.day, r.account, COALESCE(a.bonus, 0), COALESCE(a.banned, 0), "
    "COALESCE(a.purchased, 0), COALESCE(active.n, 0), COALESCE(used.n, 0) "
    "FROM r LEFT JOIN users AS a ON a.user = r.account "
    "LEFT JOIN active ON active.account = r.account "
    "LEFT JOIN used ON used.account = r.account AND used.day = r.day"
)
# What the accepted reserves spend, summed: the day's usage per (user, day), not for
# admins ($1-$3), and the bonus and bought credits per account ($4-$6).
SPEND = (
    'WITH usage AS (INSERT INTO daily_usage ("user", day, used) '
    "SELECT * FROM unnest($1::text[], $2::text[], $3::integer[]) "
    'ON CONFLICT ("user", day) DO UPDATE SET used = daily_usage.used + EXCLUDED.used) '
    "UPDATE users SET bonus = users.bonus - d.spent, purchased = users.purchased - d.bought "
    "FROM unnest($4::text[], $5::integer[], $6::integer[]) AS d(account, spent, bought) "
    'WHERE users."user" = d.account'
)
# The accepted reserves' ledger rows (at, user, job, amount), in one statement: one row at a
# time took more of the server than all the rest of a batch.
RESERVE_LEDGER = (
    'INSERT INTO ledger (at, "user", job_id, kind, amount, note) SELECT e.at, e.u, e.j, '
    "'reserve', e.n, e.note FROM unnest($1::double precision[], $2::text[], $3::text[], "
    "$4::integer[], $5::text[]) AS e(at, u, j, n, note)"
)
DROP_USERS = 'DELETE FROM users WHERE "user" = ANY($1::text[])'
MEDIA_INSERT = (
    "INSERT INTO job_media (job_id, role, mime, filename, data) VALUES ($1, $2, $3, $4, $5)"
)


@dataclass(frozen=True, slots=True)
class Reserve:
    """What one reserve asks for (`Store.reserve`'s arguments)."""

    job: NewJob
    policy: QuotaPolicy
    now: float


@dataclass(slots=True)
class Account:
    """An account's credits as the batch spends them."""

    name: str  # its primary user
    bonus: int
    banned: bool
    bought: int
    active: int
    used: dict[str, int] = field(default_factory=dict)  # the day's free credits used, by day

    def spend(self, day: str, paid: tuple[int, int, int]) -> None:
        self.used[day] += paid[0]
        self.bonus -= paid[1]
        self.bought -= paid[2]
        self.active += 1


@dataclass(slots=True)
class Spending:
    """What the batch's accepted reserves write."""

    usage: dict[tuple[str, str], int] = field(default_factory=dict)  # (user, day) -> credits
    credits: dict[str, list[int]] = field(default_factory=dict)  # account -> [bonus, bought]
    jobs: list[tuple[Any, ...]] = field(default_factory=list)
    ledger: list[tuple[Any, ...]] = field(default_factory=list)
    media: list[tuple[Any, ...]] = field(default_factory=list)
    users: set[str] = field(default_factory=set)

    def add(self, call: Reserve, account: str, paid: tuple[int, int, int], note: str) -> None:
        job, user, day = call.job, str(call.job.user), call.policy.day
        self.users.add(user)
        if not call.policy.unlimited:
            self.usage[user, day] = self.usage.get((user, day), 0) + paid[0]
        if paid[1] or paid[2]:
            spent = self.credits.setdefault(account, [0, 0])
            spent[0] += paid[1]
            spent[1] += paid[2]
        self.jobs.append(new_job_values(job, paid, day, call.now))
        self.ledger.append((call.now, user, job.id, sum(paid), note))
        self.media += [(job.id, r, m.mime, m.filename, m.data) for r, m in job.media.items()]

    async def write(self, db: Any, created: set[str]) -> None:
        """Write it all; and drop the users this batch created for nothing (a refused
        reserve leaves no trace)."""
        if created - self.users:
            await db.execute(DROP_USERS, sorted(created - self.users))
        if not self.jobs:
            return
        usage = sorted(self.usage.items())
        credits = sorted(self.credits.items())
        await db.execute(
            SPEND,
            [u for (u, _), _ in usage], [d for (_, d), _ in usage], [n for _, n in usage],
            [a for a, _ in credits], [c[0] for _, c in credits], [c[1] for _, c in credits],
        )  # fmt: skip
        await db.executemany(pg(JOB_INSERT), self.jobs)
        columns = zip(*self.ledger, strict=True)
        await db.execute(RESERVE_LEDGER, *(list(column) for column in columns))
        if self.media:
            await db.executemany(MEDIA_INSERT, self.media)


async def lock_accounts(db: Any, calls: list[Reserve]) -> tuple[dict[str, Account], set[str]]:
    """Create the batch's users when missing, lock them and their accounts; each user's
    account (linked users share one) with its credits, and the users created here."""
    users = sorted({str(c.job.user) for c in calls})
    rows = await db.fetch(ENSURE_USERS, users, calls[0].now)
    created = {r[0] for r in rows if r[2]}
    pairs = sorted({(str(c.job.user), c.policy.day) for c in calls})
    locked: set[str] = set()
    wanted = set(users) | {r[1] for r in rows}
    while wanted - locked:  # once, unless an account changed before its lock
        locked |= wanted
        await db.execute(LOCK_USERS, sorted(locked))
        rows = await db.fetch(READ_ACCOUNTS, [p[0] for p in pairs], [p[1] for p in pairs])
        wanted = {r[2] for r in rows}
    held: dict[str, Account] = {}
    of_user: dict[str, Account] = {}
    for user, day, account, bonus, banned, bought, active, used in rows:
        held.setdefault(account, Account(account, bonus, bool(banned), bought, active))
        of_user[user] = held[account]
        held[account].used[day] = int(used)
    return of_user, created


async def reserve_batch(db: Any, calls: list[Reserve]) -> list[Job | QuotaError]:
    """Run `calls` in order in the transaction `db` is in: each its job, or the QuotaError
    it is refused with."""
    of_user, created = await lock_accounts(db, calls)
    pools = PoolBook()  # a group's jobs are paid by its pool, none from the members' credits
    await pools.lock(db, [(c.job, c.policy) for c in calls])
    spending = Spending()
    results: list[Job | QuotaError] = []
    for call in calls:
        account, policy = of_user[str(call.job.user)], call.policy
        pool = pools.of(call.job, policy)
        try:
            paid = split_cost(
                policy, 0 if pool else call.job.cost, bonus=account.bonus,
                purchased=account.bought, banned=account.banned, active=account.active,
                used=account.used[policy.day],
            )  # fmt: skip
            if pool is not None:
                await pools.take(db, pool, call.job, policy)
        except QuotaError as exc:
            results.append(exc)
            continue
        account.spend(policy.day, paid)
        spending.add(call, account.name, paid, pool_note(pool, call.job.cost))
        results.append(reserved_job(call.job, call.now))
    await spending.write(db, created)
    await pools.write(db)
    return results


async def run_reserves(
    transaction: Callable[[Callable[[Any], Awaitable[Any]]], Awaitable[Any]],
    batch: list[Reserve],
) -> list[Job | BaseException]:
    """The batch's results, in one `transaction` of the store's (which runs it again when
    PostgreSQL rolls it back for a conflict); when it fails as a whole for a fault of one of
    its reserves (a constraint, a bad value), each reserve again on its own."""
    try:
        results: list[Job | BaseException] = await transaction(lambda db: reserve_batch(db, batch))
        return results
    except CALLER_ERRORS as exc:
        if len(batch) == 1:
            return [exc]
    except Exception as exc:
        return [exc] * len(batch)
    return [result for call in batch for result in await run_reserves(transaction, [call])]
