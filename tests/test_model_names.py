"""Model names as people write them: every model has a friendly name, and no two models of
one vendor answer to the same spelling."""

from __future__ import annotations

import pytest

from bot.models import Mode
from bot.vendors import VENDORS
from bot.vendors.names import FRIENDLY, model_key
from bot.vendors.runway import RunwayClient


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_each_model_has_a_friendly_name_and_its_own_keys(vendor: str) -> None:
    specs = {s.name: s for s in VENDORS[vendor].capabilities.models}
    owners: dict[str, str] = {}
    for name, spec in specs.items():
        assert name in FRIENDLY, f"{vendor}: {name} has no friendly name"
        for key in {model_key(name), model_key(spec.wire_name), model_key(spec.title)}:
            assert owners.setdefault(key, name) == name, f"{vendor}: {key} names two models"


@pytest.mark.parametrize(
    ("typed", "model"),
    [
        ("veo3.1_fast", "veo3.1_fast"),
        ("Veo 3.1 Fast", "veo3.1_fast"),
        ("VEO-3.1-FAST", "veo3.1_fast"),
        ("veo31fast", "veo3.1_fast"),
        ("veo3.1", "veo3.1"),
        ("Kling 2.5 Turbo Pro", "kling2.5_turbo_pro"),
        ("gen-4.5", "gen4.5"),
        ("Gen-4 Turbo", "gen4_turbo"),
        ("seedance 2.5", "seedance2_5"),
        ("Seedance2", "seedance2"),
    ],
)
def test_api_and_friendly_names_in_any_spelling_pick_the_model(typed: str, model: str) -> None:
    spec = RunwayClient.capabilities.model(typed)
    assert spec is not None and spec.name == model


def test_an_unknown_name_picks_nothing() -> None:
    assert RunwayClient.capabilities.pick(Mode.TEXT, "gen9") is None
    assert RunwayClient.capabilities.pick(Mode.TEXT, "aleph2") is None  # not a text model
