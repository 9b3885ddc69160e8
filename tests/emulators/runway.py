"""Emulator of the Runway task API and its mirrors gpt.ge and openai-hk (vendor-contracts §2-4).

One class, three flavours, because the resellers forward Runway's schema nearly unchanged:

    runway     /v1/...          X-Runway-Version required, strict bodies, DELETE cancels
    gptge      /runwayml/v1/... X-Runway-Version required, image_to_video only, prompt <= 512
    openai-hk  /runwayml/v1/... no version header, image/video/character, `notify_hook` callback

Validation answers with Runway's zod body (`Validation of body failed` + `issues`). The runway
flavour validates bodies with the official SDK's own request types (runway_sdk_types) when
`runwayml` is installed, then checks media URIs (data URIs up to 5 MB; larger media come as
`runway://` uploads, runway_uploads), prompt length and seed range. The resellers keep the
hand-written checks below (ratio per model, `position: last` only where documented, media URIs)
and are lenient about extra keys such as `watermark`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime as dt
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from tests.emulators import runway_sdk_types as sdk_types
from tests.emulators.base import EmuTask, VendorEmulator
from tests.emulators.runway_uploads import UploadsMixin, media_fields

DOC_URL = "https://docs.dev.runwayml.com/api"
VERSION = "2024-11-06"

NO_KEY_BODY = {
    "error": "No API key was provided. Please provide a valid API key in the Authorization header.",
    "docUrl": DOC_URL,
}
# Useful fault bodies (fail_next("create", Fault(400, CREDITS_BODY)) etc.).
CREDITS_BODY = {"error": "You do not have enough credits to run this task.", "docUrl": DOC_URL}
DAILY_LIMIT_BODY = {"error": "Your daily task limit has been reached.", "docUrl": DOC_URL}
NOT_FOUND_BODY = {"error": "Could not find Task"}


def tier_body(model: str) -> dict[str, str]:
    """A model outside the organisation's tier, as Runway answers it: 403 and
    `{"error": "Model variant <model> is not available"}`.

    Runway documents no body for this case (its HTTP errors page only promises an `error`
    member with a sentence); the 403 and the sentence are what a project recorded from the
    live API for models outside its tier (github.com/mhusse29/Marketing-Engine,
    RUNWAY_TEST_RESULTS.md and RUNWAY_MODEL_FIX.md: `403 - "Model variant gen3a_turbo is not
    available"`), and another project's notes quote the same sentence for gen4_turbo."""
    return {"error": f"Model variant {model} is not available"}


OPENAI_AUTH_BODY = {
    "error": {
        "message": "无效的令牌 (invalid token)",
        "type": "new_api_error",
        "code": "invalid_api_key",
    }
}
OPENAI_CREDITS_BODY = {
    "error": {
        "message": "用户额度不足 (insufficient user quota)",
        "type": "new_api_error",
        "code": "insufficient_user_quota",
    }
}

GEN3_RATIOS = ("1280:768", "768:1280")
GEN4_RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
ALEPH_RATIOS = (*GEN4_RATIOS, "848:480", "640:480")
VEO_RATIOS = ("1280:720", "720:1280", "1080:1920", "1920:1080")
SEED_MAX = 4294967295
IMAGE_URI_MAX = 5 * 1024 * 1024
VIDEO_URI_MAX = 16 * 1024 * 1024  # the resellers' limit; Runway's SDK says 5 MB for all media
RUNWAY_URI_MAX = 5 * 1024 * 1024
_DATA_URI = re.compile(r"^data:(?P<type>[a-zA-Z0-9.+-]+/[a-zA-Z0-9.+-]+)(;[^;,]+)*;base64,")
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")

