"""/cancel and the Cancel button: a rendering job, or the cost question asked last; as a
part of VideoService."""

from __future__ import annotations

from collections.abc import Callable

from bot import texts
from bot.command_types import CancelCommand
from bot.confirm_commands import ConfirmCommands
from bot.jobs import CancelResult, JobEngine
from bot.link_commands import LinkCommands
from bot.models import ACTIVE_STATES, UserRef
from bot.replies import Incoming, Reply
from bot.storage.base import Store


class CancelCommands(ConfirmCommands, LinkCommands):
    """Mixed into VideoService, which provides the store, the engine and the clock."""

    store: Store
    engine: JobEngine
    clock: Callable[[], float]

    async def cancel(self, user: UserRef, job_ref: str, locale: str | None) -> Reply:
        """Cancel a job by id or short id; only its owner or an admin may. Someone else's
        job gets the same answer as no job, so ids cannot be probed."""
        loc = texts.norm_locale(locale)
        admin = await self.account_admin(user)
        job = await self.store.find_job(job_ref, None if admin else user)
        if job is None:
            return Reply(texts.t(loc, "cancel_unknown", id=job_ref[:12]), error=True)
        result = await self.engine.cancel(job.id)
        if result == CancelResult.OK:
            return Reply(texts.t(loc, "cancel_ok", id=job.short_id, cost=job.cost))
        fresh = await self.store.get_job(job.id) or job
        state = texts.t(loc, f"state_{fresh.state.value}")
        return Reply(texts.t(loc, "cancel_too_late", state=state), error=True)

    async def _cancel(self, msg: Incoming, cmd: CancelCommand, locale: str) -> Reply:
        if not cmd.job_ref and self.questions.latest(msg.user, self.clock()):
            return self.decline(msg.user, "", locale)  # the question asked last, first
        if cmd.job_ref:
            return await self.cancel(msg.user, cmd.job_ref, locale)
        active = [j for j in await self.store.user_jobs(msg.user, 50) if j.state in ACTIVE_STATES]
        if not active:
            return Reply(texts.t(locale, "cancel_nothing"), error=True)
        if len(active) == 1:
            return await self.cancel(msg.user, active[0].id, locale)
        ids = ", ".join(j.short_id for j in active)
        return Reply(texts.t(locale, "cancel_which", ids=ids), error=True)
