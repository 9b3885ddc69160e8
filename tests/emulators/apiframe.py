"""apiframe v2 emulator (vendor-contracts §5, §10): strict zod-like validation, 202 creates,
`Idempotency-Key` replay, jobs polled by UUID, credits, and signed webhooks.

Knobs: `result_shape` (string | videoUrl | url | urls) picks how `result` is written, since the
real shape is not fixed; `credits` (None = unlimited) makes 402s; `result_ttl` sets `expired`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from aiohttp import web

from tests.emulators.base import EmuTask, VendorEmulator
from tests.emulators.reseller import Pusher, guarded, iso, read_json, utf16_len

MODELS = {"runway-gen4-turbo": (8, 15), "runway-gen4.5": (12, 25)}  # credits for 5 s / 10 s
ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9")
EVENTS = ("progress", "completed", "failed")
TOP_KEYS = {"model", "prompt", "runwayParams", "webhookUrl", "webhookEvents"}
PARAM_KEYS = {"image", "duration", "aspect_ratio", "seed"}
STATUS = {
    "queued": "QUEUED",
    "running": "PROCESSING",
    "succeeded": "COMPLETED",
    "failed": "FAILED",
    "cancelled": "CANCELLED",
}
Render = Callable[[EmuTask, Hashable], tuple[bytes, dict[str, str]] | None]
MODERATED = "Provider returned an error: content policy violation"
BROKEN = "Provider returned an error: generation failed"


def sign(api_key: str, raw: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 over the raw body keyed by the raw SHA-256 of the key."""
    key = hashlib.sha256(api_key.encode()).digest()
    return "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest()


