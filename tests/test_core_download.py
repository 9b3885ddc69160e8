"""Streamed result downloads over real HTTP: size cap with and without Content-Length, the
file appearing only when complete, nothing left behind on failure, a time limit for the
whole download, no connection to non-public addresses, and local write failures told
apart; through a plain httpx client and through the vendor clients' direct aiohttp path
(VendorHTTP)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from bot.errors import Transient
from bot.media import WRITE_BATCH, LocalWriteError, NotPublic, TooLarge, download
from bot.netguard import is_public
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


async def _drip(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Length": str(len(BIG))})
    await response.prepare(request)
    for start in range(0, len(BIG), 10):  # ten bytes every 50 ms: every read is quick
        await response.write(BIG[start : start + 10])
        await asyncio.sleep(0.05)
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
    app.router.add_get("/drip", _drip)
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


async def test_a_download_ends_within_its_time_limit(
    server: str, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    began = time.monotonic()
    with pytest.raises(Transient, match="took over"):
        await download(
            http, server + "/drip", tmp_path / "job.mp4", max_bytes=len(BIG), time_limit=0.5
        )
    assert time.monotonic() - began < 5.0  # the drip alone would take hours
    assert _names(tmp_path) == []


class Listener:
    """A TCP server on this machine that counts the connections made to it."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> Listener:
        self.server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    async def _on_connect(self, _r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.close()


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:{port}/v.mp4",
        "https://localhost:{port}/v.mp4",
        "http://localhost:{port}/v.mp4",
    ],
)
async def test_a_public_only_download_never_connects_here(
    http: httpx.AsyncClient, tmp_path: Path, url: str
) -> None:
    async with Listener() as inside:
        with pytest.raises(NotPublic):
            await download(
                http,
                url.format(port=inside.port),
                tmp_path / "job.mp4",
                max_bytes=100,
                public_only=True,
            )
        assert inside.connections == 0
    assert _names(tmp_path) == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::6810:84e5", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("not-an-address", False),
    ],
)
def test_only_public_addresses_pass(address: str, public: bool) -> None:
    assert is_public(address) is public


async def test_a_local_write_failure_is_told_apart(
    server: str, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    (tmp_path / "videos").write_bytes(b"")  # a file where the folder should be
    with pytest.raises(LocalWriteError):
        await download(http, server + "/video", tmp_path / "videos" / "job.mp4", max_bytes=len(BIG))
    assert _names(tmp_path) == ["videos"]


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())
