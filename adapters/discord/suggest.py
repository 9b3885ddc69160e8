"""Suggestions for /video's model, duration and ratio fields, from the configured vendors.

Discord asks while the user types (autocomplete), so the list always matches the vendors this
process runs, follows the model already picked in the same command, and stays within Discord's
25 entries. They are suggestions: a value typed by hand reaches the core, which explains what
it can do instead.
"""

from __future__ import annotations

from discord import app_commands

from adapters.discord.translate import RATIO_WORDS, loc, ratio_label
from bot.bootstrap import Core
from bot.models import ASPECTS, Mode
from bot.offers import Offer, model_key, seconds_text
from bot.offers import offers as vendor_models

CHOICES_MAX = 25  # Discord's limit per answer
CHOICE_NAME_MAX = 100  # Discord's limit per choice name
GENERATIVE = frozenset({Mode.TEXT, Mode.IMAGE, Mode.FIRST_LAST})  # what /video can ask for


def offers(core: Core, model: object = None) -> list[Offer]:
    """The models behind /video, of the configured vendors; only `model`'s when one is
    picked and known (by its API or friendly name)."""
    found = [
        o
        for o in vendor_models((v.id, v.capabilities) for v in core.vendors)
        if set(o.modes) & GENERATIVE
    ]
    wanted = model_key(str(model or ""))
    chosen = [o for o in found if wanted in (model_key(o.name), model_key(o.title))]
    return chosen or found


def _matches(current: object, *words: str) -> bool:
    typed = str(current or "").strip().lower()
    return not typed or any(typed in w.lower() for w in words)


def models(
    core: Core, current: object, locale: str | None = None
) -> list[app_commands.Choice[str]]:
    """Each model once, by its friendly name with its durations ("Veo 3.1 Fast · 4, 6 or
    8 s"); the value sent is the API name."""
    seen: dict[str, Offer] = {}
    for offer in offers(core):
        seen.setdefault(offer.name, offer)
    return [
        app_commands.Choice(name=model_label(o, locale), value=o.name)
        for o in seen.values()
        if _matches(current, o.name, o.title)
    ][:CHOICES_MAX]


def model_label(offer: Offer, locale: str | None = None) -> str:
    """A model as the Discord choice shows it, within Discord's 100 characters."""
    return f"{offer.title} · {seconds_text(offer.durations, locale)}"[:CHOICE_NAME_MAX]


def _picked_model(namespace: app_commands.Namespace) -> object:
    """The model already filled in the command being typed, or None."""
    return getattr(namespace, "model", None)


def durations(
    core: Core, current: object, namespace: app_commands.Namespace
) -> list[app_commands.Choice[int]]:
    values = sorted({d for o in offers(core, _picked_model(namespace)) for d in o.durations})
    return [
        app_commands.Choice(name=loc("choice_seconds", n=d), value=d)
        for d in values
        if _matches(current, str(d))
    ][:CHOICES_MAX]


def resolutions(
    core: Core, current: object, namespace: app_commands.Namespace
) -> list[app_commands.Choice[str]]:
    """The `resolution` values of the models that have one (of the picked model, if any)."""
    values = dict.fromkeys(r for o in offers(core, _picked_model(namespace)) for r in o.resolutions)
    return [app_commands.Choice(name=r, value=r) for r in values if _matches(current, r)][
        :CHOICES_MAX
    ]


def ratios(
    core: Core, current: object, namespace: app_commands.Namespace
) -> list[app_commands.Choice[str]]:
    accepted = {r for o in offers(core, _picked_model(namespace)) for r in o.ratios}
    return [
        app_commands.Choice(name=ratio_label(r), value=r)
        for r in ASPECTS
        if r in accepted and _matches(current, r, *RATIO_WORDS.get(r, ()))
    ][:CHOICES_MAX]
