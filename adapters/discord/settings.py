"""The Discord adapter's own settings (the token itself is the core's `DISCORD_BOT_TOKEN`).

DISCORD_ALLOWED_GUILDS=123,456     serve only these servers (default: every server)
DISCORD_ALLOWED_CHANNELS=789       and only these channels or their threads (default: all)
DISCORD_ALLOW_DMS=true             answer in direct messages
DISCORD_PREFIX=!                   `!video …` in channels; `off` leaves only @mentions
DISCORD_DEV_GUILD=123              sync slash commands to this server only (instant)
DISCORD_ADMIN_REQUIRES_MANAGE_GUILD=false
                                   admin commands also need Manage Server in a server
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from bot.config import EnvSettings, comma_list

_OFF = ("off", "none", "false", "no", "disabled")


class DiscordSettings(EnvSettings):
    model_config = SettingsConfigDict(env_prefix="DISCORD_")

    allowed_guilds: Annotated[list[int], NoDecode] = Field(default_factory=list)
    allowed_channels: Annotated[list[int], NoDecode] = Field(default_factory=list)
    allow_dms: bool = True
    prefix: str = "!"
    dev_guild: int | None = None
    admin_requires_manage_guild: bool = False

    @field_validator("allowed_guilds", "allowed_channels", mode="before")
    @classmethod
    def _id_list(cls, value: Any) -> Any:
        return comma_list(value)

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        value = value.strip()
        return "" if value.lower() in _OFF else value

    @property
    def prefix_enabled(self) -> bool:
        """A text prefix needs the privileged message content intent; @mentions do not."""
        return bool(self.prefix)

    def allows(self, guild_id: int | None, channel_ids: tuple[int | None, ...]) -> bool:
        """Whether the bot serves this place; `channel_ids` is the channel and its parent."""
        if guild_id is None:
            return self.allow_dms
        if self.allowed_guilds and guild_id not in self.allowed_guilds:
            return False
        if self.allowed_channels:
            return any(c in self.allowed_channels for c in channel_ids if c is not None)
        return True
