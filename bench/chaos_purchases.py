"""The chaos run's buyers: Telegram Stars payments made while the bot is being killed, some
of their updates delivered twice, and the reconciliation of every bought credit.

Each buyer goes through /buy's steps as Telegram does: a pre-checkout query the bot must
approve, then the payment (the emulator's Star transaction and the `successful_payment`
update). A kill can fall between the update and its credit; the bot then finds the payment
among its Star transactions at start. At the end, the credits Telegram took payment for must
equal the credits the ledger's `purchase` entries granted, one entry per charge, and every
user's bought credits must be what they bought less what their jobs kept.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

from tests.botapi_emulator import BotAPIEmulator

PACK_CREDITS, PACK_STARS = 10, 50
CREDIT_PACKS = f"{PACK_CREDITS}:{PACK_STARS}"


class Buyers:
    def __init__(self, rng: random.Random, count: int, spread: float, faults: Counter[str]) -> None:
        self.rng = rng
        self.count = count
        self.spread = spread
        self.faults = faults
        self.bought: dict[str, int] = {}  # charge id -> credits Telegram took payment for
        self.refused = 0  # pre-checkouts the bot refused or never answered (no payment)

    async def push(self, tg: BotAPIEmulator, users: list[dict[str, Any]]) -> None:
        replays: list[dict[str, Any]] = []
        for _ in range(self.count):
            await asyncio.sleep(self.rng.uniform(0, self.spread / max(1, self.count)))
            user = self.rng.choice(users)
            payload = f"credits:{PACK_CREDITS}:{PACK_STARS}:telegram:{user['id']}"
            query = tg.pre_checkout(user, payload, PACK_STARS)
            for _ in range(200):  # a bot being restarted answers late; Telegram waits 10 s
                if query in tg.pre_checkout_answers:
                    break
                await asyncio.sleep(0.05)
            answer = tg.pre_checkout_answers.get(query)
            if not answer or not answer["ok"]:
                self.refused += 1
                continue
            message = tg.pay(query, user, payload, PACK_STARS)
            charge = message["successful_payment"]["telegram_payment_charge_id"]
            self.bought[charge] = PACK_CREDITS
            if self.rng.random() < 0.3:
                replays.append(message)
        for message in replays:  # the same payment update delivered again
            await asyncio.sleep(self.rng.uniform(0.1, 1.0))
            tg.push_update({"message": message})
            self.faults["payment update replayed"] += 1

    def problems(self, data: dict[str, Any]) -> list[str]:
        """Bought = granted by purchases, once per charge; each user's bought balance adds up."""
        problems: list[str] = []
        purchases = [e for e in data["ledger"] if e["kind"] == "purchase"]
        per_charge = Counter(e["payment_id"] for e in purchases)
        for charge, credits in self.bought.items():
            key = f"telegram:{charge}"
            if per_charge[key] != 1:
                problems.append(f"payment {charge}: {per_charge[key]} purchase entries")
            granted = sum(e["amount"] for e in purchases if e["payment_id"] == key)
            if per_charge[key] == 1 and granted != credits:
                problems.append(f"payment {charge}: bought {credits}, granted {granted}")
        unknown = set(per_charge) - {f"telegram:{c}" for c in self.bought}
        problems += [f"{p}: credited but never paid" for p in sorted(unknown)]
        expected: Counter[str] = Counter()
        for e in data["ledger"]:
            if e["kind"] in ("purchase", "payment_refund"):
                expected[e["user"]] += e["amount"]
        for job in data["jobs"]:
            if job["settled"] != "refunded":
                expected[job["user"]] -= job["paid_purchased"]
        for user in data["users"]:
            if user["purchased"] != expected[user["user"]]:
                problems.append(
                    f"{user['user']}: bought credits {user['purchased']}, "
                    f"ledger says {expected[user['user']]}"
                )
        return problems

    def total_bought(self) -> int:
        return sum(self.bought.values())
