"""Buttons that survive restarts: the job id lives in the custom id, not in memory.

    videobot:again:<job id>    ↻ Again: the same request with a new seed, for whoever clicks
    videobot:upscale:<job id>  ⤴ Upscale: the video made larger, as a new job (core checks who)
    videobot:cancel:<job id>   Cancel: only the requester or an admin (the core checks)
    videobot:confirm:<token>   ✅ Confirm a cost question: only its asker (the core checks)
    videobot:decline:<token>   ✖ Cancel a cost question, nothing spent

One `DynamicItem` (`JobButton`) registered once in `setup_hook`, so a click on a message sent
before the last restart still reaches the handler.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol, Self, cast

import discord

from adapters.discord.translate import locale_of, text

log = logging.getLogger("videobot.discord")

JOB_ID = r"(?P<job_id>[0-9a-f]{32})"
_STYLES = {
    "again": discord.ButtonStyle.secondary,
    "upscale": discord.ButtonStyle.secondary,
    "cancel": discord.ButtonStyle.danger,
    "confirm": discord.ButtonStyle.success,
    "decline": discord.ButtonStyle.secondary,
}


class ButtonHandler(Protocol):
    async def on_again(self, interaction: discord.Interaction[Any], job_id: str) -> None: ...

    async def on_upscale(self, interaction: discord.Interaction[Any], job_id: str) -> None: ...

    async def on_cancel(self, interaction: discord.Interaction[Any], job_id: str) -> None: ...

    async def on_confirm(self, interaction: discord.Interaction[Any], token: str) -> None: ...

    async def on_decline(self, interaction: discord.Interaction[Any], token: str) -> None: ...


def _handler(interaction: discord.Interaction[Any]) -> ButtonHandler:
    handler = getattr(interaction.client, "button_handler", None)
    if handler is None:
        raise RuntimeError("the client has no button handler")
    return cast(ButtonHandler, handler)


class JobButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"videobot:(?P<action>again|upscale|cancel|confirm|decline):" + JOB_ID,
):
    """↻ Again, ⤴ Upscale or Cancel under a job's message: action and job id live in the
    custom id."""

    def __init__(self, action: str, job_id: str, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or text("en", f"button_{action}"),
                style=_STYLES[action],
                custom_id=f"videobot:{action}:{job_id}",
            )
        )
        self.action = action
        self.job_id = job_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls(match["action"], match["job_id"], getattr(item, "label", None))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            handler = _handler(interaction)
            clicks = {
                "again": handler.on_again,
                "upscale": handler.on_upscale,
                "confirm": handler.on_confirm,
                "decline": handler.on_decline,
            }
            on_click = clicks.get(self.action, handler.on_cancel)
            await on_click(interaction, self.job_id)
        except Exception:
            log.exception("the %s button failed", self.action)
            await report_failure(interaction)


def rendering_view(job_id: str, locale: str) -> discord.ui.View:
    """Under the status message while the video renders."""
    view = discord.ui.View(timeout=None)
    view.add_item(JobButton("cancel", job_id, text(locale, "button_cancel")))
    return view


def result_view(job_id: str, locale: str, actions: tuple[str, ...] = ("again",)) -> discord.ui.View:
    """Under the finished video: ↻ Again, and ⤴ Upscale where a vendor serves it."""
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(JobButton(action, job_id, text(locale, f"button_{action}")))
    return view


def question_view(token: str, locale: str) -> discord.ui.View:
    """✅ Confirm / ✖ Cancel under a cost question (the token in place of a job id)."""
    return result_view(token, locale, ("confirm", "decline"))


async def report_failure(interaction: discord.Interaction[Any]) -> None:
    """Tell the user something broke on our side (nothing was charged)."""
    message = text(locale_of(interaction.locale), "internal_error")
    try:
        if interaction.response.is_done():
            await interaction.edit_original_response(content=message, view=None)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        pass
