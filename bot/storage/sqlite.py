"""SQLite storage through aiosqlite, in WAL mode, with numbered migrations.

One connection, used in batches: every store call joins a queue, and the calls queued while
the previous batch ran are run together, in order, as one transaction (`_run_batch`). A money
transaction (reserve, settle, ...) runs inside its own SAVEPOINT there, so it still commits or
rolls back whole, and its checks see every write queued before it. Callers resume only once
their batch has committed. `BEGIN IMMEDIATE` takes the write lock up front, so
check-then-debit cannot race, even against the admin CLI writing from another process.

A batch runs on the event loop's thread with no busy timeout; only when another process
holds the database does it go to aiosqlite's thread to wait there (`_drain`). Commits do
not fsync (WAL, synchronous=NORMAL) and checkpoints, which do, run in a worker thread
(`checkpoint.py`).

Why: with 10,000 jobs in flight the capacity benchmark measured ~14 store calls per job.
Under one asyncio lock a write waited behind ~1,000 others, each a full round trip through
the event loop (about 1.5 s). Batched in aiosqlite's thread, a call took ~0.05 ms of CPU but
~0.5 ms of wall time there, waiting for the GIL each time sqlite3 released it (the busy event
loop holds it up to the 5 ms switch interval), so the thread capped the bot at ~2,000 calls/s.
On the loop's thread the same call costs the ~0.05 ms and no hand-off.
"""

from __future__ import annotations

import asyncio
import enum
import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.chat import StoredChat
from bot.errors import QuotaError
from bot.job_request import request_from_json, request_to_json
from bot.models import ACTIVE_STATES, Job, JobState, Media, UserRef
from bot.storage.base import Balance, LedgerEntry, NewJob, QuotaPolicy
from bot.storage.checkpoint import Checkpointer
from bot.storage.migrations import MIGRATIONS as MIGRATIONS  # doctor and tests read it here
from bot.storage.migrations import apply_migrations
from bot.storage.opening import BUSY_WAIT_MS, close_quietly, connect, unavailable
from bot.storage.watch import FileWatch

_JOB_COLUMNS = (
    "id, user, state, request, cost, locale, chat, vendor, vendor_task_id, progress, "
    "error_code, error_text, result_path, result_url, created_at, updated_at, deadline_at, attempt"
)
_UPDATABLE = {
    "vendor",
    "vendor_task_id",
    "idempotency_key",
    "progress",
    "error_code",
    "error_text",
    "result_path",
    "result_url",
    "chat",
    "attempt",
    "deadline_at",
    "delivered_at",
    "notice",
}
_HEX = re.compile(r"^[0-9a-f]{4,32}$")
_LEDGER_INSERT = (
    "INSERT INTO ledger (at, user, job_id, kind, amount, note) VALUES (?, ?, ?, ?, ?, ?)"
)
T = TypeVar("T")
MAX_BATCH = 500  # store calls per batch: at ~0.05 ms each, the loop is held <= ~25 ms


class _Kind(enum.Enum):
    READ = "read"
    STATEMENT = "statement"  # one write statement: SQLite makes it atomic by itself
    TRANSACTION = "transaction"  # several statements that commit or roll back together


@dataclass(slots=True)
class _Call:
    """A store call waiting in the queue for the next trip to the database thread."""

    work: Callable[[sqlite3.Connection], Any]
    kind: _Kind
    future: asyncio.Future[Any]


def _run_batch(db: sqlite3.Connection, batch: list[_Call]) -> list[tuple[bool, Any]]:
    """Run queued calls in order as one transaction; (ok, result or exception) for each.

    A failing call fails alone: a TRANSACTION is rolled back to its savepoint, and SQLite
    undoes a failed single statement itself. If SQLite instead aborted the whole transaction
    (disk full, I/O error), nothing of the batch is kept and every call fails. So does the
    batch when the database is busy (`_busy`): it is all rolled back, to be run again.
    """
    writes = any(call.kind is not _Kind.READ for call in batch)
    if writes:
        db.execute("BEGIN IMMEDIATE")
    results: list[tuple[bool, Any]] = []
    try:
        for call in batch:
            atomic = call.kind is _Kind.TRANSACTION
            if atomic:
                db.execute("SAVEPOINT call")
            try:
                value = call.work(db)
            except Exception as exc:
                if _busy(exc) or (writes and not db.in_transaction):
                    raise
                if atomic:
                    db.execute("ROLLBACK TO call")
                    db.execute("RELEASE call")
                results.append((False, exc))
                continue
            if atomic:
                db.execute("RELEASE call")
            results.append((True, value))
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    if writes:
        db.execute("COMMIT")
    return results


