"""The Runway task protocol, spoken by the official API and the resellers that mirror it.

Create a task with one POST per mode, poll `tasks/{id}` for PENDING/THROTTLED/RUNNING/
SUCCEEDED/FAILED/CANCELLED (vendor-contracts §2-4). The clients differ only in the path prefix,
which models and endpoints exist, the prompt limit, cancel support and openai-hk's
`notify_hook` callback, so this base class carries the protocol and each subclass only
declares those differences.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from bot.errors import (
    AuthError,
    BadRequest,
    NotFound,
    OutOfCredits,
    Transient,
    VendorError,
)
from bot.model_options import wire_fields
from bot.models import Media, Mode, TaskState, TaskStatus, VideoRequest
from bot.vendors.base import ModelSpec, VendorClient
from bot.vendors.http import CREDIT_WORDS, call
from bot.vendors.runway.tasks import parse_task, task_id_of
from bot.vendors.runway.uploads import upload_oversized
from bot.vendors.runway.upscale import UPSCALE_PATH, upscale_body
from bot.vendors.runway.wire import wire_rules

log = logging.getLogger(__name__)

RUNWAY_VERSION = "2024-11-06"

# Words in an OpenAI-style gateway envelope that mean the reseller balance is empty.
_ENVELOPE_CREDIT_WORDS = ("quota", "balance", "credit", "insufficient", "额度", "余额")
_ENVELOPE_AUTH_WORDS = ("api_key", "invalid_token", "unauthorized", "authentication")

_ENDPOINTS = {
    Mode.TEXT: "/text_to_video",
    Mode.IMAGE: "/image_to_video",
    Mode.FIRST_LAST: "/image_to_video",
    Mode.VIDEO: "/video_to_video",
    Mode.ACT: "/character_performance",
}


class RunwayValidationError(BadRequest):
    """Runway's 400 `Validation of body failed` with its zod `issues`.

    `fields` holds the dotted paths the vendor rejected (e.g. `ratio`, `promptImage.1.position`)
    so a caller can tell which field failed without parsing the message.
    """

    def __init__(
        self, message: str, *, status: int | None, vendor: str, fields: tuple[str, ...]
    ) -> None:
        super().__init__(message, status=status, vendor=vendor)
        self.fields = fields


def _media_type(media: Media) -> str:
    return "video" if media.is_video else "image"


def _need(media: Media | None, what: str) -> Media:
    if media is None:
        raise ValueError(f"request needs {what}")
    return media


class RunwayFamilyClient(VendorClient):
    """The Runway task protocol; subclasses set the prefix, capabilities and extras."""

    path_prefix: ClassVar[str] = "/v1"
    # Sent everywhere: required by Runway and gpt.ge, harmless for openai-hk (§3).
    version_header: ClassVar[str | None] = RUNWAY_VERSION
    accepts_notify_hook: ClassVar[bool] = False
    # Names a reseller may know a model by instead of Runway's, tried once after a 400.
    model_aliases: ClassVar[dict[str, str]] = {}
    # Media whose data URI is longer than this go through `POST /uploads` (None: never).
    upload_above: ClassVar[int | None] = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cancelled: set[str] = set()  # our own DELETEs: a later 404 means cancelled
        self._alias_used: dict[str, str] = {}  # model -> wire name that worked

    # requests

    def _headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        if self.version_header:
            headers["X-Runway-Version"] = self.version_header
        return headers

    async def _call(self, method: str, path: str, *, body: Any = None, create: bool = False) -> Any:
        return await call(
            self.http,
            self.id,
            method,
            f"{self.base_url}{self.path_prefix}{path}",
            headers=self._headers(),
            json_body=body,
            create=create,
            mapper=self._map_error,
        )

    def _map_error(self, status: int, text: str, body: Any) -> VendorError | None:
        """Claim the Runway validation body and the resellers' OpenAI-style envelope."""
        if not isinstance(body, dict):
            return None
        err = body.get("error")
        if isinstance(err, dict):  # gateway envelope {"error":{"message","type","code"}}
            words = f"{err.get('code') or ''} {err.get('type') or ''} {text}".lower()
            if any(w in words for w in _ENVELOPE_CREDIT_WORDS):
                return OutOfCredits(text or "out of credits", status=status, vendor=self.id)
            if any(w in words for w in _ENVELOPE_AUTH_WORDS):
                return AuthError(text or "unauthorised", status=status, vendor=self.id)
            return None
        issues = body.get("issues")
        if status in (400, 422) and isinstance(issues, list):
            if any(w in text.lower() for w in CREDIT_WORDS):
                return None  # the default mapping knows the out-of-credits text
            fields: list[str] = []
            details: list[str] = []
            for issue in issues:
                if not isinstance(issue, dict):
                    continue
                path = issue.get("path")
                where = ".".join(str(p) for p in path) if isinstance(path, list) else ""
                fields.append(where)
                details.append(f"{where or 'body'}: {issue.get('message', '')}")
            message = f"{text or 'invalid body'}: {'; '.join(details)}"[:500]
            return RunwayValidationError(
                message, status=status, vendor=self.id, fields=tuple(fields)
            )
        return None

    # body building

    def _wire_model(self, spec: ModelSpec) -> str:
        return self._alias_used.get(spec.name, spec.wire_name)

    def build(
        self,
        req: VideoRequest,
        spec: ModelSpec,
        callback_url: str | None,
        uploads: Mapping[int, str] | None = None,
    ) -> dict[str, Any]:
        """The JSON body for `req`; the router guarantees `spec` can do `req.mode`.

        `uploads` maps id(media) to the `runway://` URI of media sent through `POST /uploads`;
        other media go inline as data URIs."""

        def uri(media: Media) -> str:
            return (uploads or {}).get(id(media)) or media.data_uri()

        rules = wire_rules(spec.name, req.mode)
        body: dict[str, Any] = {"model": self._wire_model(spec)}
        prompt = req.prompt.strip()
        if req.mode in (Mode.IMAGE, Mode.FIRST_LAST):
            first = uri(_need(req.first_frame, "a first frame"))
            if req.mode is Mode.FIRST_LAST:
                last = uri(_need(req.last_frame, "a last frame"))
                body["promptImage"] = [
                    {"uri": first, "position": "first"},
                    {"uri": last, "position": "last"},
                ]
            else:
                body["promptImage"] = first
        elif req.mode is Mode.VIDEO:
            body[rules.video_field] = uri(_need(req.video, "a source video"))
            if req.first_frame is not None and rules.image_reference:
                # optional style reference, at most one
                body["references"] = [{"type": "image", "uri": uri(req.first_frame)}]
        elif req.mode is Mode.ACT:
            character = _need(req.character, "a character")
            body["character"] = {"type": _media_type(character), "uri": uri(character)}
            performance = _need(req.video, "a performance video")
            body["reference"] = {"type": "video", "uri": uri(performance)}
            body["bodyControl"] = req.body_control
        if prompt and req.mode is not Mode.ACT:  # Act-Two has no prompt field
            body["promptText"] = prompt
        ratio = rules.ratios.get(req.ratio)
        if ratio is None:  # the validator checked ratios against ModelSpec: a router bug
            raise ValueError(f"{spec.name} has no ratio {req.ratio}")
        if ratio:  # "": the model takes no ratio here, its input decides
            body["ratio"] = ratio
        if rules.timed:  # untimed tasks take their length from the input video
            body["duration"] = req.duration
        if req.seed is not None and rules.seeded:
            body["seed"] = req.seed
        if rules.watermark:
            body["watermark"] = req.watermark  # gen4 and later have no watermark (§9.19)
        body.update(wire_fields(req.options, spec.options))  # only what the user set
        if callback_url and self.accepts_notify_hook:
            body["notify_hook"] = callback_url
        return self.reshape(body, req, spec)

    def reshape(self, body: dict[str, Any], req: VideoRequest, spec: ModelSpec) -> dict[str, Any]:
        """A reseller's own spelling of the body its document gives; Runway's as it is."""
        return body

    # the VendorClient interface

    async def submit(
        self, req: VideoRequest, *, idempotency_key: str, callback_url: str | None = None
    ) -> str:
        """Create the task. Runway has no idempotency key, so `idempotency_key` is unused."""
        if req.mode is Mode.UPSCALE:  # its own endpoint and body (upscale.py)
            answer = await self._call("POST", UPSCALE_PATH, body=upscale_body(req), create=True)
            return task_id_of(answer, self.id)
        spec = self.spec_for(req)
        uploads = await upload_oversized(self, req, self.upload_above)
        body = self.build(req, spec, callback_url, uploads)
        try:
            answer = await self._create(_ENDPOINTS[req.mode], body, spec)
        except VendorError as exc:
            refused = self.refusal(exc, spec)
            if refused is None:
                raise
            raise refused from exc
        task_id = task_id_of(answer, self.id)
        log.debug("%s created task %s (%s, %s)", self.id, task_id, spec.name, req.mode)
        return task_id

    async def _create(self, path: str, body: dict[str, Any], spec: ModelSpec) -> Any:
        """POST the body; once more under the reseller's other model name after a 400 that
        names the model (a 400 created nothing, so the retry is safe)."""
        try:
            return await self._call("POST", path, body=body, create=True)
        except BadRequest as exc:
            alias = self.model_aliases.get(spec.name)
            if alias is None or spec.name in self._alias_used or not _names_model(exc, spec):
                raise
            log.info("%s refused model %s, retrying as %s", self.id, spec.name, alias)
            body["model"] = alias
            answer = await self._call("POST", path, body=body, create=True)
            self._alias_used[spec.name] = alias
            return answer

    async def poll(self, task_id: str) -> TaskState:
        try:
            body = await self._call("GET", f"/tasks/{quote(task_id, safe='')}")
        except NotFound:
            if task_id in self._cancelled:  # Runway deletes a task on cancel (§2.5)
                return TaskState(status=TaskStatus.CANCELLED, raw_status="404")
            raise
        state = parse_task(body, self.id)
        if state is None:
            raise Transient("task answer without a status", status=200, vendor=self.id)
        return state

    def parse_callback(self, body: dict[str, Any]) -> tuple[str, TaskState] | None:
        if not self.accepts_notify_hook:
            return None
        task = body.get("data") if isinstance(body.get("data"), dict) else body
        state = parse_task(task, self.id)
        task_id = task.get("id") if isinstance(task, dict) else None
        if state is None or not isinstance(task_id, str) or not task_id:
            return None
        return task_id, state


def _names_model(exc: BadRequest, spec: ModelSpec) -> bool:
    """Whether a 400 rejected the model name itself rather than some other field."""
    if isinstance(exc, RunwayValidationError) and "model" in exc.fields:
        return True
    return spec.wire_name in exc.message
