"""SKUs and entitlements in the Discord emulator, as the REST API serves them to discord.py
(`Client.entitlements()`, `Entitlement.consume()`, `Client.fetch_skus()`): a purchase of a
consumable SKU is an entitlement of type PURCHASE (1) that stays until it is consumed, once.
"""

from __future__ import annotations

import itertools
from typing import Any

ENTITLEMENT_PURCHASE = 1
SKU_CONSUMABLE = 3


class EntitlementsMixin:
    """Mixed into FakeDiscord, which provides _json."""

    def _entitlements_init(self, app_id: int) -> None:
        self.app_id = app_id
        self.skus: dict[int, dict[str, Any]] = {}
        self.entitlements: dict[int, dict[str, Any]] = {}
        self._entitlement_ids = itertools.count(1_300_000_000_000_000_001)

    def add_sku(self, sku_id: int, name: str) -> None:
        self.skus[sku_id] = {
            "id": str(sku_id),
            "type": SKU_CONSUMABLE,
            "application_id": str(self.app_id),
            "name": name,
            "slug": name.lower().replace(" ", "-"),
            "flags": 0,
        }

    def purchase(self, user_id: int, sku_id: int) -> dict[str, Any]:
        """A user buys a consumable SKU: its entitlement (ENTITLEMENT_CREATE's payload)."""
        entitlement = {
            "id": str(next(self._entitlement_ids)),
            "sku_id": str(sku_id),
            "application_id": str(self.app_id),
            "user_id": str(user_id),
            "type": ENTITLEMENT_PURCHASE,
            "deleted": False,
            "consumed": False,
            "starts_at": None,
            "ends_at": None,
        }
        self.entitlements[int(entitlement["id"])] = entitlement
        return dict(entitlement)

    def entitlement_routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", r"/applications/\d+/skus", self._list_skus),
            ("GET", r"/applications/\d+/entitlements", self._list_entitlements),
            ("POST", r"/applications/\d+/entitlements/(?P<eid>\d+)/consume", self._consume),
        ]

    async def _list_skus(self, call: Any) -> Any:
        return self._json(list(self.skus.values()))  # type: ignore[attr-defined]

    async def _list_entitlements(self, call: Any) -> Any:
        q = call.query
        rows = sorted(self.entitlements.values(), key=lambda e: int(e["id"]))
        if q.get("user_id"):
            rows = [e for e in rows if e["user_id"] == q["user_id"]]
        if q.get("sku_ids"):
            rows = [e for e in rows if e["sku_id"] in q["sku_ids"].split(",")]
        if q.get("exclude_deleted", "1") == "1":
            rows = [e for e in rows if not e["deleted"]]
        limit = int(q.get("limit") or 100)
        if q.get("before"):
            rows = [e for e in rows if int(e["id"]) < int(q["before"])][-limit:]
        else:
            rows = [e for e in rows if int(e["id"]) > int(q.get("after") or 0)][:limit]
        return self._json(rows)  # type: ignore[attr-defined]

    async def _consume(self, call: Any, eid: str) -> Any:
        entitlement = self.entitlements.get(int(eid))
        if entitlement is None:
            return self._json({"message": "Unknown Entitlement", "code": 10029}, 404)  # type: ignore[attr-defined]
        if entitlement["consumed"]:
            return self._json({"message": "Entitlement already consumed", "code": 40074}, 400)  # type: ignore[attr-defined]
        entitlement["consumed"] = True
        return self._json(None, 204)  # type: ignore[attr-defined]
