"""Buttons that survive restarts: the job id lives in the custom id, not in memory.

    videobot:again:<job id>    ↻ Again: the same request with a new seed, for whoever clicks
    videobot:upscale:<job id>  ⤴ Upscale: the video made larger, as a new job (core checks who)
    videobot:extend:<job id>   ⏩ Extend: the video continued from its last frame, a new job
    videobot:cancel:<job id>   Cancel: only the requester or an admin (the core checks)
    videobot:confirm:<token>   ✅ Confirm a cost question: only its asker (the core checks)
    videobot:decline:<token>   ✖ Cancel a cost question, nothing spent

    videobot:show              the /jobs menu: the chosen finished video sent again

Each `DynamicItem` (`JobButton`, `ShowMenu`) is registered once in `setup_hook`, so a click
on a message sent before the last restart still reaches the handler.
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
    "extend": discord.ButtonStyle.secondary,
    "cancel": discord.ButtonStyle.danger,
    "confirm": discord.ButtonStyle.success,
    "decline": discord.ButtonStyle.secondary,
}


class ButtonHandler(Protocol):
    async def on_again(self, interaction: discord.Interaction[Any], job_id: str) -> None: ...

    async def on_upscale(self, interaction: discord.Interaction[Any], job_id: str) -> None: ...

    async def on_extend(self, interaction: discord.Interaction[Any], job_id: str) -> None: ...

    async def on_cancel(self, interaction: discord.Interaction[Any], job_id: str) -> None: ...

    async def on_confirm(self, interaction: discord.Interaction[Any], token: str) -> None: ...

    async def on_decline(self, interaction: discord.Interaction[Any], token: str) -> None: ...
    async def on_show(self, interaction: discord.Interaction[Any], job_id: str) -> None: ...


def _handler(interaction: discord.Interaction[Any]) -> ButtonHandler:
    handler = getattr(interaction.client, "button_handler", None)
    if handler is None:
        raise RuntimeError("the client has no button handler")
    return cast(ButtonHandler, handler)


class JobButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"videobot:(?P<action>again|extend|upscale|cancel|confirm|decline):" + JOB_ID,
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
                "extend": handler.on_extend,
            }
            on_click = clicks.get(self.action, handler.on_cancel)
            await on_click(interaction, self.job_id)
        except Exception:
            log.exception("the %s button failed", self.action)
            await report_failure(interaction)


class ShowMenu(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]],
    template=r"videobot:show",
):
    """The /jobs menu of finished videos: the chosen one is sent again (/show); the job id
    is the chosen value, so the menu works after a restart too."""

    def __init__(self, choices: list[tuple[str, str]] | None = None) -> None:
        options = [discord.SelectOption(label=label[:100], value=v) for v, label in choices or []]
        super().__init__(
            discord.ui.Select(custom_id="videobot:show", options=options or [_PLACEHOLDER])
        )

    @classmethod
    async def from_custom_id(cls, *_found: Any) -> Self:
        return cls()  # the options are not needed to read the choice

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        data = cast(dict[str, Any], interaction.data or {})
        values = data.get("values") or [""]
        try:
            await _handler(interaction).on_show(interaction, str(values[0]))
        except Exception:
            log.exception("the /jobs menu failed")
            await report_failure(interaction)


_PLACEHOLDER = discord.SelectOption(label="-", value="-")


def show_view(choices: list[tuple[str, str]]) -> discord.ui.View | None:
    """Under /jobs: a menu of (job id, label) to send one again; None without any."""
    if not choices:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(ShowMenu(choices[:25]))  # Discord shows at most 25 options
    return view


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
