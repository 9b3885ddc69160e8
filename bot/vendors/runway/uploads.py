"""Runway's upload endpoint, for media too large for a data URI.

Runway takes data URIs up to 5 MB. Larger media go the way the official SDK's
`uploads.create_ephemeral` sends them: `POST /v1/uploads {filename, type: "ephemeral"}`
answers `{runwayUri, uploadUrl, fields}`; the file then goes as multipart form data (those
fields plus `file`) to `uploadUrl`, a presigned storage URL that gets no API key, and the
`runway://` URI stands in for the data URI in the create body.
"""

from __future__ import annotations

import math
import mimetypes
from typing import Any, Protocol

import httpx

from bot.errors import Transient, VendorError
from bot.models import Media, VideoRequest
from bot.vendors.http import call

# The SDK documents data URIs "up to 5MB" for images and videos alike.
DATA_URI_MAX = 5 * 1024 * 1024


def data_uri_length(media: Media) -> int:
    """Characters of `media.data_uri()`, without building the string."""
    return len(f"data:{media.mime};base64,") + 4 * math.ceil(len(media.data) / 3)


def upload_name(media: Media) -> str:
    """A neutral filename whose extension tells Runway the media type (it reads the type from
    the extension); the user's own filename is not passed on."""
    ext = mimetypes.guess_extension(media.mime)
    if ext is None and "." in media.filename:
        ext = "." + media.filename.rsplit(".", 1)[-1][:8]
    return f"upload{ext or ('.mp4' if media.is_video else '.png')}"


async def upload(client: ApiClient, media: Media) -> str:
    """Upload `media` as an ephemeral file and return its `runway://` URI."""
    name, vendor = upload_name(media), client.id
    started = await client._call("POST", "/uploads", body={"filename": name, "type": "ephemeral"})
    if not isinstance(started, dict):
        raise Transient("upload answer is not an object", status=200, vendor=vendor)
    uri, url, fields = started.get("runwayUri"), started.get("uploadUrl"), started.get("fields")
    if not isinstance(uri, str) or not isinstance(url, str) or not isinstance(fields, dict):
        raise Transient("upload answer without runwayUri/uploadUrl", status=200, vendor=vendor)
    # httpx builds the multipart body (the same encoder the SDK uses); any transport sends it.
    form = httpx.Request(
        "POST",
        url,
        data={str(k): str(v) for k, v in fields.items()},
        files={"file": (name, media.data, media.mime)},
    )
    body = form.read()
    headers = {"Content-Type": form.headers["Content-Type"]}
    try:
        await call(client.http, vendor, "POST", url, headers=headers, content=body)
    except VendorError as exc:
        # The storage URL's refusal says nothing about our key or credits; nothing was created.
        what = f"HTTP {exc.status}" if exc.status else type(exc).__name__
        raise Transient(f"upload to storage failed: {what}", vendor=vendor) from None
    return uri


class ApiClient(Protocol):
    """What an upload needs of a Runway-family client."""

    http: httpx.AsyncClient

    @property
    def id(self) -> str: ...

    async def _call(
        self, method: str, path: str, *, body: Any = None, create: bool = False
    ) -> Any: ...


async def upload_oversized(
    client: ApiClient, req: VideoRequest, limit: int | None
) -> dict[int, str]:
    """Upload the request's media whose data URI would pass `limit` (None: no uploads),
    as id(media) -> `runway://` URI."""
    uris: dict[int, str] = {}
    if limit is None:
        return uris
    for media in (req.first_frame, req.last_frame, req.video, req.character):
        if media is not None and id(media) not in uris and data_uri_length(media) > limit:
            uris[id(media)] = await upload(client, media)
    return uris