def _is_uri(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://", "data:"))


def validate(body: Any) -> dict[str, list[str]]:
    """zod-style issues keyed by JSON path; empty when the body is acceptable."""
    issues: dict[str, list[str]] = {}

    def bad(path: str, message: str) -> None:
        issues.setdefault(path, []).append(message)

    if not isinstance(body, dict):
        bad("", "Expected object, received " + type(body).__name__)
        return issues
    extra = sorted(set(body) - TOP_KEYS)
    if extra:
        bad("", f"Unrecognized key(s) in object: {', '.join(map(repr, extra))}")
    if body.get("model") not in MODELS:
        bad("model", f"Invalid enum value. Expected {' | '.join(map(repr, MODELS))}")
    prompt = body.get("prompt")
    if not isinstance(prompt, str):
        bad("prompt", "Required")
    elif not 1 <= utf16_len(prompt) <= 4000:
        bad("prompt", "String must contain between 1 and 4000 character(s)")
    params = body.get("runwayParams", {})
    if not isinstance(params, dict):
        bad("runwayParams", "Expected object")
        params = {}
    extra = sorted(set(params) - PARAM_KEYS)
    if extra:
        bad("runwayParams", f"Unrecognized key(s) in object: {', '.join(map(repr, extra))}")
    if "image" in params and not _is_uri(params["image"]):
        bad("runwayParams.image", "Invalid url")
    if "duration" in params and params["duration"] not in (5, 10):
        bad("runwayParams.duration", "Expected 5 | 10")
    if "aspect_ratio" in params and params["aspect_ratio"] not in ASPECTS:
        bad("runwayParams.aspect_ratio", f"Invalid enum value. Expected {' | '.join(ASPECTS)}")
    seed = params.get("seed")
    if "seed" in params and (not isinstance(seed, int) or isinstance(seed, bool)):
        bad("runwayParams.seed", "Expected integer")
    if "webhookUrl" in body and not _is_uri(body["webhookUrl"]):
        bad("webhookUrl", "Invalid url")
    events = body.get("webhookEvents")
    if "webhookEvents" in body and (
        not isinstance(events, list) or not events or any(e not in EVENTS for e in events)
    ):
        bad("webhookEvents", f"Expected a non-empty array of {' | '.join(EVENTS)}")
    return issues


class ApiframeEmulator(VendorEmulator):
    name = "apiframe"

    def __init__(
        self,
        api_key: str = "afk_test-key",
        *,
        result_shape: str = "string",
        credits: int | None = None,
        result_ttl: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(api_key, **kwargs)
        self.result_shape = result_shape
        self.credits = credits
        self.me_shape = "team"  # `GET /v2/me` as apiframe's `Me` schema; "flat" = top level
        self.result_ttl = result_ttl
        self.idempotency: dict[str, str] = {}  # Idempotency-Key -> job id
        self.created_at: dict[str, float] = {}  # job id -> wall time
        self.pusher = Pusher(self)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v2/videos/generate", self.create),
            web.get("/v2/jobs/{id}", self.job),
            web.get("/v2/me", self.me),
        ]

    async def stop(self) -> None:
        await self.pusher.close()
        await super().stop()

    # handlers

    def _unauthorised(self, request: web.Request) -> web.Response | None:
        if request.headers.get("X-API-Key") != self.api_key:
            return web.json_response({"error": "Invalid or missing API key"}, status=401)
        return None

    async def me(self, request: web.Request) -> web.StreamResponse:
        """GET /v2/me: the account behind the key (the cheap authenticated call)."""
        denied = self._unauthorised(request)
        if denied:
            return denied
        if self.me_shape == "flat":  # the shape some older answers had
            return web.json_response({"email": "emu@example.com", "credits": self.credits})
        team = {"id": "team-emu", "name": "emu", "credits": self.credits}
        return web.json_response({"id": "user-emu", "email": "emu@example.com", "team": team})

    async def create(self, request: web.Request) -> web.StreamResponse:
        return await guarded(self, "create", request, self._create)

    async def _create(self, request: web.Request) -> web.StreamResponse:
        denied = self._unauthorised(request)
        if denied:
            return denied
        key = request.headers.get("Idempotency-Key")
        if key is not None and not 1 <= len(key) <= 255:
            details = {"Idempotency-Key": ["String must contain at most 255 character(s)"]}
            return web.json_response({"error": "Invalid request", "details": details}, status=400)
        if key and key in self.idempotency:
            job_id = self.idempotency[key]
            status = self.render(self.tasks[job_id])["status"]
            return web.json_response({"jobId": job_id, "status": status}, status=202)
        try:
            body = await read_json(request)
        except ValueError:
            return web.json_response({"error": "Invalid JSON body"}, status=400)
        issues = validate(body)
        if issues:
            return web.json_response({"error": "Invalid request", "details": issues}, status=400)
        cost = self.cost(body)
        if self.credits is not None:
            if self.credits < cost:
                return web.json_response(
                    {
                        "error": "Insufficient credits",
                        "creditsRequired": cost,
                        "creditsAvailable": self.credits,
                    },
                    status=402,
                )
            self.credits -= cost
        task = self.new_task(body, body["prompt"])
        self.created_at[task.id] = time.time()
        if key:
            self.idempotency[key] = task.id
        if body.get("webhookUrl"):
            events = set(body.get("webhookEvents") or EVENTS)
            self.pusher.watch(task, body["webhookUrl"], self._state, self._webhook(events))
        return web.json_response({"jobId": task.id, "status": "QUEUED"}, status=202)

    async def job(self, request: web.Request) -> web.StreamResponse:
        return await guarded(self, "poll", request, self._job)

    async def _job(self, request: web.Request) -> web.StreamResponse:
        denied = self._unauthorised(request)
        if denied:
            return denied
        job_id = request.match_info["id"]
        try:
            uuid.UUID(job_id)
        except ValueError:
            details = {"id": ["Invalid uuid"]}
            return web.json_response({"error": "Invalid job id", "details": details}, status=400)
        task = self.tasks.get(job_id)
        if task is None:
            return web.json_response({"error": "Job not found"}, status=404)
        task.polls += 1
        return web.json_response(self.render(task))

    # rendering

    @staticmethod
    def cost(body: dict[str, Any]) -> int:
        five, ten = MODELS[body["model"]]
        return ten if body.get("runwayParams", {}).get("duration") == 10 else five

    def result(self, task: EmuTask) -> Any:
        url = self.video_url(task)
        shapes: dict[str, Any] = {
            "string": url,
            "videoUrl": {"videoUrl": url},
            "url": {"url": url},
            "urls": {"urls": [url]},
        }
        return shapes[self.result_shape]

    def render(self, task: EmuTask) -> dict[str, Any]:
        phase, progress = task.phase(self.clock())
        done = phase in ("succeeded", "failed")
        created = self.created_at.get(task.id, time.time())
        delivered = self.pusher.delivered.get(task.id)
        expired = False
        if phase == "succeeded" and self.result_ttl is not None and task.done_at is not None:
            expired = self.clock() - task.done_at > self.result_ttl
        percent = {"queued": 0, "running": int(progress * 100), "succeeded": 100}.get(phase)
        return {
            "id": task.id,
            "status": STATUS[phase],
            "model": task.body["model"],
            "progress": percent,
            "result": self.result(task) if phase == "succeeded" else None,
            "error": (MODERATED if task.outcome == "moderate" else BROKEN)
            if phase == "failed"
            else None,
            "creditCost": self.cost(task.body) if phase == "succeeded" else None,
            "webhookStatus": None
            if "webhookUrl" not in task.body
            else {None: "pending", True: "delivered", False: "failed"}[delivered],
            "createdAt": iso(created),
            "completedAt": iso(created + task.queue_seconds + task.run_seconds) if done else None,
            "expired": expired,
            "input": task.body,
        }

    # webhooks

    def _state(self, task: EmuTask) -> tuple[Hashable, bool]:
        phase, progress = task.phase(self.clock())
        bucket = int(progress * 4) if phase == "running" else 0  # a progress event per quarter
        return (phase, bucket), phase in ("succeeded", "failed", "cancelled")

    def _webhook(self, events: set[str]) -> Render:
        def render(task: EmuTask, key: Hashable) -> tuple[bytes, dict[str, str]] | None:
            job = self.render(task)
            event = {"PROCESSING": "progress", "COMPLETED": "completed", "FAILED": "failed"}.get(
                job["status"]
            )
            if event is None or event not in events:
                return None
            body: dict[str, Any] = {
                "event": event,
                "jobId": task.id,
                "status": job["status"],
                "model": job["model"],
            }
            if event == "completed":
                body.update(
                    progress=100,
                    result=job["result"],
                    creditCost=job["creditCost"],
                    completedAt=job["completedAt"],
                )
            elif event == "failed":
                body["error"] = job["error"]
            else:
                body["progress"] = job["progress"]
            raw = json.dumps(body, separators=(",", ":")).encode()
            return raw, {"X-Webhook-Event": event, "X-Webhook-Signature": sign(self.api_key, raw)}

        return render
