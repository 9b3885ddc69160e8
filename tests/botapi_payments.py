"""Telegram Stars in the Bot API emulator: invoices, the pre-checkout query and its answer,
the successful payment, the bot's Star transactions, and refunds.

Field names follow the Bot API (sendInvoice, PreCheckoutQuery, SuccessfulPayment,
StarTransaction with a TransactionPartnerUser source, refundStarPayment) as
python-telegram-bot 22 reads and writes them. Like Telegram, a payment is only possible
after the bot answered its pre-checkout query with ok=true, Stars invoices refuse a
provider token and any currency but XTR, and a charge is refunded at most once.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StarCharge:
    charge_id: str
    user: dict[str, Any]
    amount: int
    payload: str
    at: int = field(default_factory=lambda: int(time.time()))
    refunded: bool = False


class StarsMixin:
    """Mixed into BotAPIEmulator, which provides push_update, make_message and _error."""

    def _stars_init(self) -> None:
        self.invoices: list[dict[str, Any]] = []
        self.pre_checkout_answers: dict[str, dict[str, Any]] = {}  # query id -> answer
        self.charges: dict[str, StarCharge] = {}
        self._query_ids = itertools.count(1)
        self._charge_ids = itertools.count(1)

    # what a user does

    def pre_checkout(self, user: dict[str, Any], payload: str, amount: int) -> str:
        """The user presses Pay on an invoice: Telegram asks the bot first."""
        query_id = f"pcq{next(self._query_ids)}"
        self.push_update(  # type: ignore[attr-defined]
            {
                "pre_checkout_query": {
                    "id": query_id,
                    "from": user,
                    "currency": "XTR",
                    "total_amount": amount,
                    "invoice_payload": payload,
                }
            }
        )
        return query_id

    def pay(self, query_id: str, user: dict[str, Any], payload: str, amount: int) -> dict[str, Any]:
        """The payment after an approved pre-checkout: the Star transaction and the
        message with `successful_payment` (returned, to deliver again as a replay)."""
        answer = self.pre_checkout_answers.get(query_id)
        if not answer or not answer["ok"]:
            raise AssertionError(f"pre-checkout {query_id} was not approved: {answer}")
        charge = StarCharge(f"stxCharge{next(self._charge_ids):04d}AbC", user, amount, payload)
        self.charges[charge.charge_id] = charge
        message = self.make_message(  # type: ignore[attr-defined]
            None,
            user=user,
            successful_payment={
                "currency": "XTR",
                "total_amount": amount,
                "invoice_payload": payload,
                "telegram_payment_charge_id": charge.charge_id,
                "provider_payment_charge_id": "",
            },
        )
        self.push_update({"message": message})  # type: ignore[attr-defined]
        return message

    # the bot's methods

    def _m_sendInvoice(self, call: Any) -> Any:
        p = call.params
        if p.get("currency") != "XTR" or p.get("provider_token"):
            return self._error(400, "Bad Request: Stars invoices need currency XTR, no provider")  # type: ignore[attr-defined]
        prices = p.get("prices")
        if not isinstance(prices, list) or len(prices) != 1 or int(prices[0]["amount"]) <= 0:
            return self._error(400, "Bad Request: Stars invoices take exactly one price")  # type: ignore[attr-defined]
        for key in ("title", "description", "payload"):
            if not str(p.get(key) or "").strip():
                return self._error(400, f"Bad Request: {key} is empty")  # type: ignore[attr-defined]
        invoice = {
            "title": p["title"],
            "description": p["description"],
            "start_parameter": "",
            "currency": "XTR",
            "total_amount": int(prices[0]["amount"]),
        }
        self.invoices.append({**invoice, "payload": str(p["payload"]), "chat_id": p["chat_id"]})
        return self._new_message(call, invoice=invoice)  # type: ignore[attr-defined]

    def _m_answerPreCheckoutQuery(self, call: Any) -> Any:
        p = call.params
        ok = p.get("ok") in (True, "true", "True")
        if not ok and not p.get("error_message"):
            return self._error(400, "Bad Request: error_message is required when ok is false")  # type: ignore[attr-defined]
        self.pre_checkout_answers[str(p["pre_checkout_query_id"])] = {
            "ok": ok,
            "error_message": p.get("error_message"),
        }
        return True

    def _m_refundStarPayment(self, call: Any) -> Any:
        charge = self.charges.get(str(call.params.get("telegram_payment_charge_id")))
        if charge is None or int(call.params.get("user_id", 0)) != charge.user["id"]:
            return self._error(400, "Bad Request: CHARGE_NOT_FOUND")  # type: ignore[attr-defined]
        if charge.refunded:
            return self._error(400, "Bad Request: CHARGE_ALREADY_REFUNDED")  # type: ignore[attr-defined]
        charge.refunded = True
        return True

    def _m_getStarTransactions(self, call: Any) -> Any:
        offset = int(call.params.get("offset") or 0)
        limit = int(call.params.get("limit") or 100)
        rows: list[dict[str, Any]] = []
        for charge in self.charges.values():
            rows.append(
                {
                    "id": charge.charge_id,
                    "amount": charge.amount,
                    "date": charge.at,
                    "source": {
                        "type": "user",
                        "transaction_type": "invoice_payment",
                        "user": charge.user,
                        "invoice_payload": charge.payload,
                    },
                }
            )
            if charge.refunded:  # the refund: same id, the user as receiver
                rows.append(
                    {
                        "id": charge.charge_id,
                        "amount": charge.amount,
                        "date": charge.at,
                        "receiver": {
                            "type": "user",
                            "transaction_type": "invoice_payment",
                            "user": charge.user,
                        },
                    }
                )
        return {"transactions": rows[offset : offset + limit]}
