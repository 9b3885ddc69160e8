"""Buying credits and reading where they went, as a part of VideoService: /buy, /history,
/paysupport, /terms, and the two steps of a payment the adapters hand over (the check
before it, the credit after it).

The platforms sell and collect (Telegram Stars invoices, Discord SKUs); the core decides
whether a payment may go ahead and credits each one once, whichever platform delivered it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot import texts
from bot.command_types import BuyCommand, HistoryCommand, PaySupportCommand, TermsCommand
from bot.config import Settings
from bot.history import history_text
from bot.models import UserRef
from bot.packs import STARS, pack_for, payload_user
from bot.replies import Incoming, Reply, utc_day
from bot.storage.base import Store
from bot.storage.payment_types import Purchase

log = logging.getLogger("videobot.payments")

Handler = Callable[[Incoming, Any, str], Awaitable[Reply]]


class PaymentCommands:
    """Mixed into VideoService, which provides the settings, the store and the clock."""

    settings: Settings
    store: Store
    clock: Callable[[], float]

    def payment_handlers(self) -> dict[type, Handler]:
        return {
            BuyCommand: self._buy,
            HistoryCommand: self._history,
            PaySupportCommand: self._paysupport,
            TermsCommand: self._terms,
        }

    async def _buy(self, msg: Incoming, cmd: BuyCommand, locale: str) -> Reply:
        return Reply(self.buy_text(msg.user.platform, locale))

    def buy_text(self, platform: str, locale: str | None) -> str:
        """The packs this platform sells, or that none are sold here."""
        if platform == "telegram" and self.settings.credit_packs:
            packs = [
                texts.t(locale, "buy_pack_stars", credits=p.credits, stars=p.stars)
                for p in self.settings.credit_packs
            ]
        elif platform == "discord" and self.settings.discord_credit_skus:
            packs = [
                texts.t(locale, "buy_pack_sku", credits=credits)
                for credits in self.settings.discord_credit_skus.values()
            ]
        else:
            return texts.t(locale, "buy_none")
        return texts.t(locale, "buy_intro", packs="\n".join(packs))

    async def _history(self, msg: Incoming, cmd: HistoryCommand, locale: str) -> Reply:
        return Reply(await history_text(self.store, msg.user, locale))

    async def _paysupport(self, msg: Incoming, cmd: PaySupportCommand, locale: str) -> Reply:
        return Reply(self.settings.paysupport_text or texts.t(locale, "paysupport_default"))

    async def _terms(self, msg: Incoming, cmd: TermsCommand, locale: str) -> Reply:
        return Reply(self.settings.terms_text or texts.t(locale, "terms_default"))

    async def precheck(
        self, user: UserRef, payload: str, currency: str, amount: int, locale: str | None
    ) -> str | None:
        """Why a Stars payment about to be made must be refused (in the user's language),
        or None to let it go ahead: a pack still sold at that price, for the user the
        invoice was made out to, who is not banned. Reads only: Telegram waits 10 s."""
        pack = pack_for(self.settings.credit_packs, payload)
        if pack is None or currency != STARS or amount != pack.stars:
            return texts.t(locale, "precheck_unknown_pack")
        if payload_user(payload) != str(user):
            return texts.t(locale, "precheck_other_user")
        if (await self.store.balance(user, utc_day(self.clock()))).banned:
            return texts.t(locale, "precheck_banned")
        return None

    async def credit_purchase(self, purchase: Purchase, locale: str | None) -> str:
        """Credit a completed payment (once per its id, however often it is delivered) and
        the reply naming the new balance."""
        now = self.clock()
        credited = await self.store.credit_purchase(purchase, now)
        log.info(
            "payment %s user=%s credits=%d %s",
            purchase.id, credited.user, credited.credits, "credited" if credited.new else "seen",
        )  # fmt: skip
        balance = await self.store.balance(UserRef.parse(credited.user), utc_day(now))
        return texts.t(
            locale, "purchase_done",
            credits=credited.credits, purchased=credited.purchased,
            left=balance.left(self.settings.quota_credits_per_day),
        )  # fmt: skip