_COMMON_KEYS = {"model", "seed", "contentModeration", "ratio"}
_KEYS = {
    "image_to_video": _COMMON_KEYS | {"promptImage", "promptText", "duration"},
    "text_to_video": _COMMON_KEYS | {"promptText", "duration"},
    "video_to_video": _COMMON_KEYS | {"videoUri", "promptText", "references"},
    "character_performance": _COMMON_KEYS
    | {"character", "reference", "bodyControl", "expressionIntensity"},
    "video_upscale": {
        "model", "videoUri", "creativity", "flavor", "fpsBoost", "resolution", "sharpen",
        "smartGrain",
    },
}  # fmt: skip
# A range the SDK's docstrings do not carry: Runway's changelog (2025-10) says "gen4_turbo must
# specify a duration of 2-10 seconds". Other ranges come from the docstrings themselves.
_CHANGELOG_SECONDS = {"gen4_turbo": tuple(range(2, 11))}
# Nominal credits per second, for `estimatedCost` (§2.9).
_CREDITS_PER_SECOND = {
    "gen4.5": 12,
    "aleph2": 15,
    "gen4_aleph": 15,
    "magnific_video_upscaler_creative": 15,
}


@dataclass(frozen=True)
class _Model:
    ratios: tuple[str, ...]
    durations: tuple[int, ...] = (5, 10)
    last_frame: bool = False
    watermark: bool = False
    prompt_required: bool = False
    ratio_required: bool = False
    duration_required: bool = False


def _models(flavour: str) -> dict[str, dict[str, _Model]]:
    """Endpoint -> model name -> its schema, as each flavour documents it."""
    if flavour == "runway":
        # Without `runwayml` installed this table stands in for the SDK's types (sdk_types).
        seconds = tuple(range(2, 11))
        gen4 = _Model(GEN4_RATIOS, durations=seconds, ratio_required=True)
        gen45 = _Model(
            GEN4_RATIOS,
            durations=seconds,
            prompt_required=True,
            ratio_required=True,
            duration_required=True,
        )
        veo = _Model(VEO_RATIOS, durations=(4, 6, 8), last_frame=True, ratio_required=True)
        return {
            "image_to_video": {
                "gen4.5": gen45,
                "gen4_turbo": gen4,
                "veo3.1": veo,
                "veo3.1_fast": veo,
            },
            "text_to_video": {
                "gen4.5": _Model(
                    ("1280:720", "720:1280"),
                    durations=seconds,
                    prompt_required=True,
                    ratio_required=True,
                    duration_required=True,
                ),
                "veo3.1": veo,
                "veo3.1_fast": veo,
            },
            "video_to_video": {"aleph2": _Model(ALEPH_RATIOS)},
            "character_performance": {"act_two": _Model(GEN4_RATIOS)},
            "video_upscale": {"magnific_video_upscaler_creative": _Model(())},
        }
    gen3a = _Model(GEN3_RATIOS, last_frame=True, watermark=True)
    if flavour == "gptge":  # its document: these two names, `1280:768`/`768:1280` for both
        gen4a = _Model(GEN3_RATIOS, watermark=True)
        return {"image_to_video": {"gen3a_turbo": gen3a, "gen4a_turbo": gen4a}}
    if flavour == "openai-hk":
        return {
            "image_to_video": {"gen3a_turbo": gen3a, "gen4_turbo": _Model(GEN4_RATIOS)},
            "video_to_video": {"gen4_aleph": _Model(ALEPH_RATIOS, prompt_required=True)},
            "character_performance": {"act_two": _Model(GEN4_RATIOS)},
        }
    raise ValueError(f"unknown flavour {flavour!r}")


def _options(values: Iterable[object]) -> str:
    return "|".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values)


def _kind(value: object) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"


