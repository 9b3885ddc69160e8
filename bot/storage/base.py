"""The storage interface the engine and the service speak to.

Money rules live in the implementations as single transactions: `reserve` holds credits and
creates the job together; `settle` charges or refunds a job exactly once. Nothing above this
interface assumes SQLite, so a PostgreSQL backend can slot in.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol, TypeAlias

from bot.chat import ChatAddress
from bot.models import Job, JobRequest, JobState, Media, UserRef
from bot.storage.account_types import Accounts
from bot.storage.breaker_types import BreakerStore
from bot.storage.group_types import GroupBudgetStore
from bot.storage.lease_types import LeaseStore
from bot.storage.link_types import LinkResult
from bot.storage.payment_types import Credited, HistoryEntry, PaymentRefund, Purchase
from bot.storage.queue_types import QueueStore
from bot.storage.render_types import RenderTimesStore
from bot.storage.settings_types import SettingsStore


@dataclass(frozen=True, slots=True)
class NewJob:
    id: str
    user: UserRef
    request: JobRequest
    cost: int
    locale: str
    chat: ChatAddress
    deadline_at: float
    media: dict[str, Media]
    group: str | None = None  # the group chat asked in (`ChatAddress.group_key`): its pool pays


class _Keep(enum.Enum):
    KEEP = "keep"


KEEP: Final = _Keep.KEEP  # a patch field left as it is: None is a value a column may take
Keep: TypeAlias = Literal[_Keep.KEEP]


@dataclass(frozen=True, slots=True, kw_only=True)
class JobPatch:
    """The job columns one write changes, each typed, so a misspelt column or a wrong value
    is a type error where it is written rather than a failure at run time. Fields left at
    KEEP are not touched; `chat` is stored as its adapter's JSON."""

    vendor: str | Keep | None = KEEP
    vendor_task_id: str | Keep | None = KEEP
    idempotency_key: str | Keep | None = KEEP
    progress: float | Keep | None = KEEP
    error_code: str | Keep | None = KEEP
    error_text: str | Keep | None = KEEP
    result_path: str | Keep | None = KEEP
    result_url: str | Keep | None = KEEP
    chat: ChatAddress | Keep = KEEP
    attempt: int | Keep = KEEP
    deadline_at: float | Keep = KEEP
    delivered_at: float | Keep | None = KEEP
    notice: str | Keep | None = KEEP
    vendor_cost: float | Keep | None = KEEP
    spend_usd: float | Keep | None = KEEP  # the operator's cost in money, set at settling
    spend_model: str | Keep | None = KEEP
    spent_at: float | Keep | None = KEEP
    submitted_at: float | Keep | None = KEEP


NO_CHANGE: Final = JobPatch()  # a state change that writes no other column


@dataclass(frozen=True, slots=True)
class QuotaPolicy:
    day: str  # UTC date the credits belong to
    per_day: int
    max_active: int
    unlimited: bool  # admins


@dataclass(frozen=True, slots=True)
class Balance:
    used_today: int
    bonus: int
    active: int
    banned: bool
    purchased: int = 0  # bought credits: they never expire

    def left(self, per_day: int) -> int:
        return max(0, per_day - self.used_today) + self.bonus + self.purchased


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    at: float
    user: str
    job_id: str | None
    kind: str  # reserve | charge | refund | grant | purchase | payment_refund
    amount: int
    note: str
    payment_id: str | None = None  # the payment a purchase or its refund belongs to


@dataclass(frozen=True, slots=True)
class SpendLine:
    """One row of a spend report: the grouping's values, its jobs and their cost in USD."""

    group: tuple[str, ...]
    jobs: int
    usd: float


