"""Media from Discord: attachments and embed images, checked before a byte is read.

Attachments are checked (declared type and size) before download, embed images are fetched
only from Discord's media proxy under a size cap, and their URLs never reach a log line or a
vendor: the core gets bytes.
"""

from __future__ import annotations

import logging
import mimetypes
from typing import Any
from urllib.parse import urlparse

import aiohttp
import discord

from adapters.discord.translate import text
from bot.media import MAX_INPUT_IMAGE_BYTES, MAX_INPUT_VIDEO_BYTES
from bot.models import Media

log = logging.getLogger("videobot.discord")


class MediaRefused(Exception):
    """A file the user should replace; `key`/`params` name the catalogue text."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def text(self, locale: str | None) -> str:
        return text(locale, self.key, **self.params)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}"


def _mime(content_type: str | None, filename: str) -> str:
    mime = (content_type or "").split(";")[0].strip().lower()
    return mime or (mimetypes.guess_type(filename)[0] or "")


def attachment_kind(att: discord.Attachment) -> str:
    """`image`, `video` or `` by the declared content type (or the file name)."""
    mime = _mime(att.content_type, att.filename)
    return mime.split("/")[0] if mime.startswith(("image/", "video/")) else ""


def _limit(kind: str) -> int:
    return MAX_INPUT_IMAGE_BYTES if kind == "image" else MAX_INPUT_VIDEO_BYTES


def _refuse(kind: str, size: int | None = None) -> MediaRefused:
    if size is None:
        return MediaRefused("err_image_invalid" if kind == "image" else "err_video_invalid")
    key = "err_image_too_large" if kind == "image" else "err_video_too_large"
    return MediaRefused(key, size_mb=_mb(size), max_mb=_mb(_limit(kind)))


async def read_attachment(att: discord.Attachment, *kinds: str) -> Media:
    """Download an attachment of one of `kinds` (image, video), checking type and size first."""
    kind = attachment_kind(att)
    if kind not in kinds:
        raise _refuse(kinds[0])
    if att.size > _limit(kind):
        raise _refuse(kind, att.size)
    try:
        data = await att.read()
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("attachment download failed: %s", type(exc).__name__)
        raise MediaRefused("download_failed") from None
    if len(data) > _limit(kind):
        raise _refuse(kind, len(data))
    return Media(data, _mime(att.content_type, att.filename), att.filename)


DISCORD_MEDIA_HOSTS = ("discordapp.net", "discordapp.com", "discord.com")


def host_allowed(url: str, extra_hosts: frozenset[str]) -> bool:
    """Embed images are fetched only through Discord's own media proxy (no SSRF)."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if host in extra_hosts:  # a local test server
        return parsed.scheme in ("http", "https")
    return parsed.scheme == "https" and any(
        host == h or host.endswith("." + h) for h in DISCORD_MEDIA_HOSTS
    )


async def fetch_image(
    session: aiohttp.ClientSession, url: str, *, extra_hosts: frozenset[str] = frozenset()
) -> Media:
    """Stream an embed image under the size cap, after checking its type and length."""
    if not host_allowed(url, extra_hosts):
        raise MediaRefused("err_image_invalid")
    limit = MAX_INPUT_IMAGE_BYTES
    try:
        async with session.get(url, allow_redirects=False) as resp:
            if resp.status != 200:
                raise MediaRefused("download_failed")
            mime = _mime(resp.headers.get("Content-Type"), "")
            if not mime.startswith("image/"):
                raise MediaRefused("err_image_invalid")
            if resp.content_length is not None and resp.content_length > limit:
                raise _refuse("image", resp.content_length)
            data = bytearray()
            async for chunk in resp.content.iter_chunked(65536):
                data += chunk
                if len(data) > limit:
                    raise _refuse("image", len(data))
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("embed image download failed: %s", type(exc).__name__)
        raise MediaRefused("download_failed") from None
    return Media(bytes(data), mime, "embed" + (mimetypes.guess_extension(mime) or ""))


def image_sources(message: discord.Message) -> list[discord.Attachment | str]:
    """The images of a message: image attachments first, then embed images (proxied URLs)."""
    found: list[discord.Attachment | str] = [
        a for a in message.attachments if attachment_kind(a) == "image"
    ]
    for embed in message.embeds:
        for media in (embed.image, embed.thumbnail):
            url = media.proxy_url or media.url
            if url:
                found.append(url)
                break
    return found


def video_attachments(message: discord.Message) -> list[discord.Attachment]:
    return [a for a in message.attachments if attachment_kind(a) == "video"]


class Downloader:
    """Reads attachments and embed images; owns the HTTP session for the embeds."""

    def __init__(self, *, media_hosts: frozenset[str] = frozenset()) -> None:
        self.media_hosts = media_hosts  # local test servers allowed besides Discord's hosts
        self.session: aiohttp.ClientSession | None = None

    def open(self) -> None:
        if self.session is None:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def image(self, source: discord.Attachment | str) -> Media:
        """An image attachment, or an embed image by its proxied URL."""
        if isinstance(source, discord.Attachment):
            return await read_attachment(source, "image")
        if self.session is None:
            raise MediaRefused("download_failed")
        return await fetch_image(self.session, source, extra_hosts=self.media_hosts)
