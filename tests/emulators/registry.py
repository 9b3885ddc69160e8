"""Every vendor's emulator beside its client, for tests that run the same story on all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.vendors.aimlapi import AimlapiClient
from bot.vendors.apiframe import ApiframeClient
from bot.vendors.base import VendorClient
from bot.vendors.runway import GptgeClient, OpenAIHKClient, RunwayClient
from bot.vendors.useapi import UseapiClient
from tests.emulators.aimlapi import AimlapiEmulator
from tests.emulators.apiframe import ApiframeEmulator
from tests.emulators.base import VendorEmulator
from tests.emulators.runway import RunwayEmulator
from tests.emulators.useapi import UseapiEmulator

EmulatorFactory = Callable[..., VendorEmulator]

CASES: dict[str, tuple[EmulatorFactory, type[VendorClient]]] = {
    "runway": (lambda **kw: RunwayEmulator(flavour="runway", **kw), RunwayClient),
    "gptge": (lambda **kw: RunwayEmulator(flavour="gptge", **kw), GptgeClient),
    "openai-hk": (lambda **kw: RunwayEmulator(flavour="openai-hk", **kw), OpenAIHKClient),
    "apiframe": (lambda **kw: ApiframeEmulator(**kw), ApiframeClient),
    "aimlapi": (lambda **kw: AimlapiEmulator(**kw), AimlapiClient),
    "useapi": (lambda **kw: UseapiEmulator(**kw), UseapiClient),
}


def client_for(
    vendor_id: str, emu: VendorEmulator, key: str | None = None, **kw: Any
) -> VendorClient:
    """The vendor's real client pointed at its emulator, with the emulator's key."""
    cls = CASES[vendor_id][1]
    return cls(api_key=key or emu.api_key, base_url=emu.base_url, **kw)
