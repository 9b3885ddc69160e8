"""The command set, answered in one place so every adapter behaves the same.

An adapter hands over an `Incoming` (who, the typed command, the media it downloaded, its
reply context) and sends back the `Reply`; each command type has one handler in a table.
Video commands are validated, reserved and persisted here, then handed to the engine; the
handler returns at once.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bot import texts
from bot.account_commands import AccountCommands, clip
from bot.admin_commands import AdminCommands
from bot.admission import active_limit, check_admission
from bot.blocklist import PromptScreen
from bot.cancel_commands import CancelCommands
from bot.chat import ChatAddress
from bot.command_types import (
    ADMIN_ONLY,
    BanCommand,
    CancelCommand,
    ConfirmCommand,
    ExtendCommand,
    GrantCommand,
    GroupQuotaCommand,
    HelpCommand,
    JobsCommand,
    LinkCommand,
    QuotaCommand,
    Refused,
    SettingsCommand,
    ShowCommand,
    StatsCommand,
    UnlinkCommand,
    UpscaleCommand,
    VideoCommand,
)
from bot.config import Settings
from bot.errors import InvalidRequest, QuotaError
from bot.extend import ExtendCommands
from bot.group_budget_commands import GroupBudgetCommands
from bot.job_request import planned_request
from bot.jobs import JobEngine
from bot.jobs.line import line_text
from bot.link_commands import Tries
from bot.models import JobRequest, Media, UserRef
from bot.payment_commands import PaymentCommands
from bot.questions import Question, Questions
from bot.replies import Incoming, Reply, seconds_to_midnight, utc_day
from bot.result_actions import ResultActions
from bot.seeds import seed_text
from bot.settings_commands import SettingsCommands
from bot.settings_keys import CORE_KEYS
from bot.settings_live import LiveSettings
from bot.show import ShowCommands
from bot.spend_cap import SpendCap
from bot.storage.base import JobPatch, NewJob, QuotaPolicy, Store
from bot.validation import plan
from bot.vendors.base import VendorClient

log = logging.getLogger("videobot.service")

USER_COMMANDS = (
    "video", "act", "extend", "upscale", "show", "quota", "jobs", "cancel", "link", "unlink",
    "history", "buy",
    "help",
)  # fmt: skip
ADMIN_COMMANDS = ("grant", "ban", "unban", "stats", "settings")

__all__ = ["ADMIN_COMMANDS", "USER_COMMANDS", "Incoming", "Reply", "VideoService", "utc_day"]


class VideoService(
    AccountCommands,
    AdminCommands,
    ShowCommands,
    ExtendCommands,
    ResultActions,
    CancelCommands,
    PaymentCommands,
    GroupBudgetCommands,
    SettingsCommands,
):
    def __init__(
        self,
        settings: Settings,
        store: Store,
        engine: JobEngine,
        vendors: list[VendorClient],
        *,
        clock: Callable[[], float] = time.time,
        spend_cap: SpendCap | None = None,
        live: LiveSettings | None = None,
        screen: PromptScreen | None = None,
    ) -> None:
        self.settings = settings
        # The settings admins change at run time (bot.settings_live), checked per command.
        self.live = live if live is not None else LiveSettings(store, CORE_KEYS, [settings])
        self.spend_cap = spend_cap
        self.screen = screen or PromptScreen()  # PROMPT_BLOCKLIST; empty when unset
        self.store = store
        self.engine = engine
        self.vendors = vendors
        self.clock = clock
        self.questions = Questions()
        self.link_tries = Tries()
        # Command type -> its handler; a type missing here is answered as unknown.
        self._handlers: dict[type, Callable[[Incoming, Any, str], Awaitable[Reply]]] = {
            VideoCommand: self._video,
            QuotaCommand: self._quota,
            JobsCommand: self._jobs,
            CancelCommand: self._cancel,
            UpscaleCommand: self._upscale,
            ShowCommand: self._show,
            ExtendCommand: self._extend,
            HelpCommand: self._help,
            GrantCommand: self._grant,
            BanCommand: self._ban,
            StatsCommand: self._stats,
            SettingsCommand: self._settings,
            ConfirmCommand: self._confirm,
            LinkCommand: self._link,
            UnlinkCommand: self._unlink,
            GroupQuotaCommand: self._groupquota,
            Refused: self._refused,
            **self.payment_handlers(),
        }

    # entry points for adapters

    async def handle(self, msg: Incoming) -> Reply:
        """Answer one command; never raises for bad input."""
        locale = texts.norm_locale(msg.locale)
        await self.live.refresh()  # another process may have changed a setting
        try:
            cmd = msg.command
            if isinstance(cmd, ADMIN_ONLY) and not await self.account_admin(msg.user):
                return Reply(texts.t(locale, "not_admin"), error=True)
            handler = self._handlers.get(type(cmd))
            if handler is None:
                return Reply(texts.t(locale, "unknown_command"), error=True)
            return await handler(msg, cmd, locale)
        except (InvalidRequest, QuotaError) as exc:
            return Reply(self._refusal(exc, locale), error=True)
        except Exception:
            log.exception("command failed for %s", msg.user)
            return Reply(texts.t(locale, "internal_error"), error=True)

    async def admit(
        self, user: UserRef, locale: str | None, chat: ChatAddress | None = None
    ) -> Reply | None:
        """The refusal for a user who cannot start a video now (banned, out of credits, at
        the job limit; in `chat`'s group budget when it has one), for adapters to send
        before downloading any media; None if they may try. Advisory: the reservation
        checks again, atomically."""
        await self.live.refresh()
        group = chat.group_key() if chat is not None else None
        try:
            await check_admission(
                self.store, self.settings, self.vendors, user, utc_day(self.clock()), group
            )
        except QuotaError as exc:
            return Reply(self._refusal(exc, texts.norm_locale(locale)), error=True)
        return None

    async def attach(self, job_id: str, change: Callable[[ChatAddress], ChatAddress]) -> None:
        """Remember more of where a job is answered (e.g. its status message id) across
        restarts: `change` turns the stored address into the new one."""
        job = await self.store.get_job(job_id)
        if job is not None:
            await self.store.update(job_id, self.clock(), JobPatch(chat=change(job.chat)))

    def command_list(self, locale: str | None) -> list[tuple[str, str]]:
        """(command, description) for the platforms' command menus."""
        return [(c, texts.t(locale, f"cmd_{c}")) for c in USER_COMMANDS]

    def is_admin(self, user: UserRef) -> bool:
        return self.settings.is_admin(user)

    # commands

    async def _video(self, msg: Incoming, cmd: VideoCommand, locale: str) -> Reply:
        # Before plan(): decoding the media costs far more than this look at the store.
        await check_admission(
            self.store, self.settings, self.vendors, msg.user, utc_day(self.clock()),
            msg.chat.group_key(),
        )  # fmt: skip
        planned = await plan(
            cmd, self.vendors, images=msg.images, video=msg.video, character=msg.character,
            locale=locale, defaults=self.settings.video_default_models,
        )  # fmt: skip
        req = planned.request
        request = planned_request(req, planned.vendors, planned.spec.name)
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
        return await self._start(msg.user, locale, msg.chat, request, media, cmd.yes)

    async def _start(
        self,
        user: UserRef,
        locale: str,
        chat: ChatAddress,
        request: JobRequest,
        media: dict[str, Media],
        yes: bool = False,
    ) -> Reply:
        # Every way to start a job passes here, past the model's length check and before
        # the cost question, the spending cap and the reservation.
        screened = (request.prompt, request.options.negative)  # what the user typed, both
        line = next(filter(None, map(self.screen.refuses, screened)), None)
        if line is not None:
            log.info("prompt of %s refused by PROMPT_BLOCKLIST line %d", user, line)
            raise InvalidRequest("err_prompt_blocked")
        now = self.clock()
        model = request.model_shown
        cost = self.settings.cost(model, request.duration)
        admin = await self.account_admin(user)
        if not yes and cost > self.settings.confirm_above_credits:  # admins are asked too
            expires = now + self.settings.confirm_timeout
            question = Question(user, locale, chat, request, media, cost, expires)
            return await self._ask(question, admin, self.settings.quota_credits_per_day)
        policy = QuotaPolicy(
            day=utc_day(now),
            per_day=self.settings.quota_credits_per_day,
            max_active=active_limit(self.settings),
            unlimited=admin,
        )
        new = NewJob(
            id=uuid.uuid4().hex,
            user=user,
            request=request,
            cost=cost,
            locale=locale,
            chat=chat,
            deadline_at=now + self.settings.video_queue_timeout,  # the job's own time: at submit
            media=media,
            group=chat.group_key(),
        )
        if self.spend_cap is not None:  # the operator's money, before the user's credits
            await self.spend_cap.check(now)
        job = await self.store.reserve(new, policy, now)
        log.info(
            "job %s reserved user=%s cost=%d vendors=%s", job.id, user, cost, list(request.vendors)
        )
        standing = self.engine.admit(job)
        if admin:
            left = texts.t(locale, "left_unlimited")
        else:
            left = await self._group_left(new.group, user, policy.day, locale) or str(
                (await self.store.balance(user, policy.day)).left(policy.per_day)
            )
        text = texts.t(
            locale, "accepted",
            prompt=clip(request.prompt) if request.prompt else "🎭",
            model=model, duration=request.duration, ratio=request.ratio, id=job.short_id,
            cost=cost, left=left, seed=seed_text(request.seed),
        )  # fmt: skip
        if standing is not None:
            text += "\n" + line_text(standing, locale)
        return Reply(text, job=job)

    async def _upscale(self, msg: Incoming, cmd: UpscaleCommand, locale: str) -> Reply:
        return await self.upscale(msg.user, cmd.job_ref, locale, msg.chat)

    async def _refused(self, msg: Incoming, cmd: Refused, locale: str) -> Reply:
        return Reply(self._refusal(InvalidRequest(cmd.key, **cmd.params), locale), error=True)

    # helpers

    async def _guarded(
        self, user: UserRef, locale: str, what: str, run: Callable[[], Awaitable[Reply]]
    ) -> Reply:
        """`run()`'s reply, or the refusal or apology it ends in; never raises."""
        try:
            return await run()
        except (InvalidRequest, QuotaError) as exc:
            return Reply(self._refusal(exc, locale), error=True)
        except Exception:
            log.exception("%s failed for %s", what, user)
            return Reply(texts.t(locale, "internal_error"), error=True)

    def _refusal(self, exc: InvalidRequest | QuotaError, locale: str) -> str:
        params = dict(exc.params)
        if exc.key in ("err_no_credits", "err_spend_cap", "err_group_pool", "err_group_member"):
            params["reset"] = texts.duration_text(seconds_to_midnight(self.clock()), locale)
        return texts.t(locale, exc.key, **params)
