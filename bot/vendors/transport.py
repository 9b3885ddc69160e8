"""Vendor HTTP through aiohttp, behind httpx's API.

Why: the vendor clients speak httpx, but httpx's own connection layer (httpcore over anyio)
cost about 0.9 ms of CPU per poll on this machine against 0.3 ms through aiohttp, and with
10,000 jobs in flight polls are most of what the bot does (capacity benchmark, py-spy).
The clients keep httpx's API, error types and timeouts; only the wire work moves. For the
two hot paths, JSON calls and result downloads, `VendorHTTP` skips httpx's Request,
Response, URL and Headers objects as well (about 0.2 ms more per request; the profile of
10,000 jobs put them at a quarter of the bot's CPU).

Failures keep httpx's meaning, because the money rules depend on it: an error before the
request could have left (no connection, timed out waiting for or opening one) raises
`httpx.ConnectError`/`ConnectTimeout`, which a create may retry; anything after that raises
a read/protocol error, which makes a create's outcome unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import httpx
from multidict import CIMultiDict

from bot.netguard import PrivateAddress, PublicOnlyTransport, public_socket

# Set by aiohttp itself from the body; forwarding httpx's copies would duplicate them.
_SKIP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


def _timeout(t: Mapping[str, float | None]) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for httpx's (a dict as in `Timeout.as_dict()`)."""
    pool, connect = t.get("pool"), t.get("connect")
    acquire = None if pool is None and connect is None else (pool or 0.0) + (connect or 0.0)
    return aiohttp.ClientTimeout(
        total=None, connect=acquire, sock_connect=connect, sock_read=t.get("read")
    )


def _mapped(exc: BaseException, request: httpx.Request | None) -> httpx.TransportError:
    """The httpx error with the same meaning for money: was the request possibly sent?"""
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(message, request=request)
    return httpx.ReadError(message, request=request)


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self.response = response
        self.request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in _pieces(self.response, self.request):
            yield chunk

    async def aclose(self) -> None:
        self.response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session (created in the running loop on first use) behind httpx."""

    def __init__(self, *, limit: int = 64, keepalive_timeout: float = 30.0) -> None:
        self.limit = limit
        self.keepalive_timeout = keepalive_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        return self._get_session()

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self.limit, keepalive_timeout=self.keepalive_timeout
                ),
                cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies, if any
                auto_decompress=False,  # httpx decodes Content-Encoding itself
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
                trust_env=False,
            )
            # aiohttp silently resends an idempotent request once when a kept-alive
            # connection drops; httpx does not, and the engine counts on seeing the failure.
            self._session._retry_connection = False
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        headers: CIMultiDict[str] = CIMultiDict(
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in request.headers.raw  # the names as written, not lower-cased
            if k.decode("latin-1").lower() not in _SKIP_HEADERS
        )
        data: Any = await request.aread() if request.method not in ("GET", "HEAD") else None
        try:
            response = await self._get_session().request(
                request.method,
                str(request.url),
                headers=headers,
                data=data,
                allow_redirects=False,
                timeout=_timeout(request.extensions.get("timeout", {})),
            )
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _mapped(exc, request) from exc
        return httpx.Response(
            status_code=response.status,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers],
            stream=_Body(response, request),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode(),
            },
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class VendorHTTP(httpx.AsyncClient):
    """The vendor clients' httpx client, with direct aiohttp paths for JSON calls and
    downloads. Failures raise the same httpx errors as through the transport."""

    def __init__(self, *, timeout: httpx.Timeout, limit: int = 64) -> None:
        self.wire = AiohttpTransport(limit=limit)
        super().__init__(timeout=timeout, follow_redirects=False, transport=self.wire)
        self._wire_timeout = _timeout(timeout.as_dict())
        self._public: aiohttp.ClientSession | None = None  # downloads from elsewhere

    def _public_session(self) -> aiohttp.ClientSession:
        """A session of its own for URLs outside the vendor's API: its connector makes
        sockets for public addresses only (see bot/netguard.py)."""
        if self._public is None or self._public.closed:
            self._public = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.wire.limit, socket_factory=public_socket),
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
                trust_env=False,
            )
        return self._public

    async def aclose(self) -> None:
        if self._public is not None:
            await self._public.close()
            self._public = None
        await super().aclose()

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[int, bytes, Mapping[str, str]]:
        """Send one request; returns status, whole body and headers (case-insensitive)."""
        try:
            async with self.wire.session.request(
                method,
                url,
                headers=headers,
                params=params,
                data=body,
                allow_redirects=False,
                timeout=self._wire_timeout,
            ) as response:
                return response.status, await response.read(), response.headers
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _mapped(exc, None) from exc

    @contextlib.asynccontextmanager
    async def stream_get(
        self, url: str, headers: Mapping[str, str], *, public_only: bool = False
    ) -> AsyncIterator[tuple[int, Mapping[str, str], AsyncIterator[bytes]]]:
        """GET `url`; yields status, headers and the body in pieces of up to 64 KB.
        `public_only` raises PrivateAddress instead of connecting to a non-public address."""
        session = self._public_session() if public_only else self.wire.session
        try:
            response = await session.get(
                url, headers=headers, allow_redirects=False, timeout=self._wire_timeout
            )
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, PrivateAddress):
                raise PrivateAddress() from exc
            raise _mapped(exc, None) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _mapped(exc, None) from exc
        try:
            yield response.status, response.headers, _pieces(response)
        finally:
            response.release()


async def _pieces(
    response: aiohttp.ClientResponse, request: httpx.Request | None = None
) -> AsyncIterator[bytes]:
    """The body in pieces of up to 64 KB, failures as the httpx errors they mean."""
    try:
        async for chunk in response.content.iter_chunked(1 << 16):
            yield chunk
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise _mapped(exc, request) from exc


@contextlib.asynccontextmanager
async def stream_get(
    http: httpx.AsyncClient, url: str, headers: Mapping[str, str], *, public_only: bool = False
) -> AsyncIterator[tuple[int, Mapping[str, str], AsyncIterator[bytes]]]:
    """GET `url` through any httpx client, the direct way when it is a VendorHTTP.

    With `public_only` the connection may go to public addresses only (PrivateAddress is
    raised otherwise); a plain httpx client then lends only its timeouts to a client whose
    transport enforces that, since its own pool connects anywhere.
    """
    if isinstance(http, VendorHTTP):
        async with http.stream_get(url, headers, public_only=public_only) as opened:
            yield opened
    elif public_only:
        async with (
            httpx.AsyncClient(transport=PublicOnlyTransport(), timeout=http.timeout) as guarded,
            guarded.stream("GET", url, headers=headers) as response,
        ):
            yield response.status_code, response.headers, response.aiter_bytes(1 << 16)
    else:
        async with http.stream("GET", url, headers=headers) as response:
            yield response.status_code, response.headers, response.aiter_bytes(1 << 16)