def _busy(exc: BaseException) -> bool:
    """Another connection holds the lock we need (SQLITE_BUSY / SQLITE_LOCKED)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return isinstance(exc, sqlite3.OperationalError) and code in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


def _run_batch_waiting(db: sqlite3.Connection, batch: list[_Call]) -> list[tuple[bool, Any]]:
    """`_run_batch` allowed to wait for another writer (in aiosqlite's thread only)."""
    db.execute(f"PRAGMA busy_timeout = {BUSY_WAIT_MS}")
    try:
        return _run_batch(db, batch)
    finally:
        db.execute("PRAGMA busy_timeout = 0")


def _row_to_job(row: Iterable[Any]) -> Job:
    (
        jid, user, state, request, cost, locale, chat, vendor, task_id, progress,
        error_code, error_text, result_path, result_url, created, updated, deadline, attempt,
    ) = row  # fmt: skip
    return Job(
        id=jid,
        user=UserRef.parse(user),
        state=JobState(state),
        request=request_from_json(json.loads(request)),
        cost=cost,
        locale=locale,
        chat=StoredChat(json.loads(chat)),
        vendor=vendor,
        vendor_task_id=task_id,
        progress=progress,
        error_code=error_code,
        error_text=error_text,
        result_path=result_path,
        result_url=result_url,
        created_at=created,
        updated_at=updated,
        deadline_at=deadline,
        attempt=attempt,
    )


def _marks(items: tuple[Any, ...]) -> str:
    return ",".join("?" * len(items))


def _assignments(fields: dict[str, Any]) -> tuple[str, list[Any]]:
    parts, values = [], []
    for key, value in fields.items():
        if key not in _UPDATABLE:
            raise ValueError(f"not an updatable job field: {key}")
        parts.append(f"{key} = ?")
        values.append(json.dumps(value) if key == "chat" else value)
    return "".join(f", {p}" for p in parts), values


class SqliteStore:
    """The `Store` for one SQLite file."""

    def __init__(self, db: aiosqlite.Connection, checkpointer: Checkpointer | None = None) -> None:
        self.db = db
        self.checkpointer = checkpointer
        self._queue: list[_Call] = []
        self.watch: FileWatch | None = None  # the file opened, to notice it deleted
        self._drainer: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStore:
        """Open and migrate the database; StoreUnavailable (one line) when it cannot be."""
        path = Path(path)
        db = await connect(path)
        memory = str(path) == ":memory:"
        store = cls(db, None if memory else Checkpointer(path))
        try:
            store.watch = None if memory else FileWatch(path)
            await store.migrate()
        except BaseException as exc:
            await close_quietly(db)
            raise unavailable(path, exc) from None
        if store.checkpointer is not None:
            store.checkpointer.start()
        return store

    def unavailable(self) -> str | None:
        return self.watch.problem() if self.watch is not None else None

    async def close(self) -> None:
        if self._drainer is not None:
            await asyncio.shield(self._drainer)
        if self.checkpointer is not None:
            await self.checkpointer.close()
        await self.db.close()  # the last connection to close checkpoints what is left

    async def schema_version(self) -> int:
        row = await self._one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply missing migrations in order; returns the schema version."""
        await self._transaction(apply_migrations)
        return len(MIGRATIONS)

    async def _call(self, work: Callable[[sqlite3.Connection], T], kind: _Kind) -> T:
        """Queue `work` for the next batch and wait until that batch has committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append(_Call(work, kind, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain(), name="sqlite-batches")
        return await future

    async def _drain(self) -> None:
        """Run the queue, one batch at a time, until it is empty.

        A batch runs right here on the loop's thread; if the database is busy (another process
        writing) it runs again in aiosqlite's thread, which may wait for the lock. Calls queued
        meanwhile wait for the next batch, so the connection is never used by two at once.
        """
        batch: list[_Call] = []
        try:
            while self._queue:
                await asyncio.sleep(0)  # let this tick's callers queue up too
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                try:
                    results = self._run_here(batch)
                    if results is None:
                        # aiosqlite's private but long-stable `_execute`: in its thread
                        results = await self.db._execute(  # type: ignore[no-untyped-call]
                            _run_batch_waiting, self.db._conn, batch
                        )
                except Exception as exc:
                    results = [(False, exc)] * len(batch)
                if self.checkpointer is not None:
                    self.checkpointer.dirty = True
                for call, (ok, value) in zip(batch, results, strict=True):
                    if call.future.done():  # its caller was cancelled
                        continue
                    if ok:
                        call.future.set_result(value)
                    else:
                        call.future.set_exception(value)
        except asyncio.CancelledError:  # the loop is shutting down
            for call in batch + self._queue:
                call.future.cancel()
            raise
        finally:
            self._drainer = None

    def _run_here(self, batch: list[_Call]) -> list[tuple[bool, Any]] | None:
        """Run `batch` on the loop's thread; None when the database is busy."""
        try:
            return _run_batch(self.db._conn, batch)
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                return None
            raise

    async def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` atomically (in its own savepoint of the batch's transaction)."""
        return await self._call(work, _Kind.TRANSACTION)

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One write statement; returns the rows it changed."""
        values = tuple(params)
        return await self._call(lambda db: db.execute(sql, values).rowcount, _Kind.STATEMENT)

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> Any:
        values = tuple(params)
        return await self._call(lambda db: db.execute(sql, values).fetchone(), _Kind.READ)

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        values = tuple(params)
        return await self._call(lambda db: db.execute(sql, values).fetchall(), _Kind.READ)

    # money

    async def reserve(self, job: NewJob, policy: QuotaPolicy, now: float) -> Job:
        user = str(job.user)
        states = tuple(s.value for s in ACTIVE_STATES)

        def reserve(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO users (user, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (user, now),
            )
            bonus, banned, active, used = db.execute(
                "SELECT u.bonus, u.banned, "
                f"(SELECT COUNT(*) FROM jobs WHERE user = ? AND state IN ({_marks(states)})), "
                "COALESCE((SELECT used FROM daily_usage WHERE user = ? AND day = ?), 0) "
                "FROM users u WHERE u.user = ?",
                (user, *states, user, policy.day, user),
            ).fetchone()
            if banned:
                raise QuotaError("err_banned")
            if not policy.unlimited and active >= policy.max_active:
                raise QuotaError("err_too_many_jobs", active=active, limit=policy.max_active)
            paid_daily = paid_bonus = 0
            if not policy.unlimited:
                free = max(0, policy.per_day - used)
                if free + bonus < job.cost:
                    raise QuotaError("err_no_credits", cost=job.cost, left=free + bonus)
                paid_daily = min(job.cost, free)
                paid_bonus = job.cost - paid_daily
                db.execute(
                    "INSERT INTO daily_usage (user, day, used) VALUES (?, ?, ?) "
                    "ON CONFLICT (user, day) DO UPDATE SET used = used + excluded.used",
                    (user, policy.day, paid_daily),
                )
                if paid_bonus:
                    db.execute(
                        "UPDATE users SET bonus = bonus - ? WHERE user = ?", (paid_bonus, user)
                    )
            db.execute(
                "INSERT INTO jobs (id, user, state, request, cost, paid_daily, paid_bonus, "
                "quota_day, locale, chat, created_at, updated_at, deadline_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job.id, user, JobState.RESERVED.value, json.dumps(request_to_json(job.request)),
                    job.cost, paid_daily, paid_bonus, policy.day, job.locale,
                    json.dumps(job.chat.to_json()), now, now, job.deadline_at,
                ),
            )  # fmt: skip
            for role, media in job.media.items():
                db.execute(
                    "INSERT INTO job_media (job_id, role, mime, filename, data) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (job.id, role, media.mime, media.filename, media.data),
                )
            db.execute(_LEDGER_INSERT, (now, user, job.id, "reserve", paid_daily + paid_bonus, ""))

        await self._transaction(reserve)
        return Job(
            id=job.id, user=job.user, state=JobState.RESERVED, request=job.request, cost=job.cost,
            locale=job.locale, chat=job.chat, created_at=now, updated_at=now,
            deadline_at=job.deadline_at,
        )  # fmt: skip

    async def settle(
        self, job_id: str, *, charge: bool, state: JobState, now: float, **fields: Any
    ) -> bool:
        sets, values = _assignments(fields)

        def settle(db: sqlite3.Connection) -> bool:
            row = db.execute(
                "SELECT user, paid_daily, paid_bonus, quota_day, settled FROM jobs WHERE id = ?",
                (job_id,),
            ).fetchone()
            if row is None or row[4] is not None:
                return False
            user, paid_daily, paid_bonus, day, _ = row
            settled = "charged" if charge else "refunded"
            db.execute(
                f"UPDATE jobs SET settled = ?, state = ?, updated_at = ?{sets} WHERE id = ?",
                (settled, state.value, now, *values, job_id),
            )
            if not charge:
                db.execute(
                    "UPDATE daily_usage SET used = used - ? WHERE user = ? AND day = ?",
                    (paid_daily, user, day),
                )
                db.execute("UPDATE users SET bonus = bonus + ? WHERE user = ?", (paid_bonus, user))
            kind = "charge" if charge else "refund"
            db.execute(_LEDGER_INSERT, (now, user, job_id, kind, paid_daily + paid_bonus, ""))
            return True

        return await self._transaction(settle)

    async def prune_media(self, before: float) -> int:
        """Drop the input media of jobs settled before `before` (kept until then for Again)."""
        return await self._write(
            "DELETE FROM job_media WHERE job_id IN "
            "(SELECT id FROM jobs WHERE settled IS NOT NULL AND updated_at < ?)",
            (before,),
        )

    async def grant(self, user: UserRef, credits: int, now: float, note: str = "") -> int:
        """Add bonus credits (negative takes them away, never below zero); returns the bonus.

        The ledger records the change made: taking 1,000 from a bonus of 5 records -5."""
        who = str(user)

        def grant(db: sqlite3.Connection) -> int:
            db.execute(
                "INSERT INTO users (user, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (who, now),
            )
            (before,) = db.execute("SELECT bonus FROM users WHERE user = ?", (who,)).fetchone()
            bonus = max(0, int(before) + credits)
            db.execute("UPDATE users SET bonus = ? WHERE user = ?", (bonus, who))
            # The row says what really moved, so the ledger always adds up to the balances.
            db.execute(_LEDGER_INSERT, (now, who, None, "grant", bonus - before, note))
            return bonus

        return await self._transaction(grant)

    async def set_banned(self, user: UserRef, banned: bool, now: float) -> None:
        who = str(user)

        def set_banned(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO users (user, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (who, now),
            )
            db.execute("UPDATE users SET banned = ? WHERE user = ?", (int(banned), who))

        await self._transaction(set_banned)

    # job state

    async def transition(
        self, job_id: str, expect: tuple[JobState, ...], state: JobState, now: float, **fields: Any
    ) -> bool:
        sets, values = _assignments(fields)
        marks = ",".join("?" * len(expect))
        changed = await self._write(
            f"UPDATE jobs SET state = ?, updated_at = ?{sets} "
            f"WHERE id = ? AND settled IS NULL AND state IN ({marks})",
            (state.value, now, *values, job_id, *(s.value for s in expect)),
        )
        return changed == 1

    async def update(self, job_id: str, now: float, **fields: Any) -> None:
        sets, values = _assignments(fields)
        await self._write(
            f"UPDATE jobs SET updated_at = ?{sets} WHERE id = ?", (now, *values, job_id)
        )

    # reads

    async def get_job(self, job_id: str) -> Job | None:
        row = await self._one(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        return _row_to_job(row) if row else None

    async def find_job(self, ref: str, user: UserRef | None = None) -> Job | None:
        ref = ref.strip().lower()
        if not _HEX.match(ref):
            return None
        sql = f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id >= ? AND id < ?"
        params: list[Any] = [ref, ref + "g"]
        if user is not None:
            sql += " AND user = ?"
            params.append(str(user))
        rows = await self._all(sql + " LIMIT 2", params)
        return _row_to_job(rows[0]) if len(rows) == 1 else None

    async def media(self, job_id: str) -> dict[str, Media]:
        rows = await self._all(
            "SELECT role, mime, filename, data FROM job_media WHERE job_id = ?", (job_id,)
        )
        return {role: Media(bytes(data), mime, filename) for role, mime, filename, data in rows}

    async def pending_notices(
        self, since: float, error_code: str | None = None
    ) -> list[tuple[Job, str]]:
        sql = (
            f"SELECT {_JOB_COLUMNS}, notice FROM jobs WHERE notice IS NOT NULL AND updated_at >= ?"
        )
        params: tuple[Any, ...] = (since,)
        if error_code is not None:
            sql += " AND error_code = ?"
            params += (error_code,)
        rows = await self._all(sql + " ORDER BY updated_at", params)
        return [(_row_to_job(r[:-1]), r[-1]) for r in rows]

    async def active_jobs(self) -> list[Job]:
        return await self.list_jobs(ACTIVE_STATES, limit=1_000_000)

    async def user_jobs(self, user: UserRef, limit: int = 10) -> list[Job]:
        rows = await self._all(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE user = ? ORDER BY created_at DESC LIMIT ?",
            (str(user), limit),
        )
        return [_row_to_job(r) for r in rows]

    async def list_jobs(self, states: tuple[JobState, ...] = (), limit: int = 100) -> list[Job]:
        sql = f"SELECT {_JOB_COLUMNS} FROM jobs"
        params: list[Any] = [s.value for s in states]
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
        rows = await self._all(sql + " ORDER BY created_at DESC LIMIT ?", (*params, limit))
        return [_row_to_job(r) for r in rows]

    async def balance(self, user: UserRef, day: str) -> Balance:
        states = tuple(s.value for s in ACTIVE_STATES)
        bonus, banned, used, active = await self._one(
            "SELECT (SELECT bonus FROM users WHERE user = ?), "
            "(SELECT banned FROM users WHERE user = ?), "
            "(SELECT used FROM daily_usage WHERE user = ? AND day = ?), "
            f"(SELECT COUNT(*) FROM jobs WHERE user = ? AND state IN ({_marks(states)}))",
            (str(user), str(user), str(user), day, str(user), *states),
        )
        return Balance(
            used_today=used or 0,
            bonus=bonus or 0,
            active=active,
            banned=bool(banned),
        )

    async def stats(self, since: float) -> dict[str, int]:
        counts = dict(
            await self._all(
                "SELECT state, COUNT(*) FROM jobs WHERE created_at >= ? GROUP BY state", (since,)
            )
        )
        (spent,) = await self._one(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE kind = 'charge' AND at >= ?",
            (since,),
        )
        (users,) = await self._one(
            "SELECT COUNT(DISTINCT user) FROM jobs WHERE created_at >= ?", (since,)
        )
        active = sum(counts.get(s.value, 0) for s in ACTIVE_STATES)
        return {
            "jobs": sum(counts.values()),
            "delivered": counts.get("delivered", 0),
            "failed": counts.get("failed", 0) + counts.get("cancelled", 0),
            "active": active,
            "spent": int(spent),
            "users": int(users),
        }

    async def users(self, day: str) -> list[dict[str, Any]]:
        rows = await self._all(
            "SELECT u.user, u.bonus, u.banned, COALESCE(d.used, 0), "
            "(SELECT COUNT(*) FROM jobs j WHERE j.user = u.user), "
            "(SELECT COUNT(*) FROM jobs j WHERE j.user = u.user AND j.state = 'delivered'), "
            "(SELECT COALESCE(SUM(amount), 0) FROM ledger l "
            " WHERE l.user = u.user AND l.kind = 'charge') "
            "FROM users u LEFT JOIN daily_usage d ON d.user = u.user AND d.day = ? ORDER BY u.user",
            (day,),
        )
        keys = ("user", "bonus", "banned", "used_today", "jobs", "delivered", "spent")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    async def credit_totals(self) -> dict[str, int]:
        rows = await self._all("SELECT kind, total FROM credit_totals")  # see migration 3
        return {str(kind): int(total) for kind, total in rows}

    async def ledger(self) -> list[LedgerEntry]:
        rows = await self._all(
            "SELECT id, at, user, job_id, kind, amount, note FROM ledger ORDER BY id"
        )
        return [LedgerEntry(*row) for row in rows]
