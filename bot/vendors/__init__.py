"""The vendor registry: vendor id -> client class, in one explicit dict."""

from __future__ import annotations

from bot.vendors.aimlapi import AimlapiClient
from bot.vendors.apiframe import ApiframeClient
from bot.vendors.base import VendorClient
from bot.vendors.local import LocalVendor
from bot.vendors.runway import GptgeClient, OpenAIHKClient, RunwayClient
from bot.vendors.useapi import UseapiClient

VENDORS: dict[str, type[VendorClient]] = {
    RunwayClient.id: RunwayClient,
    GptgeClient.id: GptgeClient,
    OpenAIHKClient.id: OpenAIHKClient,
    LocalVendor.id: LocalVendor,
    ApiframeClient.id: ApiframeClient,
    AimlapiClient.id: AimlapiClient,
    UseapiClient.id: UseapiClient,
}
