"""What the runtime needs from every adapter."""

from __future__ import annotations

import asyncio
from typing import Protocol


class Adapter(Protocol):
    name: str
    # Set when the adapter wants the process to end (the console at end of input).
    done: asyncio.Event

    async def start(self) -> None:
        """Connect, register the engine sink, begin serving; returns once serving."""

    async def stop(self) -> None:
        """Stop serving and release connections."""
