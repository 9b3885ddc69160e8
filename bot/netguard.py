"""Result downloads reach only public internet addresses.

A vendor (or whoever controls a result URL it hands back) could otherwise point the bot at
this machine or its private network: `https://127.0.0.1:6379/`, a cloud metadata address,
or a name that resolves to one. The check runs on the address each socket is about to
connect to, after DNS, so a name that resolves to a public address when looked at and a
private one when used (DNS rebinding) is refused too. Both HTTP stacks get the same rule:
aiohttp through its connector's socket factory, httpx through an httpcore network backend.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class PrivateAddress(OSError):
    """A download was about to connect to a loopback, private, link-local or other
    non-public address. One message for all, so several refused addresses of one name
    still surface as this error rather than a combined one."""

    def __init__(self) -> None:
        super().__init__(errno.EACCES, "result URL leads to a non-public address")


def is_public(host: str) -> bool:
    """True for an address on the public internet (not loopback, private, link-local,
    shared, reserved, multicast or unspecified, IPv4-mapped forms included)."""
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def public_socket(addr_info: tuple[Any, ...]) -> socket.socket:
    """aiohttp's `socket_factory`: a socket only for a public address (raises otherwise)."""
    family, kind, proto, _canonname, sockaddr = addr_info
    if not is_public(str(sockaddr[0])):
        raise PrivateAddress()
    return socket.socket(family=family, type=kind, proto=proto)


class _PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's default backend, connecting only to the public addresses a name has.

    It connects to the checked address itself; TLS still verifies the URL's host name,
    which httpcore passes to the handshake separately."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
            )
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = [str(info[4][0]) for info in infos]
        public = [a for a in dict.fromkeys(addresses) if is_public(a)]
        if not public:
            raise PrivateAddress()
        failure: Exception | None = None
        for address in public:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise PrivateAddress()

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PublicOnlyTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with a connection pool that connects to public addresses only."""

    def __init__(self) -> None:
        super().__init__()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_PublicOnlyBackend()
        )
