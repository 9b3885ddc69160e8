"""The command set, answered in one place so every adapter behaves the same.

An adapter hands over an `Incoming` (who, what they typed, the media it downloaded, its
reply context) and sends back the `Reply`. Video commands are validated, reserved and
persisted here, then handed to the engine; the handler returns at once.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from bot import texts
from bot.admin_commands import AdminCommands
from bot.admission import check_admission
from bot.commands import ParsedCommand, parse
from bot.config import Settings
from bot.errors import InvalidRequest, QuotaError
from bot.jobs import CancelResult, JobEngine
from bot.models import ACTIVE_STATES, Media, UserRef
from bot.replies import Incoming, Reply, seconds_to_midnight, utc_day
from bot.seeds import seed_text
from bot.storage.base import NewJob, QuotaPolicy, Store
from bot.validation import plan
from bot.vendors.base import VendorClient

log = logging.getLogger("videobot.service")

USER_COMMANDS = ("video", "act", "quota", "jobs", "cancel", "help")
ADMIN_COMMANDS = ("grant", "ban", "unban", "stats")

__all__ = ["ADMIN_COMMANDS", "USER_COMMANDS", "Incoming", "Reply", "VideoService", "utc_day"]


class VideoService(AdminCommands):
    def __init__(
        self,
        settings: Settings,
        store: Store,
        engine: JobEngine,
        vendors: list[VendorClient],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.store = store
        self.engine = engine
        self.vendors = vendors
        self.clock = clock

    # entry points for adapters

    async def handle(self, msg: Incoming) -> Reply:
        """Answer one command; never raises for bad input."""
        locale = texts.norm_locale(msg.locale)
        try:
            cmd = msg.command or parse(msg.text)
            handler = getattr(self, f"_cmd_{cmd.name}", None)
            if cmd.name in ADMIN_COMMANDS and not self.settings.is_admin(msg.user):
                return Reply(texts.t(locale, "not_admin"), error=True)
            if handler is None:
                return Reply(texts.t(locale, "unknown_command"), error=True)
            reply: Reply = await handler(msg, cmd, locale)
            return reply
        except (InvalidRequest, QuotaError) as exc:
            return Reply(self._refusal(exc, locale), error=True)
        except Exception:
            log.exception("command failed for %s", msg.user)
            return Reply(texts.t(locale, "internal_error"), error=True)

    async def admit(self, user: UserRef, locale: str | None) -> Reply | None:
        """The refusal for a user who cannot start a video now (banned, out of credits, at
        the job limit), for adapters to send before downloading any media; None if they may
        try. Advisory: the reservation checks again, atomically."""
        try:
            await check_admission(
                self.store, self.settings, self.vendors, user, utc_day(self.clock())
            )
        except QuotaError as exc:
            return Reply(self._refusal(exc, texts.norm_locale(locale)), error=True)
        return None

    async def again(
        self, user: UserRef, job_id: str, locale: str | None, chat: dict[str, Any]
    ) -> Reply:
        """The same request as `job_id` with a new seed, paid by `user`. A job's media is
        reused only for its owner or in the chat it was posted in: a button id forged in
        another chat gets the same answer as an unknown job."""
        loc = texts.norm_locale(locale)
        try:
            old = await self.store.get_job(job_id)
            if old is None or (old.user != user and not _same_place(old.chat, chat)):
                return Reply(texts.t(loc, "again_unavailable"), error=True)
            media = await self.store.media(job_id)
            opts = dict(old.request)
            opts["seed"] = random.randint(1, 4_294_967_294)
            return await self._start(user, loc, chat, opts, media, opts.get("model_shown", ""))
        except (InvalidRequest, QuotaError) as exc:
            return Reply(self._refusal(exc, loc), error=True)
        except Exception:
            log.exception("again failed for %s", user)
            return Reply(texts.t(loc, "internal_error"), error=True)

    async def cancel(self, user: UserRef, job_ref: str, locale: str | None) -> Reply:
        """Cancel a job by id or short id; only its owner or an admin may. Someone else's
        job gets the same answer as no job, so ids cannot be probed."""
        loc = texts.norm_locale(locale)
        admin = self.settings.is_admin(user)
        job = await self.store.find_job(job_ref, None if admin else user)
        if job is None:
            return Reply(texts.t(loc, "cancel_unknown", id=job_ref[:12]), error=True)
        result = await self.engine.cancel(job.id)
        if result == CancelResult.OK:
            return Reply(texts.t(loc, "cancel_ok", id=job.short_id, cost=job.cost))
        fresh = await self.store.get_job(job.id) or job
        state = texts.t(loc, f"state_{fresh.state.value}")
        return Reply(texts.t(loc, "cancel_too_late", state=state), error=True)

    async def attach(self, job_id: str, **chat: Any) -> None:
        """Remember adapter context for a job (e.g. its status message id) across restarts."""
        job = await self.store.get_job(job_id)
        if job is not None:
            await self.store.update(job_id, self.clock(), chat={**job.chat, **chat})

    def command_list(self, locale: str | None) -> list[tuple[str, str]]:
        """(command, description) for the platforms' command menus."""
        return [(c, texts.t(locale, f"cmd_{c}")) for c in USER_COMMANDS]

    def is_admin(self, user: UserRef) -> bool:
        return self.settings.is_admin(user)

    # commands

    async def _cmd_video(self, msg: Incoming, cmd: ParsedCommand, locale: str) -> Reply:
        # Before plan(): decoding the media costs far more than this look at the store.
        await check_admission(
            self.store, self.settings, self.vendors, msg.user, utc_day(self.clock())
        )
        planned = await plan(
            cmd, self.vendors, images=msg.images, video=msg.video, character=msg.character,
            locale=locale,
        )  # fmt: skip
        req = planned.request
        opts = req.options()
        opts["vendors"] = planned.vendors
        opts["model_shown"] = planned.spec.name
        media = {
            role: m
            for role, m in (
                ("first_frame", req.first_frame),
                ("last_frame", req.last_frame),
                ("video", req.video),
                ("character", req.character),
            )
            if m is not None
        }
        return await self._start(msg.user, locale, msg.chat, opts, media, planned.spec.name)

    _cmd_act = _cmd_video

    async def _start(
        self,
        user: UserRef,
        locale: str,
        chat: dict[str, Any],
        opts: dict[str, Any],
        media: dict[str, Media],
        model: str,
    ) -> Reply:
        now = self.clock()
        cost = self.settings.cost(model, int(opts["duration"]))
        admin = self.settings.is_admin(user)
        policy = QuotaPolicy(
            day=utc_day(now),
            per_day=self.settings.quota_credits_per_day,
            max_active=self.settings.max_jobs_per_user,
            unlimited=admin,
        )
        new = NewJob(
            id=uuid.uuid4().hex,
            user=user,
            request=opts,
            cost=cost,
            locale=locale,
            chat=chat,
            deadline_at=now + self.settings.video_job_timeout,
            media=media,
        )
        job = await self.store.reserve(new, policy, now)
        log.info("job %s reserved user=%s cost=%d vendors=%s", job.id, user, cost, opts["vendors"])
        self.engine.launch(job.id)
        if admin:
            left = texts.t(locale, "left_unlimited")
        else:
            left = str((await self.store.balance(user, policy.day)).left(policy.per_day))
        text = texts.t(
            locale, "accepted",
            prompt=_clip(opts["prompt"]) if opts["prompt"] else "🎭",
            model=model, duration=opts["duration"], ratio=opts["ratio"], id=job.short_id, left=left,
            seed=seed_text(opts.get("seed")),
        )  # fmt: skip
        return Reply(text, job=job)

    async def _cmd_quota(self, msg: Incoming, cmd: ParsedCommand, locale: str) -> Reply:
        now = self.clock()
        balance = await self.store.balance(msg.user, utc_day(now))
        if self.settings.is_admin(msg.user):
            return Reply(texts.t(locale, "quota_admin", active=balance.active))
        per_day = self.settings.quota_credits_per_day
        bonus = texts.t(locale, "quota_bonus", bonus=balance.bonus) if balance.bonus else ""
        return Reply(
            texts.t(
                locale,
                "quota",
                left=max(0, per_day - balance.used_today),
                daily=per_day,
                bonus=bonus,
                reset=texts.duration_text(seconds_to_midnight(now), locale),
                cost5=self.settings.cost("*", 5),
                cost10=self.settings.cost("*", 10),
                active=balance.active,
            )
        )

    async def _cmd_jobs(self, msg: Incoming, cmd: ParsedCommand, locale: str) -> Reply:
        jobs = await self.store.user_jobs(msg.user, limit=10)
        if not jobs:
            return Reply(texts.t(locale, "jobs_none"))
        lines = [texts.t(locale, "jobs_header")]
        for job in jobs:
            state = texts.t(locale, f"state_{job.state.value}")
            if job.state in ACTIVE_STATES and job.progress:
                state += f" {round(job.progress * 100)}%"
            lines.append(
                texts.t(
                    locale,
                    "jobs_line",
                    id=job.short_id,
                    state=state,
                    prompt=_clip(job.prompt, 50),
                    seed=seed_text(job.request.get("seed")),
                )
            )
        return Reply("\n".join(lines))

    async def _cmd_cancel(self, msg: Incoming, cmd: ParsedCommand, locale: str) -> Reply:
        if cmd.args:
            return await self.cancel(msg.user, cmd.args[0], locale)
        active = [j for j in await self.store.user_jobs(msg.user, 50) if j.state in ACTIVE_STATES]
        if not active:
            return Reply(texts.t(locale, "cancel_nothing"), error=True)
        if len(active) == 1:
            return await self.cancel(msg.user, active[0].id, locale)
        ids = ", ".join(j.short_id for j in active)
        return Reply(texts.t(locale, "cancel_which", ids=ids), error=True)

    async def _cmd_help(self, msg: Incoming, cmd: ParsedCommand, locale: str) -> Reply:
        text = texts.t(
            locale, "help",
            cost5=self.settings.cost("*", 5), cost10=self.settings.cost("*", 10),
            daily=self.settings.quota_credits_per_day,
        )  # fmt: skip
        if self.settings.is_admin(msg.user):
            text += "\n\n" + texts.t(locale, "admin_help")
        return Reply(text)

    _cmd_start = _cmd_help

    # helpers

    def _refusal(self, exc: InvalidRequest | QuotaError, locale: str) -> str:
        params = dict(exc.params)
        if exc.key == "err_no_credits":
            params["reset"] = texts.duration_text(seconds_to_midnight(self.clock()), locale)
        return texts.t(locale, exc.key, **params)


def _same_place(posted: dict[str, Any], pressed: dict[str, Any]) -> bool:
    """Whether two adapter contexts name the same chat (Telegram) or channel (Discord)."""
    return any(
        posted.get(key) is not None and posted.get(key) == pressed.get(key)
        for key in ("chat_id", "channel_id")
    )


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