class _Checker:
    """Collects zod-style issues: {code, message, path}."""

    def __init__(self, body: dict[str, Any], *, video_max: int = VIDEO_URI_MAX) -> None:
        self.body = body
        self.video_max = video_max
        self.issues: list[dict[str, Any]] = []

    def add(self, code: str, message: str, *path: str | int) -> None:
        self.issues.append({"code": code, "message": message, "path": list(path)})

    def type_error(self, expected: str, value: object, *path: str | int) -> None:
        self.add(
            "invalid_type", f"Invalid input: expected {expected}, received {_kind(value)}", *path
        )

    def string(self, key: str, *, required: bool, max_len: int | None = None) -> str | None:
        value = self.body.get(key)
        if value is None:
            if required:
                self.type_error("string", value, key)
            return None
        if not isinstance(value, str):
            self.type_error("string", value, key)
            return None
        units = len(value.encode("utf-16-le")) // 2  # Runway counts UTF-16 code units
        if units < 1:
            self.add("too_small", "Too small: expected string to have >=1 characters", key)
        if max_len is not None and units > max_len:
            msg = f"Too big: expected string to have <={max_len} characters"
            self.add("too_big", msg, key)
        return value

    def choice(self, key: str, options: Iterable[object], *, required: bool) -> None:
        options = tuple(options)
        value = self.body.get(key)
        if value is None:
            if required:
                self.type_error("string" if isinstance(options[0], str) else "number", value, key)
            return
        if isinstance(value, bool) or value not in options:
            msg = f"Invalid option: expected one of {_options(options)}"
            self.add("invalid_value", msg, key)

    def integer(self, key: str, low: int, high: int) -> None:
        value = self.body.get(key)
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            self.type_error("int", value, key)
        elif value < low:
            self.add("too_small", f"Too small: expected number to be >={low}", key)
        elif value > high:
            self.add("too_big", f"Too big: expected number to be <={high}", key)

    def boolean(self, key: str) -> None:
        value = self.body.get(key)
        if value is not None and not isinstance(value, bool):
            self.type_error("boolean", value, key)

    def uri(self, value: object, kind: str, *path: str | int) -> None:
        """An HTTPS URL, a runway:// upload or a data URI carrying a media type (§2.8)."""
        if not isinstance(value, str):
            self.type_error("string", value, *path)
            return
        if value.startswith("runway://"):
            return
        if value.startswith("https://"):
            if len(value) > 2048:
                self.add("too_big", "Too big: expected string to have <=2048 characters", *path)
            return
        if not value.startswith("data:"):
            msg = "Invalid URL: expected an HTTPS URL, a runway:// URI or a data URI"
            self.add("custom", msg, *path)
            return
        match = _DATA_URI.match(value)
        if match is None:
            msg = "Invalid data URI: a media type is required, e.g. data:image/png;base64,..."
            self.add("custom", msg, *path)
            return
        media_type = match["type"].lower()
        if kind == "image" and media_type not in _IMAGE_TYPES:
            self.add("custom", f"Unsupported image type {media_type}: use JPEG, PNG or WebP", *path)
            return
        if kind == "video" and not media_type.startswith("video/"):
            self.add("custom", f"Expected a video, got {media_type}", *path)
            return
        if kind == "any" and not media_type.startswith(("image/", "video/")):
            self.add("custom", f"Unsupported media type {media_type}", *path)
            return
        limit = IMAGE_URI_MAX if media_type.startswith("image/") else self.video_max
        if len(value) > limit:
            self.add("too_big", f"Data URI too large: must be at most {limit} bytes", *path)
            return
        try:
            base64.b64decode(value[match.end() :], validate=True)
        except (binascii.Error, ValueError):
            self.add("custom", "Invalid data URI: the payload is not valid base64", *path)


