"""The Telegram adapter: a python-telegram-bot `Application` wired to the core.

Lifecycle (the runtime owns the event loop, so no `run_polling`): initialize (getMe) ->
setMyCommands in English and Chinese -> subscribe the engine sink -> start -> long polling,
or a webhook when TELEGRAM_WEBHOOK_URL is set. Updates are handled concurrently, so a slow
download never holds up anyone else. On PostgreSQL several processes may run: every one
serves the webhook, but only the leader polls (leader.py).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from dataclasses import replace
from typing import Any

import httpx
from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeChat,
)
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from adapters.base import load_settings
from adapters.settings_keys import telegram_keys
from adapters.telegram.chat import TelegramChat
from adapters.telegram.delivery import TelegramSink
from adapters.telegram.downloads import Downloader
from adapters.telegram.flood import patiently
from adapters.telegram.handlers import Handlers
from adapters.telegram.leader import Poller, polling_leadership
from adapters.telegram.payments import TelegramPayments
from adapters.telegram.settings import TelegramSettings, is_official
from adapters.telegram.status import StatusBoard
from adapters.telegram.translate import ALLOWED_UPDATES, PLATFORM, redact
from adapters.telegram.webhook import WebhookServer, derived_secret
from bot import texts
from bot.bootstrap import ConfigError, Core
from bot.chat import ChatAddress
from bot.models import UserRef
from bot.redact import redact as scrub
from bot.service import ADMIN_COMMANDS
from bot.storage.leadership import Leadership

log = logging.getLogger("videobot.telegram")

# PTB 22 warns whenever a RetryAfter is created (its int -> timedelta migration); we read
# both forms (translate.retry_seconds), so the warning is noise in every flood-control event.
warnings.filterwarnings(
    "ignore", message=r".*attribute `retry_after` will be of type", category=PTBDeprecationWarning
)

MENU_LANGUAGES: tuple[str | None, ...] = (None, "zh")  # None: everyone else (English)
TgApp = Application[Any, Any, Any, Any, Any, Any]


class TelegramAdapter:
    """Serves Telegram users through the core; see the package docstring."""

    name = "telegram"

    def __init__(
        self,
        core: Core,
        settings: TelegramSettings | None = None,
        *,
        edit_interval: float = 3.0,
        album_window: float = 1.0,
        poll_timeout: float = 30.0,
    ) -> None:
        secret = core.settings.telegram_bot_token
        if secret is None or not secret.get_secret_value().strip():
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
        self.core = core
        self.settings = (
            settings if settings is not None else load_settings(TelegramSettings, "Telegram")
        )
        core.service.live.follow(self.settings, telegram_keys())  # changeable by /settings
        self.token = secret.get_secret_value().strip()
        self.api_url = core.settings.telegram_api_url.rstrip("/")
        self.poll_timeout = poll_timeout
        self.done = asyncio.Event()
        self.app: TgApp = build_application(self.token, self.api_url)
        self.board = StatusBoard(
            self.app.bot, interval=edit_interval, persist=self._persist, token=self.token
        )
        self.board.tidy = core.settings.group_cleanup
        self.sink = TelegramSink(
            self.app.bot,
            self.board,
            upload_limit=self.settings.upload_limit_bytes(self.api_url),
            token=self.token,
            work_dir=core.settings.work_dir / "fit",
            result_buttons=core.service.result_buttons,
        )
        self.handlers = Handlers(
            core,
            self.settings,
            self.board,
            Downloader(self.app.bot, official_api=is_official(self.api_url)),
            album_window=album_window,
            token=self.token,
        )
        self.payments = TelegramPayments(core, self.token, self.handlers.allowed)
        self.payments.install(self.app)  # ahead of the general handler: payments have no text
        # Before any handler (group -1): settings another process changed, e.g. allowed chats.
        self.app.add_handler(TypeHandler(object, self._refresh_settings), group=-1)
        self.app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.handlers.on_message))
        self.app.add_handler(CallbackQueryHandler(self.handlers.on_callback))
        self.app.add_error_handler(self.handlers.on_error)
        self.webhook: WebhookServer | None = None
        self.poller = Poller(self.app, timeout=poll_timeout, on_error=self._polling_error)
        self.leadership: Leadership | None = None
        self._started = False

    async def _refresh_settings(self, update: object, context: Any) -> None:
        await self.core.service.live.refresh()

    # lifecycle

    async def start(self) -> None:
        try:
            await self.app.initialize()
        except InvalidToken:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN was refused by the Bot API; check it with @BotFather"
            ) from None
        except TelegramError as exc:
            raise ConfigError(
                f"cannot reach the Telegram Bot API at TELEGRAM_API_URL: {self._safe(exc)}"
            ) from None
        self._started = True
        log.info("telegram: signed in as @%s", self.app.bot.username)
        await self._register_commands()
        if self.core.settings.credit_packs:
            await self.payments.catch_up(self.app.bot)
        self.core.engine.subscribe(PLATFORM, self.sink)
        self.core.notices.register(PLATFORM, self._direct_message)
        await self.app.start()
        if self.settings.webhook_url:
            await self._start_webhook(self.settings.webhook_url)
        else:
            self.leadership = polling_leadership(
                self.poller, self.core.settings.database_url, self.token
            )
            if self.leadership is None:  # SQLite: one process, it polls
                await self.poller.start()
            else:
                await self.leadership.start()
                if not self.leadership.leading:
                    log.info("telegram: another process polls; this one delivers, stands by")

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        self.sink.closed = True
        if self.webhook is not None:
            await self.webhook.stop()
        if self.leadership is not None:
            await self.leadership.stop()
        await self.poller.stop()
        await self.handlers.albums.aclose()
        if self.app.running:
            await self.app.stop()
        await self.board.aclose()
        await self.app.shutdown()

    async def _start_webhook(self, url: str) -> None:
        secret = self.settings.webhook_secret
        token = secret.get_secret_value() if secret else derived_secret(self.token)
        host, port = self.settings.listen
        self.webhook = WebhookServer(
            self.app, path=httpx.URL(url).path or "/", secret=token, host=host, port=port
        )
        await self.webhook.start()
        try:
            await patiently(
                lambda: self.app.bot.set_webhook(
                    url, secret_token=token, allowed_updates=ALLOWED_UPDATES
                ),
                what="setWebhook",
            )
        except TelegramError as exc:
            raise ConfigError(f"Telegram refused TELEGRAM_WEBHOOK_URL: {self._safe(exc)}") from None
        log.info("telegram: webhook set")

    def _polling_error(self, exc: TelegramError) -> None:
        log.warning("telegram: polling failed: %s", self._safe(exc))

    # commands menu

    async def _direct_message(self, user_id: str, text: str) -> None:
        """An admin notice, in the admin's private chat with the bot."""
        await patiently(lambda: self.app.bot.send_message(chat_id=int(user_id), text=text))

    async def _register_commands(self) -> None:
        """setMyCommands for everyone (English default, Chinese by language code), with
        /groupquota for the groups' administrators, and the admin commands for each
        Telegram admin's private chat."""
        service = self.core.service
        admins = []
        for ref in self.core.settings.admin_user_ids:
            user = UserRef.parse(ref)
            if user.platform == PLATFORM and user.id.lstrip("-").isdigit():
                admins.append(int(user.id))
        for language in MENU_LANGUAGES:
            commands = [BotCommand(c, d) for c, d in service.command_list(language or "en")]
            extra = [BotCommand(c, texts.t(language, f"cmd_{c}")) for c in ADMIN_COMMANDS]
            await self._set_commands(commands, language)
            budget = BotCommand("groupquota", texts.t(language, "cmd_groupquota"))
            group_admins = BotCommandScopeAllChatAdministrators()  # /groupquota is theirs
            await self._set_commands([*commands, budget], language, scope=group_admins)
            for admin in admins:
                await self._set_commands(commands + extra, language, admin)

    async def _set_commands(
        self,
        commands: list[BotCommand],
        language: str | None,
        chat_id: int | None = None,
        scope: BotCommandScope | None = None,
    ) -> None:
        scope = BotCommandScopeChat(chat_id) if chat_id is not None else scope
        try:
            await patiently(
                lambda: self.app.bot.set_my_commands(commands, scope=scope, language_code=language),
                what="setMyCommands",
            )
        except TelegramError as exc:  # e.g. an admin who never opened the bot
            log.info("telegram: setMyCommands (%s) failed: %s", language or "default", exc)

    # helpers

    async def _persist(self, job_id: str, message_id: int, header: str) -> None:
        """Remember the job's status message, so a restart edits it rather than a new one."""

        def shown(chat: ChatAddress) -> ChatAddress:
            return replace(
                TelegramChat.of(chat), status_message_id=message_id, status_header=header
            )

        await self.core.service.attach(job_id, shown)

    def _safe(self, exc: BaseException) -> str:
        """Error text without the token or the webhook secret, whatever case it comes back in."""
        return scrub(redact(f"{type(exc).__name__}: {exc}", self.token))[:300]


def build_application(token: str, api_url: str) -> TgApp:
    """PTB Application against the Bot API at `api_url` (Telegram's or a self-hosted one).

    `local_mode` stays off: uploads go as multipart bytes, which every server accepts; a
    self-hosted server raises the upload limit on its own.
    """
    root = api_url.rstrip("/")
    app: TgApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .concurrent_updates(True)
        .connect_timeout(10.0)
        .read_timeout(20.0)
        .write_timeout(30.0)
        .pool_timeout(10.0)
        .media_write_timeout(600.0)
        .build()
    )
    return app
