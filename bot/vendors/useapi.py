"""useapi.net: automation of a Runway *web* account (contracts §7).

Why it differs from the others: media cannot be inlined, so every image or video is first
uploaded as an asset and referenced by `assetId`; each model has its own endpoint and field
names; the id to poll is the namespaced `taskId` (with `:` and `@`), sent verbatim.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import mimetypes
import random
import re
from collections import OrderedDict
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from bot.errors import (
    Moderated,
    NotFound,
    OutOfCredits,
    RateLimited,
    Transient,
    UnknownOutcome,
    VendorError,
)
from bot.models import Media, Mode, TaskState, TaskStatus, VideoRequest
from bot.vendors.base import ASPECTS, Account, Capabilities, ModelSpec, VendorClient
from bot.vendors.http import call
from bot.vendors.limits import VendorLimits, useapi_accounts_limits
from bot.vendors.reseller import (
    bearer,
    clamp_seed,
    find_urls,
    looks_moderated,
    lookup_status,
    parse_progress,
)

VENDOR = "useapi"
PREFIX = "/v1/runwayml"
SEED_MIN, SEED_MAX = 1, 4294967294  # useapi rejects 0 and 2**32-1
BUSY_WAIT = (10.0, 30.0)  # useapi: "wait in a loop for at least 10..30 seconds"
GEN3_RATIOS = {"16:9": "landscape", "9:16": "portrait"}
# Characters kept as they are in a taskId path segment; the rest (/ ? # % space) is escaped.
PATH_SAFE = ":@!$&'()*+,;=-._~"
ASSET_CACHE = 64  # uploads remembered per client, so a retried submit does not re-upload

STATUSES = {
    "pending": TaskStatus.QUEUED,
    "throttled": TaskStatus.QUEUED,
    "running": TaskStatus.RUNNING,
    "succeeded": TaskStatus.SUCCEEDED,
    "failed": TaskStatus.FAILED,
    "cancelled": TaskStatus.CANCELLED,
}


def _spec(
    name: str, modes: set[Mode], ratios: tuple[str, ...], prompt_max: int, required: bool
) -> ModelSpec:
    return ModelSpec(
        name=name,
        modes=frozenset(modes),
        ratios=ratios,
        durations=(5, 10),
        prompt_max=prompt_max,
        prompt_required=required,
        seed_min=SEED_MIN,
        seed_max=SEED_MAX,
    )


GEN4_TURBO = _spec("gen4_turbo", {Mode.IMAGE}, ASPECTS, 1000, True)
GEN3A = _spec("gen3a_turbo", {Mode.IMAGE, Mode.FIRST_LAST}, ("16:9", "9:16"), 1000, False)
GEN45 = _spec("gen4.5", {Mode.TEXT}, ("16:9",), 5000, True)  # text-to-video is 16:9 only
GEN3_V2V = dataclasses.replace(  # its seed's optional fields (lines 33-35, 47-50)
    _spec("gen3_turbo_v2v", {Mode.VIDEO}, ("16:9", "9:16"), 1000, True),
    options=frozenset({"structure_transformation", "resolution"}),
)

ENDPOINTS = {
    GEN4_TURBO.name: "/gen4turbo/create",
    GEN3A.name: "/gen3turbo/create",
    GEN45.name: "/gen4_5/create",
    GEN3_V2V.name: "/gen3turbo/video",
}


def _errors(status: int, text: str, body: Any) -> VendorError | None:
    """useapi's own codes: 412 is an empty Runway plan, 422 a moderated prompt."""
    if status == 412:
        return OutOfCredits(text or "not enough credits", status=status, vendor=VENDOR)
    if status == 422:
        return Moderated(text or "moderated", status=status, vendor=VENDOR)
    return None


def _failure(error: Any) -> tuple[str | None, str | None, bool]:
    """(message, code, moderated) from `error`, an object or, in practice, sometimes a string."""
    if isinstance(error, dict):
        text = next(
            (str(error[k]) for k in ("errorMessage", "message", "reason") if error.get(k)), None
        )
        code = str(error["reason"]) if error.get("reason") else None
        flagged = bool(error.get("moderation_category")) or error.get("tally_asimov") is True
        return text, code, flagged or looks_moderated(text, code)
    if error:
        return str(error), None, looks_moderated(error)
    return None, None, False


def parse_task(body: dict[str, Any]) -> TaskState:
    """Normalise a task object (poll answer, create answer or replyUrl post)."""
    raw = str(body.get("status") or "")
    status = lookup_status(VENDOR, raw, STATUSES)
    failure, code, moderated = _failure(body.get("error"))
    if status is TaskStatus.FAILED and not failure:
        failure = "task failed"
    urls = find_urls(body.get("artifacts")) if status is TaskStatus.SUCCEEDED else []
    progress = parse_progress(body.get("progressRatio"))
    return TaskState(
        status=status,
        progress=1.0 if status is TaskStatus.SUCCEEDED else progress,
        video_urls=urls,
        failure=failure if status is TaskStatus.FAILED else None,
        failure_code=code if status is TaskStatus.FAILED else None,
        raw_status=raw,
        moderated=status is TaskStatus.FAILED and moderated,
    )


def _upload_form(media: Media) -> Media:
    """useapi takes PNG/JPEG/GIF but not WebP: re-encode WebP (and other stills) as PNG."""
    if not media.is_image or media.mime in ("image/png", "image/jpeg", "image/gif"):
        return media
    from PIL import Image  # only needed for the rare non-PNG/JPEG image

    with Image.open(io.BytesIO(media.data)) as img:
        out = io.BytesIO()
        img.save(out, format="PNG")
    return Media(out.getvalue(), "image/png", media.filename)


