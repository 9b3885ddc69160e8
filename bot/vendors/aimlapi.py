"""aimlapi (AI/ML API): Runway models behind the legacy per-vendor path (contracts §6).

Why the legacy path: it is the one the seed documents and both generations are said to work.
Its dialect: `ratio` (not `aspect_ratio`), an image is always required (no text-to-video),
the poll id goes in the query string, and `video` is either `[url]` (legacy) or `{url}`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from bot.errors import AuthError, OutOfCredits, Transient, UnknownOutcome, VendorError
from bot.models import Media, Mode, TaskState, TaskStatus, VideoRequest
from bot.vendors.base import ASPECTS, Capabilities, ModelSpec, VendorClient
from bot.vendors.http import call
from bot.vendors.reseller import bearer, clamp_seed, find_urls, looks_moderated, lookup_status
from bot.vendors.runway.models import GEN4_PIXELS, runway_capabilities

VENDOR = "aimlapi"
PATH = "/v2/generate/video/runway/generation"

STATUSES = {
    "queued": TaskStatus.QUEUED,
    "waiting": TaskStatus.QUEUED,
    "generating": TaskStatus.RUNNING,
    "dreaming": TaskStatus.RUNNING,
    "active": TaskStatus.RUNNING,
    "completed": TaskStatus.SUCCEEDED,
    "error": TaskStatus.FAILED,
    "failed": TaskStatus.FAILED,
}

GEN3A = ModelSpec(
    name="gen3a_turbo",
    wire="gen3a_turbo",  # the one model without the `runway/` prefix
    modes=frozenset({Mode.IMAGE, Mode.FIRST_LAST}),
    ratios=("16:9", "9:16"),
    durations=(5, 10),
)
GEN4_TURBO = ModelSpec(
    name="gen4_turbo",
    wire="runway/gen4_turbo",
    modes=frozenset({Mode.IMAGE}),
    ratios=ASPECTS,
    durations=(5, 10),
)
ALEPH = ModelSpec(
    name="gen4_aleph",
    wire="runway/gen4_aleph",
    modes=frozenset({Mode.VIDEO}),
    ratios=ASPECTS,
    durations=(5,),
    prompt_required=True,
)
ACT_TWO = ModelSpec(
    name="act_two",
    wire="runway/act_two",
    modes=frozenset({Mode.ACT}),
    ratios=ASPECTS,
    durations=(5,),  # the performance video sets the real length; nothing is sent
    options=frozenset({"expression_intensity"}),  # vendor-contracts §6.3
)


def _errors(status: int, text: str, body: Any) -> VendorError | None:
    """aimlapi says 403 for an empty balance, which the default mapping would call auth."""
    if status == 403:
        if "credit" in text.lower() or "balance" in text.lower():
            return OutOfCredits(text or "out of credits", status=status, vendor=VENDOR)
        return AuthError(text or "forbidden", status=status, vendor=VENDOR)
    return None


def _ref(kind: str, media: Media) -> dict[str, str]:
    return {"type": kind, "url": media.data_uri()}


def parse_generation(body: dict[str, Any]) -> TaskState:
    """Normalise a poll answer in either the legacy or the current shape."""
    raw = str(body.get("status") or "")
    status = lookup_status(VENDOR, raw, STATUSES)
    error = body.get("error")
    failure: str | None = None
    code: str | None = None
    if isinstance(error, dict):
        code = str(error.get("name") or "") or None
        failure = str(error.get("message") or error.get("name") or "") or None
    elif error:
        failure = str(error)
    if status is TaskStatus.FAILED and not failure:
        failure = "generation failed"
    return TaskState(
        status=status,
        progress=1.0 if status is TaskStatus.SUCCEEDED else None,
        video_urls=find_urls(body.get("video")) if status is TaskStatus.SUCCEEDED else [],
        failure=failure,
        failure_code=code,
        raw_status=raw,
        moderated=status is TaskStatus.FAILED and looks_moderated(code, failure),
    )


class AimlapiClient(VendorClient):
    id = "aimlapi"
    default_base_url = "https://api.aimlapi.com"
    key_env = "AIMLAPI_API_KEY"
    base_url_env = "AIMLAPI_BASE_URL"
    capabilities: ClassVar[Capabilities] = runway_capabilities(GEN4_TURBO, GEN3A, ALEPH, ACT_TWO)

    def build_body(self, req: VideoRequest) -> dict[str, Any]:
        spec = self.spec_for(req)
        body: dict[str, Any] = {"model": spec.wire_name}
        if req.mode is Mode.ACT:
            if req.character is None or req.video is None:
                raise ValueError("act_two needs a character and a performance video")
            kind = "image" if req.character.is_image else "video"
            body["character"] = _ref(kind, req.character)
            body["reference"] = _ref("video", req.video)
            body["body_control"] = req.body_control
            body["frame_size"] = GEN4_PIXELS[req.ratio]
            if req.options.expression is not None:  # --expression
                body["expression_intensity"] = req.options.expression
        elif req.mode is Mode.VIDEO:
            if req.video is None:
                raise ValueError("gen4_aleph needs a source video")
            body["prompt"] = req.prompt
            body["video_url"] = req.video.data_uri()
            if req.first_frame is not None:  # a style reference image
                body["references"] = [_ref("image", req.first_frame)]
            body["frame_size"] = GEN4_PIXELS[req.ratio]
            body["duration"] = req.duration
        else:
            if req.first_frame is None:
                raise ValueError(f"{spec.name} needs a first frame")
            if req.prompt:  # "a non-empty string" when present
                body["prompt"] = req.prompt
            body["image_url"] = req.first_frame.data_uri()
            if req.mode is Mode.FIRST_LAST and req.last_frame is not None:
                # This path's name in every revision; `tail_image_url` is the newer path's.
                body["last_image_url"] = req.last_frame.data_uri()
            body["ratio"] = req.ratio
            body["duration"] = req.duration  # an integer, whatever the legacy schema says
        seed = clamp_seed(req.seed, spec)
        if seed is not None:
            body["seed"] = seed
        return body

    async def submit(
        self, req: VideoRequest, *, idempotency_key: str, callback_url: str | None = None
    ) -> str:
        """No idempotency and no webhook on this path: the key and callback are not sent."""
        body = await call(
            self.http,
            self.id,
            "POST",
            f"{self.base_url}{PATH}",
            headers=bearer(self.api_key),
            json_body=self.build_body(req),
            create=True,
            mapper=_errors,
        )
        gen_id = body.get("id") if isinstance(body, dict) else None
        if not gen_id:
            raise UnknownOutcome("accepted without a generation id", vendor=self.id)
        return str(gen_id)

    async def poll(self, task_id: str) -> TaskState:
        body = await call(
            self.http,
            self.id,
            "GET",
            f"{self.base_url}{PATH}",
            headers=bearer(self.api_key),
            params={"generation_id": task_id},
            mapper=_errors,
        )
        if not isinstance(body, dict):
            raise Transient("generation body is not an object", vendor=self.id)
        return parse_generation(body)
