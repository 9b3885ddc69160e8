"""What can be bought: the Telegram Stars packs (CREDIT_PACKS) and the Discord SKUs
(DISCORD_CREDIT_SKUS), read from their settings' text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STARS = "XTR"  # Telegram's currency code for Stars


@dataclass(frozen=True, slots=True)
class CreditPack:
    credits: int
    stars: int

    @property
    def payload(self) -> str:
        """The invoice payload naming the pack (the buyer is added per invoice)."""
        return f"credits:{self.credits}:{self.stars}"


def _pairs(value: str, setting: str, left: str) -> list[tuple[int, int]]:
    pairs = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        first, sep, second = part.partition(":")
        if not sep or not first.strip().isdigit() or not second.strip().isdigit():
            raise ValueError(f"{setting}: {part!r} is not {left}:credits-style whole numbers")
        a, b = int(first), int(second)
        if a <= 0 or b <= 0:
            raise ValueError(f"{setting}: {part!r} needs numbers above zero")
        pairs.append((a, b))
    return pairs


def parse_packs(value: Any) -> list[CreditPack]:
    """`10:50,50:200` (credits:Stars) -> packs; a list of packs passes through."""
    if not isinstance(value, str):
        return list(value or [])
    packs = [CreditPack(c, s) for c, s in _pairs(value, "CREDIT_PACKS", "credits:Stars")]
    if len({p.credits for p in packs}) != len(packs):
        raise ValueError("CREDIT_PACKS: two packs with the same number of credits")
    return packs


def parse_skus(value: Any) -> dict[int, int]:
    """`SKU_ID:credits,…` -> {sku id: credits}; a mapping passes through."""
    if not isinstance(value, str):
        return dict(value or {})
    return dict(_pairs(value, "DISCORD_CREDIT_SKUS", "SKU_ID:credits"))


def pack_for(packs: list[CreditPack], payload: str) -> CreditPack | None:
    """The configured pack an invoice payload (`credits:C:S:USER`) names, if any."""
    parts = payload.split(":")
    if len(parts) < 3 or parts[0] != "credits":
        return None
    return next((p for p in packs if f"{p.credits}:{p.stars}" == ":".join(parts[1:3])), None)


def payload_user(payload: str) -> str:
    """The user an invoice was made out to (`credits:C:S:USER` -> USER), or ""."""
    parts = payload.split(":", 3)
    return parts[3] if len(parts) == 4 else ""


def payload_credits(payload: str) -> int:
    """The credits an invoice payload sells, configured or not any more (0 if unreadable):
    a paid invoice is honoured even after its pack was removed."""
    parts = payload.split(":")
    return int(parts[1]) if len(parts) >= 3 and parts[1].isdigit() else 0