class UseapiClient(VendorClient):
    id = "useapi"
    default_base_url = "https://api.useapi.net"
    key_env = "USEAPI_API_KEY"
    base_url_env = "USEAPI_BASE_URL"
    capabilities: ClassVar[Capabilities] = Capabilities(
        models=(GEN4_TURBO, GEN3A, GEN45, GEN3_V2V),
        defaults={
            Mode.TEXT: GEN45.name,
            Mode.IMAGE: GEN4_TURBO.name,
            Mode.FIRST_LAST: GEN3A.name,
            Mode.VIDEO: GEN3_V2V.name,
        },
    )

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(api_key=api_key, base_url=base_url, http=http, timeout=timeout)
        self._assets: OrderedDict[str, str] = OrderedDict()  # sha256 of bytes -> assetId

    async def account(self) -> Account:
        try:
            body = await self._call("GET", "/accounts")
        except NotFound:
            body = {}
        # The answer holds the Runway accounts' passwords and session tokens: only count them.
        return Account(runway_accounts=len(body) if isinstance(body, dict) else 0)

    async def limits(self) -> VendorLimits:
        try:
            return useapi_accounts_limits(await self._call("GET", "/accounts"))
        except NotFound:
            return VendorLimits()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """`call()` plus useapi's 429 advice: wait 10..30 s when no Retry-After is given."""
        headers = {**bearer(self.api_key), **kwargs.pop("headers", {})}
        try:
            return await call(
                self.http,
                self.id,
                method,
                f"{self.base_url}{PREFIX}{path}",
                headers=headers,
                mapper=_errors,
                **kwargs,
            )
        except RateLimited as exc:
            if exc.retry_after is None:
                exc.retry_after = random.uniform(*BUSY_WAIT)
            raise

    async def upload(self, media: Media, name: str) -> str:
        """Upload raw bytes as an asset and return its assetId. Uploads cost nothing, so a
        lost answer is an ordinary Transient, not an UnknownOutcome; the same bytes uploaded
        recently (a submit retried after a 429) reuse the earlier asset."""
        digest = hashlib.sha256(media.data).hexdigest()
        if digest in self._assets:
            self._assets.move_to_end(digest)
            return self._assets[digest]
        media = _upload_form(media)
        ext = mimetypes.guess_extension(media.mime) or ""
        body = await self._call(
            "POST",
            "/assets/",
            params={"name": f"{name}{ext}"},
            content=media.data,
            headers={"Content-Type": media.mime},
        )
        asset_id = body.get("assetId") if isinstance(body, dict) else None
        if not asset_id:
            raise Transient("upload answered without an assetId", vendor=self.id)
        self._assets[digest] = str(asset_id)
        while len(self._assets) > ASSET_CACHE:
            self._assets.popitem(last=False)
        return str(asset_id)

    async def build_body(
        self, req: VideoRequest, *, idempotency_key: str, callback_url: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        """(endpoint, body); uploads the request's media on the way."""
        spec = self.spec_for(req)
        tag = re.sub(r"[^A-Za-z0-9_-]", "", idempotency_key)[:40] or "videobot"
        body: dict[str, Any] = {"text_prompt": req.prompt, "seconds": req.duration}
        if spec is GEN3_V2V:
            if req.video is None:
                raise ValueError("video-to-video needs a source video")
            body["assetId"] = await self.upload(req.video, f"{tag}-source")
            body["aspect_ratio"] = GEN3_RATIOS[req.ratio]
        elif spec is GEN3A:
            if req.first_frame is not None:
                body["firstImage_assetId"] = await self.upload(req.first_frame, f"{tag}-first")
            if req.mode is Mode.FIRST_LAST and req.last_frame is not None:
                body["lastImage_assetId"] = await self.upload(req.last_frame, f"{tag}-last")
            body["aspect_ratio"] = GEN3_RATIOS[req.ratio]
            if not req.prompt:
                del body["text_prompt"]
        else:  # gen4_turbo (image) and gen4.5 (text)
            if spec is GEN4_TURBO:
                if req.first_frame is None:
                    raise ValueError("gen4_turbo needs a first frame")
                body["firstImage_assetId"] = await self.upload(req.first_frame, f"{tag}-first")
            body["aspect_ratio"] = req.ratio
        seed = clamp_seed(req.seed, spec)
        if seed is not None:
            body["seed"] = seed
        if callback_url:
            body["replyUrl"] = callback_url
        body["replyRef"] = idempotency_key[:1024]
        return ENDPOINTS[spec.name], body

    async def submit(
        self, req: VideoRequest, *, idempotency_key: str, callback_url: str | None = None
    ) -> str:
        path, body = await self.build_body(
            req, idempotency_key=idempotency_key, callback_url=callback_url
        )
        try:
            answer = await self._call("POST", path, json_body=body, create=True)
        except NotFound:
            # An asset we remembered is gone: forget them all so the next try re-uploads.
            self._assets.clear()
            raise
        task = answer.get("task", answer) if isinstance(answer, dict) else None
        task_id = task.get("taskId") if isinstance(task, dict) else None
        if not task_id:
            raise UnknownOutcome("accepted without a taskId", vendor=self.id)
        return str(task_id)

    async def poll(self, task_id: str) -> TaskState:
        body = await self._call("GET", f"/tasks/{quote(task_id, safe=PATH_SAFE)}")
        if not isinstance(body, dict):
            raise Transient("task body is not an object", vendor=self.id)
        return parse_task(body)

    def parse_callback(self, body: dict[str, Any]) -> tuple[str, TaskState] | None:
        task = body.get("task", body)
        if not isinstance(task, dict) or not task.get("taskId") or not task.get("status"):
            return None
        return str(task["taskId"]), parse_task(task)