class RunwayEmulator(UploadsMixin, VendorEmulator):
    """Runway-family emulator; `flavour` picks runway, gptge or openai-hk.

    Knobs beyond the base: `throttled` renders the queue phase as THROTTLED instead of PENDING;
    `cancel_keeps_task` makes a cancelled task answer CANCELLED instead of 404; `disabled_models`
    refuses model names (e.g. a reseller that only knows `gen4a_turbo`); `openai_errors` answers
    auth failures with an OpenAI-style envelope, as gateways in front of resellers do;
    `fail_code` is the failureCode of a `[fail]` task; `tier_refused` names models the key's
    organisation may not use (403, Runway's `{error, docUrl}` body, the SDK's
    PermissionDeniedError); `tier_models` (set on the instance) is the per-model tier
    GET /v1/organization reports: a model's `maxDailyGenerations` there refuses creates
    beyond it with Runway's 429, and `daily_used` counts them (its usage, per model).
    """

    tier_models: dict[str, dict[str, int]] = {}  # noqa: RUF012 - replaced, never mutated

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        flavour: str = "runway",
        throttled: bool = False,
        cancel_keeps_task: bool = False,
        disabled_models: Iterable[str] = (),
        openai_errors: bool = False,
        fail_code: str = "INTERNAL",
        tier_refused: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(api_key, **kwargs)
        if flavour == "runway":
            sdk_types.warm()
        self.models = _models(flavour)  # validates the flavour
        self.flavour = flavour
        self.name = flavour
        self.prefix = "/v1" if flavour == "runway" else "/runwayml/v1"
        self.require_version = flavour in ("runway", "gptge")
        self.strict = flavour == "runway"
        self.prompt_max = 512 if flavour == "gptge" else 1000
        self.throttled = throttled
        self.cancel_keeps_task = cancel_keeps_task
        self.disabled_models = set(disabled_models)
        self.tier_refused = set(tier_refused)
        self.openai_errors = openai_errors
        self.fail_code = fail_code
        self._hooks: set[asyncio.Task[None]] = set()
        self._estimates: dict[str, int] = {}  # task id -> estimatedCost credits
        self.credit_balance = 1000  # GET /v1/organization's creditBalance; tests lower it
        self.daily_used: dict[str, int] = {}  # model -> generations created "today"
        self.uploads: dict[str, bytes] = {}  # runway:// URI -> the uploaded file
        self.upload_requests: list[dict[str, Any]] = []
        self._pending_uploads: dict[str, tuple[str, str]] = {}

    def routes(self) -> list[web.RouteDef]:
        routes = [
            web.post(f"{self.prefix}/{endpoint}", self._create_handler(endpoint))
            for endpoint in self.models
        ]
        routes.append(web.get(f"{self.prefix}/tasks/{{id}}", self._get))
        if self.flavour == "runway":
            routes.append(web.delete(f"{self.prefix}/tasks/{{id}}", self._delete))
            routes.append(web.get(f"{self.prefix}/organization", self._organization))
            routes.extend(self.upload_routes())
        return routes

    async def stop(self) -> None:
        for hook in list(self._hooks):
            hook.cancel()
        for hook in list(self._hooks):
            with contextlib.suppress(asyncio.CancelledError):
                await hook
        await super().stop()

    # checks shared by every route

    def _refuse(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization", "") != f"Bearer {self.api_key}":
            if self.openai_errors:
                return web.json_response(OPENAI_AUTH_BODY, status=401)
            return web.json_response(NO_KEY_BODY, status=401)
        if self.require_version and request.headers.get("X-Runway-Version") != VERSION:
            # The live body is undocumented (§11); the SDK always sends the header.
            body = {
                "error": f"Invalid or missing X-Runway-Version header; expected '{VERSION}'.",
                "docUrl": DOC_URL,
            }
            return web.json_response(body, status=400)
        return None

    async def _authorised_json(self, request: web.Request) -> tuple[Any, web.Response | None]:
        """(the JSON body, None) of an authorised request, or (None, the answer refusing it)."""
        refused = self._refuse(request)
        if refused is not None:
            return None, refused
        try:
            return await request.json(), None
        except ValueError:
            body = {"error": "Invalid JSON body", "docUrl": DOC_URL}
            return None, web.json_response(body, status=400)

    def _find(self, request: web.Request) -> EmuTask | None:
        task = self.tasks.get(request.match_info["id"])
        return None if task is None or task.deleted else task

    # routes

    def _create_handler(
        self, endpoint: str
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            return await self._create(request, endpoint)

        return handler

    async def _create(self, request: web.Request, endpoint: str) -> web.StreamResponse:
        fault = self.take_fault("create")
        if fault is not None and not fault.process:
            return await self.misbehave(request, fault)
        body, refused = await self._authorised_json(request)
        if refused is not None:
            return refused
        issues = self.validate(endpoint, body)
        if not issues and body.get("model") in self.tier_refused:
            return web.json_response(tier_body(str(body["model"])), status=403)
        model = str(body.get("model")) if not issues else ""
        most = self.tier_models.get(model, {}).get("maxDailyGenerations")
        if most is not None and self.daily_used.get(model, 0) >= most:
            return web.json_response(DAILY_LIMIT_BODY, status=429)
        if issues:
            return web.json_response(
                {"error": "Validation of body failed", "issues": issues, "docUrl": DOC_URL},
                status=400,
            )
        prompt = body.get("promptText") if isinstance(body.get("promptText"), str) else ""
        self.daily_used[model] = self.daily_used.get(model, 0) + 1
        task = self.new_task(body, prompt)
        hook = body.get("notify_hook")
        if self.flavour == "openai-hk" and isinstance(hook, str) and hook:
            job = asyncio.get_running_loop().create_task(self._notify(task, hook))
            self._hooks.add(job)
            job.add_done_callback(self._hooks.discard)
        if fault is not None:  # process=True: the task exists, the answer is lost or late
            return await self.misbehave(request, fault)
        answer: dict[str, Any] = {"id": task.id}
        if self.flavour == "runway":
            seconds = body.get("duration") if isinstance(body.get("duration"), int) else 5
            credits = _CREDITS_PER_SECOND.get(str(body.get("model")), 5) * seconds
            self._estimates[task.id] = credits
            answer["estimatedCost"] = {"credits": credits}
        return web.json_response(answer)

    async def _get(self, request: web.Request) -> web.StreamResponse:
        fault = self.take_fault("poll")
        if fault is not None:
            return await self.misbehave(request, fault)
        refused = self._refuse(request)
        if refused is not None:
            return refused
        task = self._find(request)
        if task is None:
            return web.json_response(NOT_FOUND_BODY, status=404)
        task.polls += 1
        return web.json_response(self.render(task))

    async def _organization(self, request: web.Request) -> web.StreamResponse:
        """GET /v1/organization: the cheap authenticated call (credit balance, tier)."""
        refused = self._refuse(request)
        if refused is not None:
            return refused
        fault = self.take_fault("organization")
        if fault is not None:
            return await self.misbehave(request, fault)
        tier: dict[str, Any] = {"maxMonthlyCreditSpend": 10000}
        if self.tier_models:  # per model: {"maxConcurrentGenerations": n, ...}
            tier["models"] = self.tier_models
        usage = {"models": {m: {"dailyGenerations": n} for m, n in self.daily_used.items()}}
        return web.json_response(
            {"creditBalance": self.credit_balance, "tier": tier, "usage": usage}
        )

    async def _delete(self, request: web.Request) -> web.StreamResponse:
        fault = self.take_fault("cancel")
        if fault is not None:
            return await self.misbehave(request, fault)
        refused = self._refuse(request)
        if refused is not None:
            return refused
        task = self._find(request)
        if task is None:
            return web.json_response(NOT_FOUND_BODY, status=404)
        phase, _ = task.phase(self.clock())
        if phase in ("queued", "running"):
            task.cancelled = True
        # Runway deletes the task either way; a later GET answers 404 (§2.5).
        task.deleted = not self.cancel_keeps_task
        return web.Response(status=204)

    # the dialect

    def render(self, task: EmuTask) -> dict[str, Any]:
        """The task JSON as GET tasks/{id} (and openai-hk's callback) sends it."""
        now = self.clock()
        phase, progress = task.phase(now)
        created = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=max(0.0, now - task.created))
        body: dict[str, Any] = {
            "id": task.id,
            "createdAt": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        if phase == "queued":
            body["status"] = "THROTTLED" if self.throttled else "PENDING"
        elif phase == "running":
            body["status"] = "RUNNING"
            body["progress"] = round(progress, 3)
        elif phase == "succeeded":
            body["status"] = "SUCCEEDED"
            body["output"] = [self.video_url(task)]
        elif phase == "failed":
            body["status"] = "FAILED"
            if task.outcome == "moderate":
                body["failure"] = "Text prompt did not pass moderation"
                # openai-hk's seed shows the older code; Runway today sends SAFETY.INPUT.*.
                body["failureCode"] = (
                    "INPUT_PREPROCESSING.SAFETY.TEXT"
                    if self.flavour == "openai-hk"
                    else "SAFETY.INPUT.TEXT"
                )
            else:
                body["failure"] = "An unexpected error occurred."
                body["failureCode"] = self.fail_code
        else:
            body["status"] = "CANCELLED"
        if self.flavour == "runway":  # the SDK's task types carry the cost (required there)
            credits = self._estimates.get(task.id, 0)
            if body["status"] in ("PENDING", "THROTTLED", "RUNNING"):
                body["estimatedCost"] = {"credits": credits}
            else:
                body["cost"] = {"credits": credits if body["status"] == "SUCCEEDED" else 0}
        return body

    def validate(self, endpoint: str, body: Any) -> list[dict[str, Any]]:
        """Runway's body validation for `endpoint`; an empty list means valid."""
        if self.flavour == "runway" and sdk_types.AVAILABLE:
            return self._validate_with_sdk(endpoint, body)
        if not isinstance(body, dict):
            return [
                {
                    "code": "invalid_type",
                    "message": f"Invalid input: expected object, received {_kind(body)}",
                    "path": [],
                }
            ]
        check = _Checker(body)
        models = {k: v for k, v in self.models[endpoint].items() if k not in self.disabled_models}
        name = body.get("model")
        model = models.get(name) if isinstance(name, str) else None
        if model is None:
            check.add(
                "invalid_value", f"Invalid option: expected one of {_options(models)}", "model"
            )
            return check.issues
        if self.strict:
            allowed = _KEYS[endpoint] | ({"watermark"} if model.watermark else set())
            for key in body:
                if key not in allowed:
                    check.add("unrecognized_keys", f'Unrecognized key: "{key}"')
        check.integer("seed", 0, SEED_MAX)
        check.choice("ratio", model.ratios, required=model.ratio_required)
        check.boolean("watermark")
        if endpoint in ("image_to_video", "text_to_video"):
            check.string("promptText", required=model.prompt_required, max_len=self.prompt_max)
            check.choice("duration", model.durations, required=model.duration_required)
        if endpoint == "image_to_video":
            self._check_prompt_image(check, body.get("promptImage"), model)
        elif endpoint == "video_to_video":
            check.string("promptText", required=True, max_len=self.prompt_max)
            check.uri(body.get("videoUri"), "video", "videoUri")
            refs = body.get("references")
            if refs is not None:
                if not isinstance(refs, list) or len(refs) > 1:
                    check.add("too_big", "Too big: expected array to have <=1 items", "references")
                else:
                    for i, ref in enumerate(refs):
                        if not isinstance(ref, dict) or ref.get("type") != "image":
                            check.add("invalid_value", "Invalid option: expected 'image'",
                                      "references", i, "type")  # fmt: skip
                        else:
                            check.uri(ref.get("uri"), "image", "references", i, "uri")
        elif endpoint == "character_performance":
            self._check_character(check, body)
        elif endpoint == "video_upscale" and not self._own_result(body.get("videoUri")):
            check.uri(body.get("videoUri"), "video", "videoUri")
        return check.issues

    def _own_result(self, value: object) -> bool:
        """A result URL this emulator served: over plain http here, where Runway's CDN
        answers https (the bot upscales its earlier results by their URL)."""
        return isinstance(value, str) and value.startswith(f"{self.base_url}/files/")

    def _validate_with_sdk(self, endpoint: str, body: Any) -> list[dict[str, Any]]:
        """Runway: the official SDK's request types, then what Runway checks beyond the types
        (media URIs and their 5 MB data-URI limit, prompt length, seed range)."""
        found = sdk_types.issues(endpoint, body, disabled=self.disabled_models)
        if found:
            return found
        check = _Checker(body, video_max=RUNWAY_URI_MAX)
        model = str(body.get("model"))
        seconds = _CHANGELOG_SECONDS.get(model) or sdk_types.documented_seconds(endpoint, model)
        if seconds and isinstance(body.get("duration"), int):
            check.choice("duration", seconds, required=False)
        check.integer("seed", 0, SEED_MAX)
        check.string("promptText", required=False, max_len=self.prompt_max)
        for path, value, kind in media_fields(body):
            uploaded = isinstance(value, str) and value.startswith("runway://")
            if uploaded and value not in self.uploads:
                check.add("custom", "Unknown runway:// upload", *path)
            elif not self._own_result(value):
                check.uri(value, kind, *path)
        return check.issues

    def _check_prompt_image(self, check: _Checker, value: Any, model: _Model) -> None:
        if isinstance(value, str) and self.flavour == "openai-hk":  # its document: object[]
            check.type_error("array", value, "promptImage")
            return
        if isinstance(value, str) or value is None:
            check.uri(value, "image", "promptImage")
            return
        if not isinstance(value, list) or not 1 <= len(value) <= 2:
            check.add("invalid_union", "Invalid input", "promptImage")
            return
        positions = ("first", "last") if model.last_frame else ("first",)
        seen: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                check.type_error("object", item, "promptImage", i)
                continue
            check.uri(item.get("uri"), "image", "promptImage", i, "uri")
            position = item.get("position")
            if position not in positions:
                msg = f"Invalid option: expected one of {_options(positions)}"
                check.add("invalid_value", msg, "promptImage", i, "position")
            elif position in seen:
                check.add("custom", f"Duplicate position {position!r}", "promptImage", i)
            else:
                seen.append(str(position))

    def _check_character(self, check: _Checker, body: dict[str, Any]) -> None:
        character = body.get("character")
        if not isinstance(character, dict):
            check.type_error("object", character, "character")
        elif character.get("type") not in ("image", "video"):
            msg = "Invalid option: expected one of 'image'|'video'"
            check.add("invalid_value", msg, "character", "type")
        else:
            check.uri(character.get("uri"), str(character["type"]), "character", "uri")
        reference = body.get("reference")
        if not isinstance(reference, dict):
            check.type_error("object", reference, "reference")
        elif reference.get("type") != "video":
            check.add("invalid_value", "Invalid option: expected 'video'", "reference", "type")
        else:
            check.uri(reference.get("uri"), "video", "reference", "uri")
        check.boolean("bodyControl")
        check.integer("expressionIntensity", 1, 5)

    async def _notify(self, task: EmuTask, url: str) -> None:
        """openai-hk: POST the task JSON to `notify_hook` once the task is terminal (§3 [?])."""
        while True:
            phase, _ = task.phase(self.clock())
            if phase in ("succeeded", "failed", "cancelled"):
                break
            await asyncio.sleep(0.02)
        body = self.render(task)
        self.callbacks.append((url, body))
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
                session.post(url, json=body) as response,
            ):
                await response.read()
        except (aiohttp.ClientError, TimeoutError):
            pass  # the vendor's callback is best effort; clients still poll
