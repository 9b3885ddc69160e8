"""Telegram Stars: /buy's invoices, the pre-checkout answer, the payment's credit, and the
payments that arrived while the bot was not listening.

Stars need no payment provider: `sendInvoice` in XTR with no provider token. Telegram sends
a `pre_checkout_query` that must be answered within 10 s (the core only reads for it), then
a message with `successful_payment`, whose `telegram_payment_charge_id` the core credits
once. The poller confirms updates as soon as it has fetched them, so a stop between the
fetch and the credit would lose a payment's update for good: at start the bot reads its
Star transactions back (`getStarTransactions`) and credits any it has not, which is a
no-op for the ones it has.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from telegram import Bot, Chat, LabeledPrice, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, MessageHandler, PreCheckoutQueryHandler, filters

from adapters.telegram.flood import patiently
from adapters.telegram.translate import addressed_command, redact, thread_of, user_ref
from bot import texts
from bot.bootstrap import Core
from bot.models import UserRef
from bot.packs import STARS, payload_credits
from bot.storage.payment_types import Purchase

log = logging.getLogger("videobot.telegram")

TRANSACTIONS_PAGE = 100  # getStarTransactions' largest page


def purchase_of(
    charge_id: str, user: UserRef, payload: str, amount: int, currency: str
) -> Purchase:
    """The core's Purchase for a Stars payment (the same from an update or a transaction)."""
    return Purchase(
        id=f"telegram:{charge_id}",
        user=user,
        product=":".join(payload.split(":")[:3]),
        credits=payload_credits(payload),
        price=amount,
        currency=currency,
    )


class TelegramPayments:
    """Handlers for the payment updates, and the start-up catch-up; see the module doc."""

    def __init__(self, core: Core, token: str, allowed: Callable[[Chat, UserRef], bool]) -> None:
        self.core = core
        self.token = token
        self.allowed = allowed

    def install(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Ahead of the general message handler (a payment message has no text for it), and
        /buy's invoices in a later group, after the general handler sent the pack list."""
        app.add_handler(PreCheckoutQueryHandler(self.on_pre_checkout))
        app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, self.on_payment))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.on_buy), group=1)

    async def on_pre_checkout(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.pre_checkout_query
        if query is None:
            return
        who = query.from_user
        try:
            reason = await self.core.service.precheck(
                user_ref(who), query.invoice_payload, query.currency, query.total_amount,
                who.language_code,
            )  # fmt: skip
        except Exception:  # the store is down: say no now rather than let Telegram time out
            log.exception("pre-checkout %s failed", query.id)
            reason = texts.t(who.language_code, "internal_error")
        await patiently(
            lambda: query.answer(ok=reason is None, error_message=reason), what="preCheckout"
        )

    async def on_payment(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.successful_payment is None or message.from_user is None:
            return
        paid = message.successful_payment
        sender = message.from_user
        purchase = purchase_of(
            paid.telegram_payment_charge_id, user_ref(sender), paid.invoice_payload,
            paid.total_amount, paid.currency,
        )  # fmt: skip
        if purchase.credits <= 0:
            log.error("payment %s has an unreadable payload; not credited", purchase.id)
            await self._say(
                message,
                self.core.service.settings.paysupport_text
                or texts.t(sender.language_code, "paysupport_default"),
            )
            return
        text = await self.core.service.credit_purchase(purchase, sender.language_code)
        await self._say(message, text)

    async def on_buy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One Stars invoice per pack, made out to the sender (the pre-checkout checks it),
        where the bot serves (elsewhere the general handler already said so)."""
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        private = message.chat.type == "private"
        if addressed_command(message.text or "", context.bot.username, private=private) != "buy":
            return
        sender = message.from_user
        if not self.allowed(message.chat, user_ref(sender)):
            return
        for pack in self.core.service.settings.credit_packs:
            title = texts.t(sender.language_code, "invoice_title", credits=pack.credits)
            about = texts.t(sender.language_code, "invoice_description", credits=pack.credits)
            invoice = partial(
                message.get_bot().send_invoice,
                chat_id=message.chat.id,
                title=title,
                description=about,
                payload=f"{pack.payload}:{user_ref(sender)}",
                currency=STARS,
                prices=[LabeledPrice(title, pack.stars)],
                message_thread_id=thread_of(message),
            )
            await patiently(invoice, what="sendInvoice")

    async def catch_up(self, bot: Bot) -> int:
        """Credit the Stars payments among the bot's transactions that were never credited
        (their update lost to a stop) nor refunded since; returns how many were new. Reads
        every page: Telegram lists them oldest first, 100 at a time, and a refund later on
        carries its payment's id."""
        paid: dict[str, Purchase] = {}
        offset = 0
        while True:
            try:
                page = await bot.get_star_transactions(offset=offset, limit=TRANSACTIONS_PAGE)
            except TelegramError as exc:
                log.warning(
                    "telegram: reading Star transactions failed: %s", redact(str(exc), self.token)
                )
                return 0
            for tx in page.transactions:
                if tx.receiver is not None:  # outgoing: a refund of payment `tx.id`
                    paid.pop(tx.id, None)
                    continue
                payload = getattr(tx.source, "invoice_payload", None) or ""
                user = getattr(tx.source, "user", None)
                if user is not None and payload.startswith("credits:"):  # one of our packs
                    paid[tx.id] = purchase_of(tx.id, user_ref(user), payload, tx.amount, STARS)
            if len(page.transactions) < TRANSACTIONS_PAGE:
                break
            offset += TRANSACTIONS_PAGE
        new = 0
        for purchase in paid.values():
            if purchase.credits > 0:
                credited = await self.core.store.credit_purchase(
                    purchase, self.core.service.clock()
                )
                new += credited.new
        if new:
            log.info("telegram: credited %d Stars payment(s) found at start", new)
        return new

    async def _say(self, message: Message, text: str) -> None:
        await patiently(lambda: message.reply_text(text[:4096]), what="reply")
