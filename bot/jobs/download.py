"""Fetching a finished video: the rules between a vendor's result URL and a file to deliver.

- Downloads have a budget of their own: MAX_DOWNLOADS at once across vendors (never the
  vendor's API call slots, which a slow download would hold from every create and poll),
  and each ends within VIDEO_DOWNLOAD_TIMEOUT and within the job's deadline.
- Only the vendor's own origin, https URLs to public addresses (checked at connect time,
  see bot/netguard.py), or for the local vendor its own files are fetched.
- Only a file that is a video by its magic bytes is handed on: a vendor's error page or a
  CDN's "access denied" is refused, never delivered and charged.
- A local write failure (full disk) is retried while the job has time, since the vendor's
  URL stays good; then the job is refunded with an honest reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from bot.config import Settings
from bot.errors import VendorError
from bot.media import LocalWriteError, NotPublic, TooLarge, download, sniff_video
from bot.models import Job
from bot.vendors.base import VendorClient

log = logging.getLogger("videobot.engine")

MAX_DOWNLOADS = 64  # result downloads in flight at once, across every vendor (1 MB buffer each)
LOCAL_RETRIES = 3  # tries again after a local write failure, within the deadline
LOCAL_BACKOFF = 0.5  # seconds before the first of those, doubled each time


@dataclass(frozen=True)
class Refusal:
    """The result cannot be delivered: refund with this error code and notice."""

    code: str
    text_key: str = "failed_vendor"
    reason_key: str | None = None  # catalogue reason for failed_vendor's {reason}


def same_origin(url: str, vendor: VendorClient) -> bool:
    parsed = urlparse(url)
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.hostname}{port}" == vendor.origin


def allowed_url(url: str, vendor: VendorClient) -> bool:
    """Results come over https, or from the vendor's own configured origin."""
    scheme = urlparse(url).scheme
    if scheme == "file":
        return vendor.local_results
    return scheme == "https" or same_origin(url, vendor)


def shown(url: str) -> str:
    """A URL for the log without its query, where CDNs put signatures and tokens."""
    return url.split("?", 1)[0][:100]


def _is_video(path: Path) -> bool:
    with path.open("rb") as file:
        mime = sniff_video(file.read(16))
    return mime is not None and mime.startswith("video/")


class ResultFetcher:
    """Turns a finished task's URL into a local video file, or says why it cannot."""

    def __init__(self, settings: Settings, videos_dir: Path, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.videos_dir = videos_dir
        self.clock = clock
        self._slots = asyncio.Semaphore(MAX_DOWNLOADS)

    async def fetch(self, job: Job, vendor: VendorClient, url: str | None) -> Path | Refusal | None:
        """The video's path; a Refusal to refund the job; None to poll again for a fresh
        URL (the network failed, or the time left ran out: the poll loop times it out)."""
        if not url or not allowed_url(url, vendor):
            log.error(
                "job %s: refusing result URL from %s: %r", job.id, vendor.id, shown(url or "")
            )
            return Refusal("bad_result", reason_key="reason_no_video")
        if url.startswith("file:"):
            path = Path(unquote(urlparse(url).path))
        else:
            fetched = await self._download(job, vendor, url)
            if not isinstance(fetched, Path):
                return fetched
            path = fetched
        try:
            is_video = await asyncio.to_thread(_is_video, path)
        except OSError as exc:
            log.error("job %s: cannot read the result %s: %s", job.id, path, exc)
            return Refusal("storage", "failed_storage")
        if not is_video:
            log.error("job %s: result from %s is not a video: %s", job.id, vendor.id, shown(url))
            if not url.startswith("file:"):
                with contextlib.suppress(OSError):
                    await asyncio.to_thread(path.unlink)
            return Refusal("not_video", reason_key="reason_not_video")
        return path

    async def _download(self, job: Job, vendor: VendorClient, url: str) -> Path | Refusal | None:
        path = self.videos_dir / f"{job.id}.mp4"
        public_only = not same_origin(url, vendor)
        local_failures = 0
        while True:
            left = min(self.settings.video_download_timeout, job.deadline_at - self.clock())
            if left <= 0:
                break
            try:
                async with asyncio.timeout(left):  # waiting for a download slot counts too
                    await self._slots.acquire()
            except TimeoutError:
                break
            try:
                size = await download(
                    vendor.http, url, path, max_bytes=self.settings.video_max_bytes,
                    vendor=vendor.id, time_limit=left, public_only=public_only,
                )  # fmt: skip
            except TooLarge as exc:
                log.error("job %s: %s", job.id, exc)
                return Refusal("too_large", reason_key="reason_too_large")
            except NotPublic as exc:
                log.error("job %s: %s: %r", job.id, exc, shown(url))
                return Refusal("bad_result", reason_key="reason_no_video")
            except VendorError as exc:
                log.warning(
                    "job %s: download failed (%s); polling again for a fresh URL", job.id, exc
                )
                return None
            except LocalWriteError as exc:
                local_failures += 1
                wait = LOCAL_BACKOFF * 2 ** (local_failures - 1)
                log.error("job %s: cannot store the video: %s", job.id, exc)
                if local_failures > LOCAL_RETRIES:
                    return Refusal("storage", "failed_storage")
                await asyncio.sleep(min(wait, max(0.0, job.deadline_at - self.clock())))
                continue
            finally:
                self._slots.release()
            log.debug("job %s downloaded %d bytes", job.id, size)
            return path
        if local_failures:  # out of time while the disk kept failing: say so
            return Refusal("storage", "failed_storage")
        return None
