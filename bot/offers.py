"""The model catalogue as people read it: one row per vendor and model, from the vendors' own
capability tables (the core's view of them, so adapters need not import the vendors).

`/help`, Discord's model choices and the README's vendor table all come from `offers()`, so
what the bot says it can do is what the validator accepts and the clients send.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot import texts
from bot.models import Mode
from bot.vendors.base import Capabilities, ModelSpec
from bot.vendors.names import friendly
from bot.vendors.names import model_key as model_key  # for the adapters, which stay out of vendors

# The tasks that have a length of their own; the others follow their input video.
TIMED_MODES = frozenset({Mode.TEXT, Mode.IMAGE, Mode.FIRST_LAST})


@dataclass(frozen=True, slots=True)
class Offer:
    """One model at one vendor: what it does, for how long, at which aspects."""

    vendor: str
    name: str  # the API name, what --model and the Discord choice send
    modes: tuple[Mode, ...]
    durations: tuple[int, ...]  # () when its length follows the input video
    ratios: tuple[str, ...]
    prompt_max: int
    options: frozenset[str]
    resolutions: tuple[str, ...] = ()  # the `resolution` values (--resolution), if any

    @property
    def title(self) -> str:
        return friendly(self.name)

    def fields_text(self) -> str:
        """The optional fields, `resolution` with its values: "audio, resolution (480p, 768p)"."""
        names = [
            f"{o} ({', '.join(self.resolutions)})" if o == "resolution" and self.resolutions else o
            for o in sorted(self.options)
        ]
        return ", ".join(names) or "—"


def _merge(vendor: str, name: str, specs: list[ModelSpec]) -> Offer:
    modes = {m for s in specs for m in s.modes}
    timed = [s for s in specs if s.modes & TIMED_MODES]
    return Offer(
        vendor=vendor,
        name=name,
        modes=tuple(m for m in Mode if m in modes),
        durations=tuple(sorted({d for s in timed for d in s.durations})),
        ratios=tuple(dict.fromkeys(r for s in specs for r in s.ratios)),
        prompt_max=max(s.prompt_max for s in specs),
        options=frozenset(o for s in specs for o in s.options),
        resolutions=tuple(dict.fromkeys(r for s in specs for r in s.resolutions)),
    )


def vendor_offers(vendor: str, capabilities: Capabilities) -> list[Offer]:
    """One vendor's models, its specs of one name (one per task group) merged."""
    by_name: dict[str, list[ModelSpec]] = {}
    for spec in capabilities.models:
        by_name.setdefault(spec.name, []).append(spec)
    return [_merge(vendor, name, specs) for name, specs in by_name.items()]


def offers(vendors: Iterable[tuple[str, Capabilities]]) -> list[Offer]:
    """Every (vendor id, capabilities) pair's models, in the vendors' order."""
    return [offer for vendor, caps in vendors for offer in vendor_offers(vendor, caps)]


def seconds_text(durations: tuple[int, ...], locale: str | None = "en") -> str:
    """`2–10`, `4, 6 or 8`; the input video's length when the model has none of its own."""
    if not durations:
        return texts.t(locale, "help_input_length")
    return texts.t(locale, "help_seconds", n=seconds_values(durations, locale))


def seconds_values(durations: tuple[int, ...], locale: str | None = "en") -> str:
    """`2–10` for a run of whole seconds, `4, 6 or 8` (`4、6 或 8`) otherwise."""
    run = tuple(range(durations[0], durations[-1] + 1))
    if len(durations) > 2 and durations == run:
        return f"{durations[0]}–{durations[-1]}"
    words = [str(d) for d in durations]
    if len(words) == 1:
        return words[0]
    comma, last = texts.t(locale, "list_comma"), texts.t(locale, "list_or")
    return comma.join(words[:-1]) + last + words[-1]


def does_text(modes: tuple[Mode, ...], locale: str | None = "en") -> str:
    """What a model does, in short words: "text, photo, first+last"."""
    keys = [f"task_{m.value}" for m in modes]
    words = [texts.t(locale, k) if k in texts.CATALOG else k[5:] for k in keys]
    return texts.t(locale, "list_comma").join(words)


def help_text(vendors: Iterable[tuple[str, Capabilities]], locale: str | None) -> str:
    """The model list of /help: per configured vendor, each model, what it does, how long."""
    lines: list[str] = []
    current = ""
    for offer in offers(vendors):
        if offer.vendor != current:
            current = offer.vendor
            lines.append(texts.t(locale, "help_models", vendor=current))
        lines.append(
            texts.t(
                locale,
                "help_model_line",
                title=offer.title,
                name=offer.name,
                does=does_text(offer.modes, locale),
                seconds=seconds_text(offer.durations, locale),
            )
        )
    return "\n".join(lines)


def markdown_table(vendors: Iterable[tuple[str, Capabilities]]) -> str:
    """The README's table of models per vendor (a test keeps the README equal to it)."""
    rows = [
        "| vendor | model | `--model` | does | seconds | ratios | optional fields |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in offers(vendors):
        seconds = seconds_values(o.durations) if o.durations else "input's length"
        rows.append(
            f"| `{o.vendor}` | {o.title} | `{o.name}` | {does_text(o.modes)} | {seconds} "
            f"| {', '.join(o.ratios)} | {o.fields_text()} |"
        )
    return "\n".join(rows)
