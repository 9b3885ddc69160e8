"""What the store keeps for the queue's estimates: how long recent jobs took to render,
and the part of the `Store` interface that reads and writes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RenderSample:
    """How long one delivered job took from its submission to its delivery."""

    vendor: str
    model: str
    seconds: float
    at: float


class RenderTimesStore(Protocol):
    async def record_render(self, sample: RenderSample, keep: int) -> None:
        """Remember a render time, keeping the newest `keep` of its vendor and model."""
        ...

    async def render_history(self, keep: int) -> list[RenderSample]:
        """The newest `keep` render times of each vendor and model, oldest first."""
        ...
