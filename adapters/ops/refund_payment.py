"""`videobot refund-payment CHARGE_ID [--force]`: give a Telegram Stars payment back.

The bought credits the payment added are taken back first, in one transaction that also
marks the payment refunded (so a user cannot spend them in between, and a second run takes
nothing more); then Telegram's `refundStarPayment` returns the Stars. When the credits were
spent the refund is refused, with the numbers, unless --force, which takes back what is
left. If Telegram fails after the take-back, running the command again retries only the
Stars refund.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any, TextIO

from telegram import Bot
from telegram.error import TelegramError

from adapters.ops import audit
from adapters.terminal import for_terminal
from bot.config import Settings
from bot.redact import redact
from bot.storage import StoreUnavailable, open_store
from bot.storage.payment_types import PaymentRefund, RefundOutcome

COMMAND = "refund-payment"


class RefundRefused(Exception):
    """Why nothing (or only the credits) could be refunded; exit status 1."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        COMMAND,
        help="refund a Telegram Stars payment and take back its unspent credits",
        description="Refund the Telegram Stars payment CHARGE_ID (its "
        "telegram_payment_charge_id, as /history and export-ledger show it) through "
        "refundStarPayment, taking back the credits it bought. Refused when the user has "
        "already spent some of them, unless --force (then what is left is taken back).",
    )
    p.add_argument("charge_id", metavar="CHARGE_ID")
    p.add_argument("--force", action="store_true", help="refund even if credits were spent")


def run(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        print(asyncio.run(refund_payment(settings, args.charge_id, args.force)), file=out)
    except (RefundRefused, StoreUnavailable) as exc:
        print(f"videobot {COMMAND}: {for_terminal(str(exc))}", file=sys.stderr)
        return 1
    return 0


async def refund_payment(settings: Settings, charge_id: str, force: bool) -> str:
    charge = charge_id.strip().removeprefix("telegram:")
    if not charge:
        raise RefundRefused("give the payment's telegram_payment_charge_id")
    if settings.telegram_bot_token is None:
        raise RefundRefused("TELEGRAM_BOT_TOKEN is not set: Telegram refunds need the bot")
    if settings.uses_sqlite and not settings.sqlite_path.exists():
        raise RefundRefused(f"no database at {settings.sqlite_path} (DATABASE_URL)")
    store = await open_store(settings.database_url)
    try:
        result = await store.refund_purchase(f"telegram:{charge}", force, time.time())
        if result.outcome is RefundOutcome.TAKEN and result.payment is not None:
            paid = result.payment
            note = f"{paid.price} Stars to {paid.user}" + (" (--force)" if force else "")
            taken = f"took back {result.taken} of {paid.credits} credits"
            await store.record_audit(audit.entry("refund_payment", paid.id, "paid", taken, note))
    finally:
        await store.close()
    payment = _check(result, charge)
    user_id = int(payment.user.removeprefix("telegram:"))
    token = settings.telegram_bot_token.get_secret_value()
    bot = Bot(token, base_url=f"{settings.telegram_api_url.rstrip('/')}/bot")
    try:
        async with bot:
            await bot.refund_star_payment(user_id, charge)
    except TelegramError as exc:
        if "ALREADY_REFUNDED" not in str(exc).upper():
            raise RefundRefused(
                f"{result.taken} credits were taken back from {payment.user}, but Telegram "
                f"refused the refund ({redact(str(exc))}); run the command again to retry it"
            ) from None
    return (
        f"refunded {payment.price} Stars to {payment.user}; took back {result.taken} of the "
        f"{payment.credits} credits it bought"
    )


def _check(result: PaymentRefund, charge: str) -> Any:
    payment = result.payment
    if result.outcome is RefundOutcome.UNKNOWN or payment is None:
        raise RefundRefused(f"no Telegram payment {charge} was credited here")
    if result.outcome is RefundOutcome.SPENT:
        raise RefundRefused(
            f"refused: the payment bought {payment.credits} credits but {payment.user} has "
            f"only {result.left} bought credits left ({payment.credits - result.left} spent); "
            "--force refunds the Stars and takes back what is left"
        )
    return payment
