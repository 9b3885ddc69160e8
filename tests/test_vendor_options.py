"""The optional fields each reseller's catalogue lists are fields its own document gives."""

from __future__ import annotations

import pytest

from bot.models import Mode
from bot.vendors.aimlapi import AimlapiClient
from bot.vendors.runway import OpenAIHKClient
from bot.vendors.useapi import ENDPOINTS, UseapiClient
from tests.seed_schemas import AIMLAPI, OPENAI_HK, USEAPI

HK_ENDPOINT = {
    Mode.IMAGE: "image_to_video",
    Mode.FIRST_LAST: "image_to_video",
    Mode.VIDEO: "video_to_video",
    Mode.ACT: "character_performance",
}


def test_openai_hk_options_are_in_its_document() -> None:
    for spec in OpenAIHKClient.capabilities.models:
        assert spec.options, spec.name
        for mode in spec.modes:
            fields = OPENAI_HK[(spec.name, HK_ENDPOINT[mode])].fields
            assert spec.options <= set(fields), (spec.name, spec.options - set(fields))


def test_aimlapi_options_are_in_its_schema() -> None:
    for spec in AimlapiClient.capabilities.models:
        for mode in spec.modes:
            fields = AIMLAPI[(spec.wire_name, mode.value)].fields
            assert spec.options <= set(fields), (spec.name, spec.options - set(fields))


@pytest.mark.parametrize("spec", UseapiClient.capabilities.models, ids=lambda s: s.name)
def test_useapi_options_are_in_its_document(spec: object) -> None:
    fields = USEAPI[ENDPOINTS[spec.name]].fields  # type: ignore[attr-defined]
    assert spec.options <= set(fields)  # type: ignore[attr-defined]
