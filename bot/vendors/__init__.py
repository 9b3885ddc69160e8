"""The vendor registry: vendor id -> client class, in one explicit dict."""

from __future__ import annotations

from bot.vendors.base import VendorClient

VENDORS: dict[str, type[VendorClient]] = {}
