"""The commands whose shape follows the configuration: /video and /act with choices from the
configured vendors, and the "Animate with video" message menu with its form.

discord.py reads choices when a command object is built, so these are built at start-up
(from the cog's `__init__`) rather than declared on the cog class.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from adapters.discord.translate import loc, ratio_label, text
from adapters.discord.views import report_failure
from bot.bootstrap import Core
from bot.models import ASPECTS, SEED_MAX, Mode

if TYPE_CHECKING:
    from adapters.discord.cog import VideoCog

log = logging.getLogger("videobot.discord")

Interaction = discord.Interaction[Any]
CHOICES_MAX = 25  # Discord's limit per option


class AnimateModal(discord.ui.Modal):
    """Asks for the prompt (and optionally duration and ratio) for the context menu."""

    def __init__(self, cog: VideoCog, message: discord.Message, locale: str) -> None:
        super().__init__(title=text(locale, "modal_title"), timeout=600)
        self.cog = cog
        self.message = message
        self.prompt: discord.ui.TextInput[AnimateModal] = discord.ui.TextInput(
            label=text(locale, "modal_prompt"),
            placeholder=text(locale, "modal_prompt_hint"),
            style=discord.TextStyle.paragraph,
            max_length=1000,
            custom_id="prompt",
        )
        self.duration: discord.ui.TextInput[AnimateModal] = discord.ui.TextInput(
            label=text(locale, "modal_duration"),
            placeholder="5",
            required=False,
            max_length=6,
            custom_id="duration",
        )
        self.ratio: discord.ui.TextInput[AnimateModal] = discord.ui.TextInput(
            label=text(locale, "modal_ratio"),
            placeholder="16:9",
            required=False,
            max_length=12,
            custom_id="ratio",
        )
        for item in (self.prompt, self.duration, self.ratio):
            self.add_item(item)

    async def on_submit(self, interaction: Interaction) -> None:
        await self.cog.animate(
            interaction,
            self.message,
            prompt=self.prompt.value,
            duration=self.duration.value.strip(),
            ratio=self.ratio.value.strip(),
        )

    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:  # type: ignore[override]
        log.error("the animate form failed", exc_info=error)
        await report_failure(interaction)


def _choices(core: Core) -> dict[str, list[app_commands.Choice[Any]]]:
    generative = {Mode.TEXT, Mode.IMAGE, Mode.FIRST_LAST}
    specs = [s for v in core.vendors for s in v.capabilities.models if s.modes & generative]
    durations = sorted({d for s in specs for d in s.durations})
    ratios = [r for r in ASPECTS if any(r in s.ratios for s in specs)]
    models = list(dict.fromkeys(s.name for s in specs))
    return {
        "duration": [
            app_commands.Choice(name=loc("choice_seconds", n=d), value=d) for d in durations
        ][:CHOICES_MAX],
        "ratio": [app_commands.Choice(name=ratio_label(r), value=r) for r in ratios][:CHOICES_MAX],
        "model": [app_commands.Choice(name=m, value=m) for m in models][:CHOICES_MAX],
    }


AppCommand = app_commands.Command[Any, ..., None] | app_commands.ContextMenu


def build_commands(cog: VideoCog) -> list[AppCommand]:
    """/video (and /act where a vendor offers it) with choices from the configured vendors,
    and the message context menu "Animate with video"."""

    async def video(
        interaction: Interaction,
        prompt: app_commands.Range[str, 1, 1000],
        image: discord.Attachment | None = None,
        end_image: discord.Attachment | None = None,
        duration: int | None = None,
        ratio: str | None = None,
        seed: app_commands.Range[int, 0, SEED_MAX] | None = None,
        model: str | None = None,
    ) -> None:
        await cog.video(
            interaction, prompt=prompt, image=image, end_image=end_image, duration=duration,
            ratio=ratio, seed=seed, model=model,
        )  # fmt: skip

    choices = {k: v for k, v in _choices(cog.core).items() if v}
    app_commands.choices(**choices)(video)
    app_commands.describe(
        prompt=loc("opt_prompt"), image=loc("opt_image"), end_image=loc("opt_end_image"),
        duration=loc("opt_duration"), ratio=loc("opt_ratio"), seed=loc("opt_seed"),
        model=loc("opt_model"),
    )(video)  # fmt: skip
    built: list[AppCommand] = [
        app_commands.Command(name="video", description=loc("cmd_video"), callback=video)
    ]

    if any(Mode.ACT in v.capabilities.modes() for v in cog.core.vendors):

        async def act(
            interaction: Interaction,
            character: discord.Attachment,
            performance: discord.Attachment,
            body: bool = False,
        ) -> None:
            await cog.act(interaction, character=character, performance=performance, body=body)

        app_commands.describe(
            character=loc("opt_character"), performance=loc("opt_performance"),
            body=loc("opt_body"),
        )(act)  # fmt: skip
        built.append(app_commands.Command(name="act", description=loc("cmd_act"), callback=act))

    async def animate(interaction: Interaction, message: discord.Message) -> None:
        await cog.animate_menu(interaction, message)

    built.append(app_commands.ContextMenu(name=loc("menu_animate"), callback=animate))
    return built
