"""What the videos of the configured vendors' default models cost, for /quota and /help,
and an upscale of a 5 s or 10 s video where a vendor serves it."""

from __future__ import annotations

from bot import texts
from bot.config import Settings
from bot.models import Mode
from bot.upscale import upscalers
from bot.vendors.base import ModelSpec, VendorClient


def default_specs(vendors: list[VendorClient]) -> list[ModelSpec]:
    """The model each vendor uses for each kind of video when the user names none, once each."""
    found: dict[str, ModelSpec] = {}
    for vendor in vendors:
        for mode in Mode:
            spec = vendor.capabilities.pick(mode, None)
            if spec is not None and spec.name not in found:
                found[spec.name] = spec
    return list(found.values())


def price_list(settings: Settings, vendors: list[VendorClient], locale: str) -> str:
    """`gen4.5: 2 s = 1, 10 s = 5 · veo3.1_fast: 4 s = 3, 8 s = 5`: each default model's
    shortest and longest video, as the cost table prices them."""
    rows: list[tuple[str, str, list[int]]] = []  # (label, model, lengths shown)
    for spec in default_specs(vendors):
        lengths = sorted(set(spec.durations))
        rows.append((spec.name, spec.name, sorted({lengths[0], lengths[-1]}) if lengths else []))
    rows += [(f"⤴ {v.upscaler}", v.upscaler or "", [5, 10]) for v in upscalers(vendors)[:1]]
    parts = []
    for label, model, shown in rows:
        prices = ", ".join(
            texts.t(locale, "price_length", seconds=s, credits=settings.cost(model, s))
            for s in shown
        )
        parts.append(texts.t(locale, "price_model", model=label, prices=prices))
    return " · ".join(parts)
