"""The official Runway API client: every mode, an account call, uploads, and DELETE to cancel."""

from __future__ import annotations

from urllib.parse import quote

from bot.errors import NotFound, VendorError
from bot.vendors.base import Account
from bot.vendors.limits import VendorLimits
from bot.vendors.runway.catalogue import OFFICIAL_SPECS
from bot.vendors.runway.limits import organization_limits
from bot.vendors.runway.models import runway_capabilities
from bot.vendors.runway.protocol import RunwayFamilyClient
from bot.vendors.runway.uploads import DATA_URI_MAX
from bot.vendors.runway.upscale import UPSCALE_MODEL


class RunwayClient(RunwayFamilyClient):
    """The official API: every mode, and DELETE to cancel."""

    id = "runway"
    default_base_url = "https://api.dev.runwayml.com"
    key_env = "RUNWAY_API_KEY"
    base_url_env = "RUNWAY_BASE_URL"
    path_prefix = "/v1"
    supports_cancel = True
    # Every video model of Runway's catalogue (catalogue.CATALOGUE), as its SDK types them.
    capabilities = runway_capabilities(*OFFICIAL_SPECS)
    # Media whose data URI would pass Runway's limit go through its upload endpoint.
    upload_above = DATA_URI_MAX
    upscaler = UPSCALE_MODEL  # POST /v1/video_upscale

    async def account(self) -> Account:
        body = await self._call("GET", "/organization")
        credits = body.get("creditBalance") if isinstance(body, dict) else None
        return Account(credits=credits if isinstance(credits, int | float) else None)

    async def limits(self) -> VendorLimits:
        return organization_limits(await self._call("GET", "/organization"))

    async def cancel(self, task_id: str) -> bool:
        """DELETE cancels a live task (refunded only while PENDING/THROTTLED) and answers 204."""
        self._cancelled.add(task_id)
        try:
            await self._call("DELETE", f"/tasks/{quote(task_id, safe='')}")
        except NotFound:
            pass  # already gone: nothing left to stop
        except VendorError:
            self._cancelled.discard(task_id)
            raise
        return True
