"""The engine's poll schedule from vendor progress, and the aiohttp transport's error mapping."""

from __future__ import annotations

import httpx
import pytest

from bot.jobs.poll import MAX_ETA_SLEEP, next_poll
from bot.vendors.transport import AiohttpTransport


def test_far_from_the_end_it_sleeps_through_most_of_the_estimate() -> None:
    # 25% in 5 s: 15 s left -> sleep 0.75 * 15
    assert next_poll(5.0, (0.0, 0.0), (5.0, 0.25), 5.0) == pytest.approx(11.25)
    assert next_poll(5.0, (0.0, 0.0), (1.0, 0.0001), 5.0) == MAX_ETA_SLEEP


def test_near_the_end_it_polls_at_the_estimate_but_never_later_than_an_interval() -> None:
    assert next_poll(5.0, (0.0, 0.0), (9.0, 0.9), 5.0) == pytest.approx(1.25)  # 1 s left
    assert next_poll(5.0, (0.0, 0.0), (8.0, 0.5), 5.0) == 5.0  # 8 s left: one interval


def test_no_progress_keeps_the_plain_interval() -> None:
    assert next_poll(5.0, (0.0, 0.3), (5.0, 0.3), 4.7) == 4.7  # stalled
    assert next_poll(5.0, (5.0, 0.3), (5.0, 0.3), 4.7) == 4.7  # same instant


async def test_transport_maps_a_refused_connection_to_connect_error() -> None:
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("http://127.0.0.1:9/")  # discard port: nothing listens
