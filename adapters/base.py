"""What the runtime needs from every adapter."""

from __future__ import annotations

import asyncio
from typing import Protocol, TypeVar

from pydantic import ValidationError

from bot.bootstrap import ConfigError
from bot.config import EnvSettings


class Adapter(Protocol):
    name: str
    # Set when the adapter wants the process to end (the console at end of input).
    done: asyncio.Event

    async def start(self) -> None:
        """Connect, register the engine sink, begin serving; returns once serving."""

    async def stop(self) -> None:
        """Stop serving and release connections."""


S = TypeVar("S", bound=EnvSettings)


def load_settings(cls: type[S], platform: str) -> S:
    """An adapter's settings from the environment; a ConfigError naming each bad variable
    (`TELEGRAM_…`, `DISCORD_…`) instead of pydantic's report."""
    try:
        return cls()
    except ValidationError as exc:
        prefix = str(cls.model_config.get("env_prefix", ""))
        problems = "; ".join(
            (f"{prefix}{'.'.join(str(p) for p in err['loc']).upper()}: " if err["loc"] else "")
            + err["msg"].removeprefix("Value error, ")
            for err in exc.errors()
        )
        raise ConfigError(f"bad {platform} configuration: {problems}") from None
