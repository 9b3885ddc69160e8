"""Group budgets: a daily pool of credits a group chat's jobs draw from, optionally capped
per member, and the part of the `Store` interface that keeps them.

A pool is kept per chat key (`ChatAddress.group_key`, e.g. `telegram:-1001234`); its use is
counted per UTC day and member, so the day's total and each member's share are one sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class GroupBudget:
    """A chat's daily pool (`per_day` credits) and each member's cap (None: no cap)."""

    chat: str
    per_day: int
    per_member: int | None
    updated_at: float
    updated_by: str


@dataclass(frozen=True, slots=True)
class GroupDay:
    """A group budget and what its members used of it on one UTC day."""

    budget: GroupBudget
    used: dict[str, int] = field(default_factory=dict)  # member (platform:id) -> credits

    @property
    def pool_left(self) -> int:
        return max(0, self.budget.per_day - sum(self.used.values()))

    def member_left(self, member: str) -> int:
        """What `member` may still take today: the pool's rest, within its cap."""
        cap = self.budget.per_member
        if cap is None:
            return self.pool_left
        return min(self.pool_left, max(0, cap - self.used.get(member, 0)))


class GroupBudgetStore(Protocol):
    async def set_group_budget(self, chat: str, per_day: int, by: str, now: float) -> GroupBudget:
        """Give `chat` a pool of `per_day` credits a day (its member cap kept)."""
        ...

    async def set_group_member_cap(
        self, chat: str, per_member: int | None, by: str, now: float
    ) -> GroupBudget | None:
        """Cap each member's share of `chat`'s pool (None lifts the cap); None when the
        chat has no pool."""
        ...

    async def remove_group_budget(self, chat: str) -> bool:
        """Drop `chat`'s pool (its jobs pay from their users' credits again); False when it
        had none. Jobs already paid from it are still refunded to it."""
        ...

    async def group_day(self, chat: str, day: str) -> GroupDay | None:
        """`chat`'s pool and its use on `day`; None when the chat has no pool."""
        ...
