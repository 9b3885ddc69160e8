"""aimlapi emulator (vendor-contracts §6, §10): the legacy Runway path and the universal one,
polled with `?generation_id=`, with aimlapi's error envelope and both `video` shapes.

Knobs: `video_shape` ("legacy" -> `video: [url]`, "current" -> `video: {url}` plus `error` and
`meta`); `queued_status` ("queued" or "waiting", both seen in aimlapi's own code).
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from tests.emulators.base import EmuTask, VendorEmulator
from tests.emulators.reseller import guarded, iso, read_json, utf16_len

LEGACY_PATH = "/v2/generate/video/runway/generation"
CURRENT_PATH = "/v2/video/generations"
ASPECTS = ("16:9", "9:16", "4:3", "3:4", "1:1", "21:9")
RATIOS = {"gen3a_turbo": ("16:9", "9:16"), "runway/gen4_turbo": ASPECTS}
FRAME_SIZES = (
    "1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672", "848:480", "640:480",
)  # fmt: skip
SEED_MAX = 4294967295
I2V_KEYS = {
    "model", "prompt", "image_url", "tail_image_url", "last_image_url", "ratio", "aspect_ratio",
    "duration", "seed", "watermark",
}  # fmt: skip
ALEPH_KEYS = {"model", "prompt", "video_url", "references", "frame_size", "duration", "seed"}
ACT_KEYS = {
    "model", "character", "reference", "frame_size", "body_control", "expression_intensity",
    "seed",
}  # fmt: skip
# The legacy (seed) path names the last frame `last_image_url` and the ratio `ratio`; the newer
# names are unknown keys there. The universal path stays lenient about both dialects.
LEGACY_I2V_KEYS = I2V_KEYS - {"tail_image_url", "aspect_ratio"}
KEYS = {
    "gen3a_turbo": I2V_KEYS,
    "runway/gen4_turbo": I2V_KEYS,
    "runway/gen4_aleph": ALEPH_KEYS,
    "runway/act_two": ACT_KEYS,
}
STATUS = {"running": "generating", "succeeded": "completed", "failed": "error"}
MODERATED = {"name": "SAFETY.INPUT.TEXT", "message": "The input did not pass content moderation."}
BROKEN = {"name": "INTERNAL", "message": "Generation failed, please try again."}
AUTH = (
    "This request requires a valid API key. You can create a new API key on the Billing page: "
    "https://aimlapi.com/app/keys"
)


def _uri(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://", "data:"))


def _ref(value: Any, types: tuple[str, ...]) -> bool:
    """A `{type, url}` media reference, as aleph and act_two take them."""
    return isinstance(value, dict) and value.get("type") in types and _uri(value.get("url"))


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():  # the legacy schema typed duration as string
        return int(value)
    return None


def validate(body: Any, path: str = CURRENT_PATH) -> list[str]:
    """zod-like issue lines (`path: message`); empty when the body is acceptable."""
    if not isinstance(body, dict):
        return ["Expected object"]
    model = body.get("model")
    if model not in KEYS:
        expected = " | ".join(map(repr, KEYS))
        return [f"model: Invalid enum value. Expected {expected}, received {model!r}"]
    issues = []
    keys = KEYS[model]
    if path == LEGACY_PATH and keys is I2V_KEYS:
        keys = LEGACY_I2V_KEYS
    extra = sorted(set(body) - keys)
    if extra:
        issues.append(f"Unrecognized key(s) in object: {', '.join(map(repr, extra))}")
    prompt = body.get("prompt")
    needs_prompt = model == "runway/gen4_aleph"
    if prompt is None and needs_prompt:
        issues.append("prompt: Required")
    elif prompt is not None and (not isinstance(prompt, str) or not 1 <= utf16_len(prompt) <= 1000):
        issues.append("prompt: String must contain between 1 and 1000 character(s)")
    seed = _int(body.get("seed"))
    if "seed" in body and (seed is None or not 0 <= seed <= SEED_MAX):
        issues.append(f"seed: Expected integer between 0 and {SEED_MAX}")
    if model in RATIOS:
        if not _uri(body.get("image_url")):
            issues.append("image_url: Required")
        for key in ("tail_image_url", "last_image_url"):
            if key in body and not _uri(body[key]):
                issues.append(f"{key}: Invalid url")
        for key in ("ratio", "aspect_ratio"):
            if key in body and body[key] not in RATIOS[model]:
                issues.append(
                    f"{key}: Invalid enum value. Expected {' | '.join(map(repr, RATIOS[model]))}, "
                    f"received {body[key]!r}"
                )
        if "duration" in body and _int(body["duration"]) not in (5, 10):
            issues.append(
                f"duration: Invalid enum value. Expected 5 | 10, received {body['duration']!r}"
            )
    elif model == "runway/gen4_aleph":
        if not _uri(body.get("video_url")):
            issues.append("video_url: Required")
        if "duration" in body and _int(body["duration"]) != 5:
            issues.append("duration: Invalid literal value, expected 5")
        refs = body.get("references", [])
        if not isinstance(refs, list) or not all(_ref(r, ("image",)) for r in refs):
            issues.append("references: Expected [{type: 'image', url}]")
    else:
        if not _ref(body.get("character"), ("image", "video")):
            issues.append("character: Expected {type: 'image' | 'video', url}")
        if not _ref(body.get("reference"), ("video",)):
            issues.append("reference: Expected {type: 'video', url}")
        if "body_control" in body and not isinstance(body["body_control"], bool):
            issues.append("body_control: Expected boolean")
        level = _int(body.get("expression_intensity", 3))
        if level is None or not 1 <= level <= 5:
            issues.append("expression_intensity: Number must be between 1 and 5")
    if "frame_size" in body and body["frame_size"] not in FRAME_SIZES:
        issues.append(f"frame_size: Invalid enum value. Expected {' | '.join(FRAME_SIZES)}")
    return issues


class AimlapiEmulator(VendorEmulator):
    name = "aimlapi"

    def __init__(
        self,
        api_key: str = "aiml-test-key",
        *,
        video_shape: str = "legacy",
        queued_status: str = "queued",
        **kwargs: Any,
    ) -> None:
        super().__init__(api_key, **kwargs)
        self.video_shape = video_shape
        self.queued_status = queued_status

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post(LEGACY_PATH, self.create),
            web.get(LEGACY_PATH, self.fetch),
            web.post(CURRENT_PATH, self.create),
            web.get(CURRENT_PATH, self.fetch),
        ]

    def envelope(self, request: web.Request, status: int, message: str) -> web.Response:
        """aimlapi's error body; `statusCode` is a string in their published example."""
        body = {
            "message": message,
            "path": request.path,
            "requestId": str(uuid.uuid4()),
            "statusCode": str(status),
            "timestamp": iso(),
        }
        return web.json_response(body, status=status)

    def _unauthorised(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return self.envelope(request, 401, AUTH)
        return None

    async def create(self, request: web.Request) -> web.StreamResponse:
        return await guarded(self, "create", request, self._create)

    async def _create(self, request: web.Request) -> web.StreamResponse:
        denied = self._unauthorised(request)
        if denied:
            return denied
        try:
            body = await read_json(request)
        except ValueError:
            return self.envelope(request, 400, "Body validation error!\nInvalid JSON")
        issues = validate(body, request.path)
        if issues:
            return self.envelope(request, 400, "\n".join(["Body validation error!", *issues]))
        prompt = body.get("prompt") or ""
        task = self.new_task(body, prompt)
        return web.json_response({"id": task.id, "status": "queued"})

    async def fetch(self, request: web.Request) -> web.StreamResponse:
        return await guarded(self, "poll", request, self._fetch)

    async def _fetch(self, request: web.Request) -> web.StreamResponse:
        denied = self._unauthorised(request)
        if denied:
            return denied
        gen_id = request.query.get("generation_id")
        if not gen_id:
            return self.envelope(request, 400, "Validation error!\ngeneration_id: Required")
        task = self.tasks.get(gen_id)
        if task is None:
            return self.envelope(request, 404, "Generation not found")
        task.polls += 1
        return web.json_response(self.render(task))

    def render(self, task: EmuTask) -> dict[str, Any]:
        phase, _ = task.phase(self.clock())
        status = STATUS.get(phase, self.queued_status)
        url = self.video_url(task)
        error = (MODERATED if task.outcome == "moderate" else BROKEN) if phase == "failed" else None
        done = phase == "succeeded"
        if self.video_shape == "legacy":
            body: dict[str, Any] = {"id": task.id, "status": status}
            if done:
                body["video"] = [f"{url}?_jwt=emulated"]
            if error:
                body["error"] = error
            return body
        return {
            "id": task.id,
            "status": status,
            "video": {"url": url} if done else None,
            "error": error,
            "meta": {"usage": {"credits_used": 120000}} if done else None,
        }
