"""Downloading what a Telegram user sent, within the size limits of the core and the
Bot API."""

from __future__ import annotations

import io

from telegram import Bot

from adapters.telegram.flood import patiently
from adapters.telegram.settings import CLOUD_DOWNLOAD_BYTES
from adapters.telegram.translate import FileRef
from bot.errors import InvalidRequest
from bot.media import MAX_INPUT_IMAGE_BYTES, MAX_INPUT_VIDEO_BYTES, sniff_video
from bot.models import Media

DOWNLOAD_TIMEOUT = 120.0


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}"


class Downloader:
    """Fetches a file a user sent (getFile + download) into memory, within size limits.

    The file URL PTB builds contains the bot token: it stays inside PTB, is never logged,
    and only the bytes go on, to the vendor as a data URI.
    """

    def __init__(self, bot: Bot, *, official_api: bool) -> None:
        self.bot = bot
        self.official_api = official_api

    def limit(self, kind: str) -> int:
        limit = MAX_INPUT_IMAGE_BYTES if kind == "image" else MAX_INPUT_VIDEO_BYTES
        return min(limit, CLOUD_DOWNLOAD_BYTES) if self.official_api else limit

    def _too_large(self, ref: FileRef, size: int) -> InvalidRequest:
        key = "err_image_too_large" if ref.kind == "image" else "err_video_too_large"
        return InvalidRequest(key, size_mb=_mb(size), max_mb=_mb(self.limit(ref.kind)))

    async def fetch(self, ref: FileRef) -> Media:
        limit = self.limit(ref.kind)
        if ref.size is not None and ref.size > limit:
            raise self._too_large(ref, ref.size)
        file = await patiently(lambda: self.bot.get_file(ref.file_id), what="getFile")
        if file.file_size is not None and file.file_size > limit:
            raise self._too_large(ref, file.file_size)
        out = io.BytesIO()
        await file.download_to_memory(out, read_timeout=DOWNLOAD_TIMEOUT)
        data = out.getvalue()
        if len(data) > limit:
            raise self._too_large(ref, len(data))
        mime = ref.mime
        if ref.kind == "video":
            mime = sniff_video(data) or ref.mime
        return Media(data, mime, ref.filename)
