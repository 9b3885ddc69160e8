"""Suggestions for /video's model, duration and ratio fields, from the configured vendors.

Discord asks while the user types (autocomplete), so the list always matches the vendors this
process runs, follows the model already picked in the same command, and stays within Discord's
25 entries. They are suggestions: a value typed by hand reaches the core, which explains what
it can do instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from discord import app_commands

from adapters.discord.translate import RATIO_WORDS, loc, ratio_label
from bot.bootstrap import Core
from bot.models import ASPECTS, Mode

CHOICES_MAX = 25  # Discord's limit per answer
GENERATIVE = frozenset({Mode.TEXT, Mode.IMAGE, Mode.FIRST_LAST})  # what /video can ask for


@dataclass(frozen=True, slots=True)
class Offer:
    """One model /video can use, with what it accepts."""

    name: str
    durations: tuple[int, ...]
    ratios: tuple[str, ...]


def offers(core: Core, model: object = None) -> list[Offer]:
    """The models behind /video; only `model`'s when one is picked and known."""
    found = [
        Offer(spec.name, spec.durations, spec.ratios)
        for vendor in core.vendors
        for spec in vendor.capabilities.models
        if spec.modes & GENERATIVE
    ]
    wanted = str(model or "").strip().lower()
    chosen = [o for o in found if o.name.lower() == wanted]
    return chosen or found


def _matches(current: object, *words: str) -> bool:
    typed = str(current or "").strip().lower()
    return not typed or any(typed in w.lower() for w in words)


def models(core: Core, current: object) -> list[app_commands.Choice[str]]:
    names = dict.fromkeys(o.name for o in offers(core))
    return [app_commands.Choice(name=n, value=n) for n in names if _matches(current, n)][
        :CHOICES_MAX
    ]


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


def ratios(
    core: Core, current: object, namespace: app_commands.Namespace
) -> list[app_commands.Choice[str]]:
    accepted = {r for o in offers(core, _picked_model(namespace)) for r in o.ratios}
    return [
        app_commands.Choice(name=ratio_label(r), value=r)
        for r in ASPECTS
        if r in accepted and _matches(current, r, *RATIO_WORDS.get(r, ()))
    ][:CHOICES_MAX]
