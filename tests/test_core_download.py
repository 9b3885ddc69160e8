"""Streamed result downloads over real HTTP: size cap with and without Content-Length, the
file appearing only when complete, and nothing left behind on failure; through a plain
httpx client and through the vendor clients' direct aiohttp path (VendorHTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from bot.errors import Transient
from bot.media import WRITE_BATCH, TooLarge, download
from bot.vendors.transport import VendorHTTP

BIG = bytes(range(256)) * (WRITE_BATCH // 256 * 3 + 7)  # several write batches, uneven end


async def _chunked(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()  # no Content-Length: the cap must count bytes
    await response.prepare(request)
    for start in range(0, len(BIG), 50_000):
        await response.write(BIG[start : start + 50_000])
    await response.write_eof()
    return response


async def _cut(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Length": str(len(BIG))})
    await response.prepare(request)
    await response.write(BIG[:100_000])
    assert request.transport is not None
    request.transport.close()  # the connection drops halfway
    return response


def _answer(response: web.Response) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(_request: web.Request) -> web.Response:
        return response

    return handler


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/video", _answer(web.Response(body=BIG)))
    app.router.add_get("/chunked", _chunked)
    app.router.add_get("/broken", _answer(web.Response(status=502)))
    app.router.add_get("/empty", _answer(web.Response(body=b"")))
    app.router.add_get("/cut", _cut)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture(params=["httpx", "vendor"])
async def http(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    if request.param == "httpx":
        client = httpx.AsyncClient()
    else:
        client = VendorHTTP(timeout=httpx.Timeout(10.0))
    async with client:
        yield client


@pytest.mark.parametrize("path", ["/video", "/chunked"])
async def test_download_writes_the_whole_file(
    server: str, http: httpx.AsyncClient, tmp_path: Path, path: str
) -> None:
    dest = tmp_path / "videos" / "job.mp4"  # the folder does not exist yet
    size = await download(http, server + path, dest, max_bytes=len(BIG))
    assert size == len(BIG) and _read(dest) == BIG
    assert _names(dest.parent) == ["job.mp4"]


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/video", TooLarge),
        ("/chunked", TooLarge),
        ("/broken", Transient),
        ("/empty", Transient),
        ("/cut", Transient),
    ],
)
async def test_failed_download_leaves_nothing(
    server: str, http: httpx.AsyncClient, tmp_path: Path, path: str, error: type[Exception]
) -> None:
    dest = tmp_path / "job.mp4"
    limit = len(BIG) if path == "/cut" else len(BIG) - 1
    with pytest.raises(error):
        await download(http, server + path, dest, max_bytes=limit)
    assert _names(tmp_path) == []


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())
