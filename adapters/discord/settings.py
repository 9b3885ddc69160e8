"""The Discord adapter's own settings (the token itself is the core's `DISCORD_BOT_TOKEN`).

DISCORD_ALLOWED_GUILDS=123,456     serve only these servers (default: every server)
DISCORD_ALLOWED_CHANNELS=789       and only these channels or their threads (default: all)
DISCORD_ALLOW_DMS=true             answer in direct messages
DISCORD_PREFIX=!                   `!video …` in channels; `off` leaves only @mentions
DISCORD_DEV_GUILD=123              sync slash commands to this server only (instant)
DISCORD_ADMIN_REQUIRES_MANAGE_GUILD=false
                                   admin commands also need Manage Server in a server
DISCORD_SHARD_COUNT=4              split the gateway into this many shards (several processes)
DISCORD_SHARD_IDS=0,1              the shards this process runs (default: all of them)
DISCORD_SYNC_COMMANDS=true         register the slash commands from this process (default:
                                   unsharded, or the process running shard 0)
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
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
    # Several processes share the gateway: each runs some of the shard_count shards.
    shard_count: int | None = Field(None, ge=1)
    shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # Commands are registered by one process only; unset: see `syncs_commands`.
    sync_commands: bool | None = None

    @field_validator("allowed_guilds", "allowed_channels", "shard_ids", mode="before")
    @classmethod
    def _id_list(cls, value: Any) -> Any:
        return comma_list(value)

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        value = value.strip()
        return "" if value.lower() in _OFF else value

    @model_validator(mode="after")
    def _shards(self) -> DiscordSettings:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the shards in all)")
        wrong = [i for i in self.shard_ids if not 0 <= i < (self.shard_count or 0)]
        if wrong:
            raise ValueError(
                f"DISCORD_SHARD_IDS {', '.join(map(str, wrong))} out of range: shard ids run "
                f"from 0 to DISCORD_SHARD_COUNT-1 ({(self.shard_count or 1) - 1})"
            )
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("DISCORD_SHARD_IDS lists a shard twice")
        return self

    @property
    def shards(self) -> list[int] | None:
        """The shards this process runs; None when the gateway is not split."""
        if self.shard_count is None:
            return None
        return sorted(self.shard_ids) or list(range(self.shard_count))

    @property
    def syncs_commands(self) -> bool:
        """DISCORD_SYNC_COMMANDS, else: unsharded, or this process runs shard 0 (so exactly
        one process of a sharded bot registers the commands)."""
        if self.sync_commands is not None:
            return self.sync_commands
        shards = self.shards
        return shards is None or 0 in shards

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
