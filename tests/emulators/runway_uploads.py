"""Runway's upload endpoint, as the official SDK's `uploads.create_ephemeral` drives it.

`POST /v1/uploads {filename, type: "ephemeral"}` answers `{uploadUrl, fields, runwayUri}`;
the file then goes as multipart form data (the fields plus `file`) to `uploadUrl`, a presigned
storage URL that takes no API key (here a route of the same emulator). Afterwards the
`runway://` URI may stand in for any media URI of a create body.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from aiohttp import web

DOC_URL = "https://docs.dev.runwayml.com/api"


def media_fields(body: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Any, str]]:
    """(path, value, kind) of every media URI in a create body; kind is image, video or any."""
    image = body.get("promptImage")
    if isinstance(image, str):
        yield ("promptImage",), image, "image"
    elif isinstance(image, list):
        for i, item in enumerate(image):
            if isinstance(item, dict):
                yield ("promptImage", i, "uri"), item.get("uri"), "image"
    for key in ("videoUri", "promptVideo"):
        if key in body:
            yield (key,), body[key], "video"
    for key in ("character", "reference"):
        item = body.get(key)
        if isinstance(item, dict):
            kind = item.get("type") if item.get("type") in ("image", "video") else "any"
            yield (key, "uri"), item.get("uri"), str(kind)
    refs = body.get("references")
    if isinstance(refs, list):
        for i, ref in enumerate(refs):
            if isinstance(ref, dict):
                kind = "image" if ref.get("type") == "image" else "any"
                yield ("references", i, "uri"), ref.get("uri"), kind


class UploadsMixin:
    """The upload routes of the Runway emulator; `uploads` maps runway:// URIs to the bytes.

    Mixed into RunwayEmulator before VendorEmulator, whose fault queue it uses."""

    prefix: str
    base_url: str
    uploads: dict[str, bytes]
    upload_requests: list[dict[str, Any]]
    _pending_uploads: dict[str, tuple[str, str]]  # upload id -> (policy, filename)

    async def _authorised_json(self, request: web.Request) -> tuple[Any, web.Response | None]:
        raise NotImplementedError  # RunwayEmulator's key and version checks

    def upload_routes(self) -> list[web.RouteDef]:
        return [
            web.post(f"{self.prefix}/uploads", self._upload_start),
            web.post("/_storage/{id}", self._upload_store),
        ]

    async def _upload_start(self, request: web.Request) -> web.StreamResponse:
        body, refused = await self._authorised_json(request)
        if refused is not None:
            return refused
        self.upload_requests.append(body)
        filename = body.get("filename") if isinstance(body, dict) else None
        if (
            not isinstance(filename, str)
            or "." not in filename
            or body.get("type") != "ephemeral"
            or set(body) - {"filename", "type"}
        ):
            issue = {"code": "custom", "message": "Invalid upload request", "path": []}
            return web.json_response(
                {"error": "Validation of body failed", "issues": [issue], "docUrl": DOC_URL},
                status=400,
            )
        upload_id = uuid.uuid4().hex
        policy = uuid.uuid4().hex
        self._pending_uploads[upload_id] = (policy, filename)
        return web.json_response(
            {
                "uploadUrl": f"{self.base_url}/_storage/{upload_id}",
                "fields": {"key": f"uploads/{upload_id}/{filename}", "policy": policy},
                "runwayUri": f"runway://uploads/{upload_id}/{filename}",
            }
        )

    async def _upload_store(self, request: web.Request) -> web.StreamResponse:
        """The presigned storage POST: the policy field must match, and no API key is wanted."""
        fault = self.take_fault("upload")
        if fault is not None:
            return await self.misbehave(request, fault)
        upload_id = request.match_info["id"]
        pending = self._pending_uploads.pop(upload_id, None)
        if pending is None or "Authorization" in request.headers:
            return web.Response(status=403, text="<Error><Code>AccessDenied</Code></Error>")
        policy, filename = pending
        form = await request.post()
        file = form.get("file")
        if form.get("policy") != policy or not isinstance(file, web.FileField):
            return web.Response(status=400, text="<Error><Code>InvalidPolicy</Code></Error>")
        self.uploads[f"runway://uploads/{upload_id}/{filename}"] = file.file.read()
        return web.Response(status=204)
