"""Cost questions waiting for Confirm or Cancel, held in memory.

Memory, not the store: a question holds no credits (nothing is reserved until Confirm), so
a restart that forgets it costs nobody anything: the user sends the command again. Keeping
it in the store would write every dear request's media to the database even when it is
never confirmed. The media stays as the core already checked and decoded it, so Confirm
does not decode it again; the count of questions is bounded per user and in all, and a
question lapses after `Settings.confirm_timeout`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from bot.chat import ChatAddress
from bot.models import JobRequest, Media, UserRef

PER_USER = 2  # a third question replaces the user's oldest
TOTAL = 200  # beyond this a new question is refused (its media is what weighs)


@dataclass(frozen=True, slots=True)
class Question:
    user: UserRef
    locale: str
    chat: ChatAddress
    request: JobRequest
    media: dict[str, Media]
    cost: int
    expires_at: float
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


class Questions:
    """The open questions by token, oldest first."""

    def __init__(self, per_user: int = PER_USER, total: int = TOTAL) -> None:
        self.per_user = per_user
        self.total = total
        self._open: dict[str, Question] = {}

    def __len__(self) -> int:
        return len(self._open)

    def ask(self, question: Question, now: float) -> bool:
        """Keep `question`; False when too many are open to take another."""
        self._prune(now)
        mine = [q.token for q in self._open.values() if q.user == question.user]
        for token in mine[: max(0, len(mine) - self.per_user + 1)]:
            del self._open[token]
        if len(self._open) >= self.total:
            return False
        self._open[question.token] = question
        return True

    def get(self, token: str, now: float) -> Question | None:
        """The open question `token` (anyone's: the caller checks who answers)."""
        self._prune(now)
        return self._open.get(token)

    def latest(self, user: UserRef, now: float) -> Question | None:
        """`user`'s newest open question."""
        self._prune(now)
        mine = [q for q in self._open.values() if q.user == user]
        return mine[-1] if mine else None

    def drop(self, token: str) -> Question | None:
        return self._open.pop(token, None)

    def _prune(self, now: float) -> None:
        for token in [t for t, q in self._open.items() if q.expires_at <= now]:
            del self._open[token]
