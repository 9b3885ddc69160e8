"""A vendor client that delegates every call to another: the base of wrappers that add
behaviour around a vendor's calls (timing them for metrics, say) without changing the client.

The engine, the router and the callback server see the wrapper as the vendor itself: it
declares what its client declares (id, capabilities, cancel support, ...) and answers every
call of the `VendorClient` interface with its client's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.models import TaskState, VideoRequest
from bot.vendors.base import Account, VendorClient

# The class-level declarations of VendorClient (id, capabilities, supports_cancel, ...).
DECLARATIONS: tuple[str, ...] = tuple(
    name
    for name, annotation in VendorClient.__annotations__.items()
    if str(annotation).startswith("ClassVar")
)


class DelegatingClient(VendorClient):
    """Delegates to `inner`; subclasses override the calls they wrap and call `inner`."""

    def __init__(self, inner: VendorClient) -> None:
        # No super().__init__: the inner client owns the key and the HTTP client.
        self.inner = inner
        self.api_key = inner.api_key
        self.base_url = inner.base_url
        self.http = inner.http
        self._own_http = False
        self.refused_models = inner.refused_models  # one memory for the client and wrapper
        # The inner client's class declarations, seen through this instance.
        vars(self).update({name: getattr(inner, name) for name in DECLARATIONS})

    @property
    def origin(self) -> str:
        return self.inner.origin

    async def submit(
        self, req: VideoRequest, *, idempotency_key: str, callback_url: str | None = None
    ) -> str:
        return await self.inner.submit(
            req, idempotency_key=idempotency_key, callback_url=callback_url
        )

    async def poll(self, task_id: str) -> TaskState:
        return await self.inner.poll(task_id)

    async def cancel(self, task_id: str) -> bool:
        return await self.inner.cancel(task_id)

    async def account(self) -> Account | None:
        return await self.inner.account()

    def parse_callback(self, body: dict[str, Any]) -> tuple[str, TaskState] | None:
        return self.inner.parse_callback(body)

    def verify_callback(self, raw_body: bytes, headers: Mapping[str, str]) -> bool:
        return self.inner.verify_callback(raw_body, headers)

    async def aclose(self) -> None:
        await self.inner.aclose()
