"""The answers that only read a user's account (/quota, /jobs, /help), as a part of
VideoService."""

from __future__ import annotations

from collections.abc import Callable

from bot import texts
from bot.command_types import HelpCommand, JobsCommand, QuotaCommand
from bot.config import Settings
from bot.group_budget_commands import pool_left
from bot.jobs import JobEngine
from bot.models import ACTIVE_STATES, JobState, UserRef
from bot.offers import help_text
from bot.prices import price_list
from bot.replies import Incoming, Reply, seconds_to_midnight, utc_day
from bot.seeds import seed_text
from bot.storage.base import Store
from bot.vendors.base import VendorClient


class AccountCommands:
    """Mixed into VideoService, which provides the settings, the store, the engine, the
    vendors and the clock."""

    settings: Settings
    store: Store
    engine: JobEngine
    vendors: list[VendorClient]
    clock: Callable[[], float]

    async def _quota(self, msg: Incoming, cmd: QuotaCommand, locale: str) -> Reply:
        now = self.clock()
        balance = await self.store.balance(msg.user, utc_day(now))
        if self.settings.is_admin(msg.user):
            return Reply(texts.t(locale, "quota_admin", active=balance.active))
        per_day = self.settings.quota_credits_per_day
        bonus = texts.t(locale, "quota_bonus", bonus=balance.bonus) if balance.bonus else ""
        if balance.purchased or self.settings.credit_packs or self.settings.discord_credit_skus:
            bonus += texts.t(locale, "quota_purchased", purchased=balance.purchased)
        text = texts.t(
            locale,
            "quota",
            left=max(0, per_day - balance.used_today),
            daily=per_day,
            bonus=bonus,
            reset=texts.duration_text(seconds_to_midnight(now), locale),
            prices=price_list(self.settings, self.vendors, locale),
            active=balance.active,
        )
        pooled = await pool_left(self.store, msg.chat.group_key(), msg.user, utc_day(now))
        if pooled is not None:  # here a group's pool pays instead
            text += "\n" + texts.t(locale, "quota_group", left=pooled)
        return Reply(text)

    async def _jobs(self, msg: Incoming, cmd: JobsCommand, locale: str) -> Reply:
        # A linked account's videos from every platform, newest first.
        users = [UserRef.parse(u) for u in await self.store.linked_users(str(msg.user))]
        found = [job for user in users for job in await self.store.user_jobs(user, limit=10)]
        jobs = sorted(found, key=lambda job: job.created_at, reverse=True)[:10]
        if not jobs:
            return Reply(texts.t(locale, "jobs_none"))
        lines = [texts.t(locale, "jobs_header")]
        for job in jobs:
            state = texts.t(locale, f"state_{job.state.value}")
            if job.state in ACTIVE_STATES and job.progress:
                state += f" {round(job.progress * 100)}%"
            if job.state in ACTIVE_STATES and (where := self.engine.status_line(job)):
                state += f" · {where}"
            lines.append(
                texts.t(
                    locale,
                    "jobs_line",
                    id=job.short_id,
                    state=state,
                    prompt=clip(job.prompt, 50),
                    seed=seed_text(job.request.seed),
                )
            )
        if any(job.state is JobState.DELIVERED for job in jobs):
            lines.append(texts.t(locale, "jobs_show_hint"))
        return Reply("\n".join(lines))

    async def _help(self, msg: Incoming, cmd: HelpCommand, locale: str) -> Reply:
        text = texts.t(
            locale, "help",
            prices=price_list(self.settings, self.vendors, locale),
            daily=self.settings.quota_credits_per_day,
        )  # fmt: skip
        models = help_text(((v.id, v.capabilities) for v in self.vendors), locale)
        if models:
            text += "\n\n" + models
        if self.settings.is_admin(msg.user):
            text += "\n\n" + texts.t(locale, "admin_help")
        return Reply(text)


def clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
