"""useapi.net emulator (vendor-contracts §7, §10): asset uploads, one create endpoint per model,
namespaced task ids with `:` and `@`, `{error, code}` errors, maxJobs 429s and replyUrl posts.

Knobs: `moderate_at_create` (True: a "[moderate]" prompt is refused with 422 at create, as
useapi's scripts see it; False: the task fails later with a moderation error object);
`max_jobs` (the account's parallel task cap); `queued_status` (PENDING or THROTTLED).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from aiohttp import web

from tests.emulators.base import EmuTask, VendorEmulator, sample_mp4
from tests.emulators.reseller import Handler, Pusher, guarded, iso, read_json, utf16_len

PREFIX = "/v1/runwayml"
UID = "user_1234"
EMAIL = "emu.runway@example.com"
ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9")
GEN3_RATIOS = ("landscape", "portrait")
UPLOAD_TYPES = (
    "image/png", "image/jpeg", "image/gif", "video/mp4", "video/quicktime", "video/webm",
    "audio/wav", "audio/mpeg",
)  # fmt: skip
COMMON = {"seed": None, "exploreMode": None, "replyUrl": None, "replyRef": None, "maxJobs": None}
CAMERA = ("horizontal", "vertical", "roll", "zoom", "pan", "tilt")
SIZES = {
    "16:9": (1280, 720), "9:16": (720, 1280), "1:1": (960, 960), "4:3": (1104, 832),
    "3:4": (832, 1104), "21:9": (1584, 672), "landscape": (1280, 768), "portrait": (768, 1280),
}  # fmt: skip
STATUS = {"running": "RUNNING", "succeeded": "SUCCEEDED", "failed": "FAILED"}
MODERATED = {
    "errorMessage": "This content may violate our terms of service.",
    "reason": "SAFETY.INPUT.TEXT",
    "message": "Moderated by Runway",
    "moderation_category": "VIOLENCE",
    "tally_asimov": True,
}
BROKEN = {
    "errorMessage": "Generation failed",
    "reason": "INTERNAL",
    "message": "Something went wrong",
    "moderation_category": None,
    "tally_asimov": False,
}


# A create endpoint's own check: raises Invalid, or returns (taskType, its allowed keys).
Check = Callable[[dict[str, Any]], tuple[str, set[str]]]


class Invalid(Exception):
    """A request the emulator refuses: (status, message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _int_in(body: dict[str, Any], key: str, low: int, high: int) -> None:
    value = body.get(key)
    if key in body and (
        not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high
    ):
        raise Invalid(400, f"Parameter {key} ({value}) valid range {low}…{high}")


def _one_of(body: dict[str, Any], key: str, allowed: tuple[Any, ...]) -> None:
    if key in body and body[key] not in allowed:
        raise Invalid(400, f"Parameter {key} ({body[key]}) supported values: {allowed}")


def _prompt(body: dict[str, Any], limit: int, required: bool) -> None:
    prompt = body.get("text_prompt")
    if prompt is None and required:
        raise Invalid(400, "Parameter text_prompt is required")
    if prompt is not None and (not isinstance(prompt, str) or not 0 < utf16_len(prompt) <= limit):
        raise Invalid(400, f"Parameter text_prompt must be a string of 1…{limit} characters")


class UseapiEmulator(VendorEmulator):
    name = "useapi"

    def __init__(
        self,
        api_key: str = "user:1234-useapi-test-token",
        *,
        moderate_at_create: bool = True,
        max_jobs: int = 5,
        queued_status: str = "PENDING",
        **kwargs: Any,
    ) -> None:
        super().__init__(api_key, **kwargs)
        self.moderate_at_create = moderate_at_create
        self.max_jobs = max_jobs
        self.queued_status = queued_status
        self.assets: dict[str, dict[str, Any]] = {}
        self.meta: dict[str, dict[str, Any]] = {}  # task id -> taskType, created wall time
        self.raw_paths: list[str] = []  # undecoded request paths, to check taskId handling
        self.pusher = Pusher(self)

    def routes(self) -> list[web.RouteDef]:
        create = {
            "/gen4turbo/create": self._gen4turbo,
            "/gen3turbo/create": self._gen3turbo,
            "/gen4_5/create": self._gen4_5,
            "/gen3turbo/video": self._gen3turbo_video,
        }
        routes = [
            web.post(f"{PREFIX}/assets/", self.upload),
            web.post(f"{PREFIX}/assets", self.upload),
            web.get(f"{PREFIX}/tasks/{{task_id}}", self.task),
            web.get(f"{PREFIX}/accounts", self.accounts),
        ]
        for path, check in create.items():
            routes.append(web.post(f"{PREFIX}{path}", self._creator(check)))
        return routes

    async def stop(self) -> None:
        await self.pusher.close()
        await super().stop()

    @staticmethod
    def error(status: int, message: str, **extra: Any) -> web.Response:
        return web.json_response({"error": message, **extra, "code": status}, status=status)

    def _unauthorised(self, request: web.Request) -> web.Response | None:
        self.raw_paths.append(request.raw_path)
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return self.error(401, "Unauthorized")
        return None

    async def accounts(self, request: web.Request) -> web.StreamResponse:
        """GET /accounts: the Runway accounts configured behind the key (cheap, authenticated)."""
        denied = self._unauthorised(request)
        return denied or web.json_response({EMAIL: {"email": EMAIL, "maxJobs": self.max_jobs}})

    # assets

    async def upload(self, request: web.Request) -> web.StreamResponse:
        return await guarded(self, "upload", request, self._upload)

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        denied = self._unauthorised(request)
        if denied:
            return denied
        name = request.query.get("name")
        if not name:
            return self.error(400, "Parameter name is required")
        if request.content_type not in UPLOAD_TYPES:
            return self.error(400, f"Unsupported Content-Type {request.content_type}")
        data = await request.read()
        if not data:
            return self.error(400, "Empty body")
        bare = str(uuid.uuid4())
        asset_id = f"user:{UID}-runwayml:{EMAIL}-asset:{bare}"
        asset = {
            "assetId": asset_id,
            "id": bare,
            "name": name,
            "type": {"type": request.content_type.split("/")[0], "mime": request.content_type},
            "size": len(data),
            "url": f"{self.base_url}/files/{bare}",
            "previewUrls": [],
            "createdAt": iso(),
        }
        self.assets[asset_id] = {**asset, "data": data}
        return web.json_response(asset)

    def _asset(self, body: dict[str, Any], key: str, kind: str, required: bool = False) -> None:
        asset_id = body.get(key)
        if asset_id is None:
            if required:
                raise Invalid(400, f"Parameter {key} is required")
            return
        asset = self.assets.get(str(asset_id))
        if asset is None:
            bare = str(asset_id).rpartition("asset:")[2]
            raise Invalid(404, f"Unable to retrieve assetId {bare} (Not found.)")
        if asset["type"]["type"] != kind:
            raise Invalid(400, f"Parameter {key} must reference an {kind} asset")

    # create endpoints: each checks its own body and returns (taskType, allowed keys)

    def _gen4turbo(self, body: dict[str, Any]) -> tuple[str, set[str]]:
        self._asset(body, "firstImage_assetId", "image", required=True)
        _prompt(body, 1000, required=True)
        _one_of(body, "aspect_ratio", ASPECTS)
        _one_of(body, "seconds", (5, 10))
        return "gen4_turbo", {"firstImage_assetId", "text_prompt", "aspect_ratio", "seconds"}

    def _gen3turbo(self, body: dict[str, Any]) -> tuple[str, set[str]]:
        frames = ("firstImage_assetId", "middleImage_assetId", "lastImage_assetId")
        if not any(body.get(k) for k in frames):
            raise Invalid(400, "At least one of firstImage_assetId, lastImage_assetId required")
        for key in frames:
            self._asset(body, key, "image")
        _prompt(body, 1000, required=False)
        _one_of(body, "aspect_ratio", GEN3_RATIOS)
        _one_of(body, "seconds", (5, 10))
        for key in CAMERA:
            _int_in(body, key, -10, 10)
        if "static" in body and not isinstance(body["static"], bool):
            raise Invalid(400, "Parameter static must be a boolean")
        return "gen3a_turbo", {*frames, "text_prompt", "aspect_ratio", "seconds", "static", *CAMERA}

    def _gen4_5(self, body: dict[str, Any]) -> tuple[str, set[str]]:
        self._asset(body, "firstImage_assetId", "image")
        _prompt(body, 5000, required=True)
        _one_of(body, "aspect_ratio", ASPECTS if body.get("firstImage_assetId") else ("16:9",))
        _one_of(body, "seconds", (5, 8, 10))
        return "gen4.5", {"firstImage_assetId", "text_prompt", "aspect_ratio", "seconds"}

    def _gen3turbo_video(self, body: dict[str, Any]) -> tuple[str, set[str]]:
        self._asset(body, "assetId", "video", required=True)
        _prompt(body, 1000, required=True)
        _one_of(body, "aspect_ratio", GEN3_RATIOS)
        _one_of(body, "seconds", (5, 10))
        _one_of(body, "resolution", ("720p",))
        value = body.get("structure_transformation", 3)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
            raise Invalid(400, "Parameter structure_transformation valid range 0…10")
        keys = {"assetId", "text_prompt", "aspect_ratio", "seconds", "resolution"}
        return "gen3a_turbo", keys | {"structure_transformation"}

    def _creator(self, check: Check) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            async def create(request: web.Request) -> web.StreamResponse:
                return await self._create(request, check)

            return await guarded(self, "create", request, create)

        return handler

    async def _create(self, request: web.Request, check: Check) -> web.StreamResponse:
        denied = self._unauthorised(request)
        if denied:
            return denied
        try:
            body = await read_json(request)
            if not isinstance(body, dict):
                raise Invalid(400, "Request body must be a JSON object")
            _int_in(body, "seed", 1, 4294967294)
            _int_in(body, "maxJobs", 1, 10)
            for key in ("replyUrl", "replyRef"):
                if key in body and (not isinstance(body[key], str) or len(body[key]) > 1024):
                    raise Invalid(400, f"Parameter {key} must be a string of at most 1024 chars")
            task_type, keys = check(body)
            extra = sorted(set(body) - keys - set(COMMON))
            if extra:
                raise Invalid(400, f"Unsupported parameter(s): {', '.join(extra)}")
        except ValueError:
            return self.error(400, "Invalid JSON body")
        except Invalid as exc:
            return self.error(exc.status, exc.message)
        prompt = str(body.get("text_prompt") or "")
        if self.moderate_at_create and "[moderate]" in prompt:
            return self.error(422, "MODERATED: the text prompt was flagged by Runway moderation")
        busy = self.running()
        if len(busy) >= int(body.get("maxJobs") or self.max_jobs):
            running = [
                {
                    "email": EMAIL,
                    "taskId": t.id,
                    "id": t.id.rpartition("task:")[2],
                    "replyUrl": t.body.get("replyUrl"),
                    "replyRef": t.body.get("replyRef"),
                }
                for t in busy
            ]
            return self.error(
                429,
                f"Account {EMAIL} is busy executing {len(busy)} tasks",
                runningTasks={EMAIL: running},
            )
        task_id = f"user:{UID}-runwayml:{EMAIL}-task:{uuid.uuid4()}"
        task = self.new_task(body, prompt, task_id=task_id)
        self.meta[task.id] = {"taskType": task_type, "created": time.time()}
        if body.get("replyUrl"):
            self.pusher.watch(task, body["replyUrl"], self._state, self._reply)
        return web.json_response(self.render(task))

    def running(self) -> list[EmuTask]:
        now = self.clock()
        return [t for t in self.tasks.values() if t.phase(now)[0] in ("queued", "running")]

    # polling

    async def task(self, request: web.Request) -> web.StreamResponse:
        return await guarded(self, "poll", request, self._task)

    async def _task(self, request: web.Request) -> web.StreamResponse:
        denied = self._unauthorised(request)
        if denied:
            return denied
        task_id = request.match_info["task_id"]
        task = self.tasks.get(task_id)
        if task is None:
            bare = task_id.rpartition("task:")[2]
            return self.error(404, f"Unable to retrieve taskId {bare} (Not found.)")
        task.polls += 1
        return web.json_response(self.render(task))

    def render(self, task: EmuTask) -> dict[str, Any]:
        phase, progress = task.phase(self.clock())
        body = task.body
        meta = self.meta.get(task.id, {"taskType": "gen4_turbo", "created": time.time()})
        created = iso(meta["created"])
        ratio = str(body.get("aspect_ratio", "16:9"))
        width, height = SIZES.get(ratio, (1280, 720))
        seconds = int(body.get("seconds", 10 if "assetId" in body else 5))
        status = STATUS.get(phase, self.queued_status)
        ratio_text = {"running": f"{progress:.2f}", "succeeded": "1"}.get(phase)
        artifacts = []
        if phase == "succeeded":
            asset = uuid.uuid5(uuid.NAMESPACE_URL, task.id)
            artifacts = [
                {
                    "assetId": f"user:{UID}-runwayml:{EMAIL}-asset:{asset}",
                    "url": self.video_url(task),
                    "previewUrls": [],
                    "fileSize": str(len(sample_mp4())),
                    "metadata": {
                        "frameRate": 24,
                        "duration": seconds,
                        "dimensions": [width, height],
                    },
                }
            ]
        error = None
        if phase == "failed":
            error = MODERATED if task.outcome == "moderate" else BROKEN
        return {
            "taskId": task.id,
            "id": task.id.rpartition("task:")[2],
            "name": f"{meta['taskType']} {task.id[-8:]}",
            "image": None,
            "createdAt": created,
            "updatedAt": iso(),
            "taskType": meta["taskType"],
            "options": {
                "name": meta["taskType"],
                "text_prompt": body.get("text_prompt"),
                "seconds": seconds,
                "seed": body.get("seed", 123456789),
                "width": width,
                "height": height,
                "exploreMode": bool(body.get("exploreMode", False)),
                "watermark": False,
            },
            "status": status,
            "error": error,
            "progressText": None,
            "progressRatio": ratio_text,
            "estimatedTimeToStartSeconds": 0,
            "artifacts": artifacts,
            "sharedAsset": None,
            "features": {
                "storageGB": 500,
                "numPlanCredits_permitted": 2250,
                "numPlanCredits_used": 1315,
            },
            "replyUrl": body.get("replyUrl"),
            "replyRef": body.get("replyRef"),
            "code": 200,
        }

    # replyUrl

    def _state(self, task: EmuTask) -> tuple[Hashable, bool]:
        phase, progress = task.phase(self.clock())
        bucket = int(progress * 4) if phase == "running" else 0
        return (phase, bucket), phase in ("succeeded", "failed", "cancelled")

    def _reply(self, task: EmuTask, key: Hashable) -> tuple[bytes, dict[str, str]]:
        return json.dumps(self.render(task)).encode(), {}
