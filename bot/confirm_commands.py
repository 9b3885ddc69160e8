"""Cost before spending: a job dearer than CONFIRM_ABOVE_CREDITS asks Confirm / Cancel
first, and only Confirm reserves; as a part of VideoService."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from bot import texts
from bot.chat import ChatAddress
from bot.command_types import ConfirmCommand
from bot.config import Settings
from bot.group_budget_commands import pool_left
from bot.models import UserRef
from bot.questions import Question, Questions
from bot.replies import Incoming, Reply, utc_day
from bot.storage.base import Store


class ConfirmCommands:
    """Mixed into VideoService, which provides the settings, the store, the clock, the
    job start and its guard."""

    settings: Settings
    store: Store
    clock: Callable[[], float]
    questions: Questions

    # VideoService's: the job start (`yes` skips the question) and the reply guard
    _start: Callable[..., Awaitable[Reply]]
    _guarded: Callable[..., Awaitable[Reply]]

    async def _ask(self, question: Question, admin: bool, per_day: int) -> Reply:
        """The cost question for a job not yet reserved; `Reply.confirm` names it so the
        adapter can put Confirm / Cancel buttons under it."""
        now = self.clock()
        loc = question.locale
        if not self.questions.ask(question, now):
            return Reply(texts.t(loc, "confirm_busy"), error=True)
        if admin:
            left = texts.t(loc, "left_unlimited")
        else:  # from the chat's pool when it has one, as the reserve will take it
            day = utc_day(now)
            own = await pool_left(self.store, question.chat.group_key(), question.user, day)
            if own is None:
                own = (await self.store.balance(question.user, day)).left(per_day)
            left = str(own)
        minutes = math.ceil(self.settings.confirm_timeout / 60)
        text = texts.t(loc, "confirm_ask", cost=question.cost, left=left, minutes=minutes)
        return Reply(text, confirm=question.token)

    async def confirm(
        self, user: UserRef, token: str, locale: str | None, chat: ChatAddress
    ) -> Reply:
        """Start the job question `token` asked about (the user's latest when empty)."""
        loc = texts.norm_locale(locale)
        q = self._answered(user, token, loc)
        if isinstance(q, Reply):
            return q
        return await self._guarded(
            user, loc, "confirm",
            lambda: self._start(user, q.locale, chat, q.request, q.media, yes=True),
        )  # fmt: skip

    def decline(self, user: UserRef, token: str, locale: str | None) -> Reply:
        """Drop question `token` (the user's latest when empty); nothing was reserved."""
        loc = texts.norm_locale(locale)
        answered = self._answered(user, token, loc)
        if isinstance(answered, Reply):
            return answered
        return Reply(texts.t(loc, "confirm_dropped"))

    def _answered(self, user: UserRef, token: str, loc: str) -> Question | Reply:
        """The open question `user` answers, taken out; or the refusal: lapsed, answered,
        or someone else's (left open for its asker)."""
        now = self.clock()
        question = self.questions.get(token, now) if token else self.questions.latest(user, now)
        if question is None:
            return Reply(texts.t(loc, "confirm_gone"), error=True)
        if question.user != user:
            return Reply(texts.t(loc, "confirm_not_yours"), error=True)
        self.questions.drop(question.token)
        return question

    async def _confirm(self, msg: Incoming, cmd: ConfirmCommand, locale: str) -> Reply:
        return await self.confirm(msg.user, cmd.token, locale, msg.chat)