class Store(
    RenderTimesStore,
    GroupBudgetStore,
    SettingsStore,
    BreakerStore,
    LeaseStore,
    QueueStore,
    Protocol,
):
    async def reserve(self, job: NewJob, policy: QuotaPolicy, now: float) -> Job:
        """Hold the job's credits and record it, atomically; raises QuotaError."""
        ...

    async def settle(
        self, job_id: str, *, charge: bool, state: JobState, now: float, patch: JobPatch = NO_CHANGE
    ) -> bool:
        """Charge (delivered) or refund (failed/cancelled) once, writing `patch` with it;
        False if already settled."""
        ...

    async def transition(
        self,
        job_id: str,
        expect: tuple[JobState, ...],
        state: JobState,
        now: float,
        patch: JobPatch = NO_CHANGE,
    ) -> bool:
        """Move an unsettled job from one of `expect` to `state`, writing `patch` with it."""
        ...

    async def update(self, job_id: str, now: float, patch: JobPatch) -> None:
        """Write `patch` to the job, settled or not."""
        ...

    async def get_job(self, job_id: str) -> Job | None: ...

    async def find_job(self, ref: str, user: UserRef | None = None) -> Job | None: ...

    async def media(self, job_id: str) -> dict[str, Media]: ...

    async def pending_notices(
        self, since: float, error_code: str | None = None
    ) -> list[tuple[Job, str]]:
        """Settled jobs, updated since `since`, whose refund notice was never seen (only
        those ended with `error_code`, when given)."""
        ...

    async def active_jobs(self) -> list[Job]: ...

    async def user_jobs(self, user: UserRef, limit: int = 10) -> list[Job]: ...

    async def list_jobs(self, states: tuple[JobState, ...] = (), limit: int = 100) -> list[Job]: ...

    async def balance(self, user: UserRef, day: str) -> Balance: ...

    async def grant(self, user: UserRef, credits: int, now: float, note: str = "") -> int: ...

    async def prune_media(self, before: float) -> int: ...

    async def credit_purchase(self, purchase: Purchase, now: float) -> Credited:
        """Add a payment's credits to the user's bought credits with a `purchase` ledger
        entry, once per `purchase.id` whoever delivers it again (one transaction)."""
        ...

    async def refund_purchase(self, payment_id: str, force: bool, now: float) -> PaymentRefund:
        """Take back a payment's credits from the user's bought credits, once: refused
        (SPENT) when fewer are left unless `force`, which takes what is left."""
        ...

    async def history(self, user: UserRef, limit: int = 20) -> list[HistoryEntry]:
        """The user's last `limit` ledger entries, newest first."""
        ...

    async def set_banned(self, user: UserRef, banned: bool, now: float) -> None: ...

    async def stats(self, since: float) -> dict[str, int]: ...

    async def users(self, day: str) -> list[dict[str, Any]]: ...

    async def ledger(self) -> list[LedgerEntry]: ...

    async def credit_totals(self) -> dict[str, int]:
        """Credits per ledger kind (reserve, charge, refund, grant) over the whole ledger.

        Cheap whatever the ledger's size: metrics scrapes call it."""
        ...

    async def spend(self, since: float, by: tuple[str, ...] = ()) -> list[SpendLine]:
        """Money settled jobs cost from `since` on, grouped by `by` (vendor, model, user,
        chat; none: one total line)."""
        ...

    async def set_alert(self, name: str, active: bool, now: float) -> bool:
        """Raise or clear the operator alert `name`; True only for the one call (of every
        process) that changed it, so each change is announced once. Never raised counts
        as cleared."""
        ...

    async def active_alerts(self) -> list[str]: ...

    async def accounts(self) -> Accounts:
        """Every job's payment, the daily usage and the bonuses, for a reconciliation."""
        ...

    async def put_link_code(self, user: str, code_hash: str, expires_at: float, now: float) -> None:
        """Keep `user`'s one-time link code (its hash), replacing the user's older one."""
        ...

    async def link_users(self, code_hash: str, joiner: str, now: float) -> LinkResult:
        """Join `joiner` to the account of the code's owner and use the code up, in one
        transaction: the joiner's bonus moves to the account, a ban follows, nothing is
        created; refused while a job of either side is active."""
        ...

    async def unlink_user(self, user: str, now: float, day: str, per_day: int) -> LinkResult:
        """Split `user` off its account in one transaction without creating credits: the
        bonus stays, and the leaver's free credits of `day` count as spent."""
        ...

    async def linked_users(self, user: str) -> list[str]:
        """Every user of `user`'s account, itself included, the primary first."""
        ...

    async def schema_version(self) -> int: ...

    def unavailable(self) -> str | None:
        """Why the database can no longer be trusted (its file deleted or replaced under
        the bot), in one line naming it; None while all is well. Cheap: checked often."""
        ...

    async def close(self) -> None: ...
