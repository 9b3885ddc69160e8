"""apiframe v2: one unified `/v2/videos/generate` endpoint with Runway models (contracts §5).

Why it is worth a client of its own: it is the only reseller with an `Idempotency-Key`, so a
create whose answer was lost can be replayed safely, and it signs its webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from bot.errors import Transient, UnknownOutcome, VendorError
from bot.models import Mode, TaskState, TaskStatus, VideoRequest
from bot.vendors.base import ASPECTS, Account, Capabilities, ModelSpec, VendorClient
from bot.vendors.http import call, default_error
from bot.vendors.reseller import (
    clamp_seed,
    find_urls,
    looks_moderated,
    lookup_status,
    parse_progress,
)

VENDOR = "apiframe"
WEBHOOK_EVENTS = ["completed", "failed", "progress"]
MAX_IDEMPOTENCY_KEY = 255
SIGNATURE_HEADER = "X-Webhook-Signature"
_HEX = re.compile(r"[0-9a-f]+")

STATUSES = {
    "queued": TaskStatus.QUEUED,
    "processing": TaskStatus.RUNNING,
    "completed": TaskStatus.SUCCEEDED,
    "failed": TaskStatus.FAILED,
    "cancelled": TaskStatus.CANCELLED,
}


def _spec(name: str, wire: str) -> ModelSpec:
    return ModelSpec(
        name=name,
        wire=wire,
        modes=frozenset({Mode.TEXT, Mode.IMAGE}),
        ratios=ASPECTS,
        durations=(5, 10),
        prompt_max=4000,
        prompt_required=True,  # apiframe wants a prompt even for image-to-video
    )


def _errors(status: int, text: str, body: Any) -> VendorError | None:
    """Fold zod's `details` into a 400 message so operators see which field was refused."""
    if status == 400 and isinstance(body, dict) and isinstance(body.get("details"), dict):
        parts = [
            f"{path}: {', '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
            for path, msgs in body["details"].items()
        ]
        return default_error(status, "; ".join([text, *parts])[:300], VENDOR, None)
    return None


def idempotency_header(key: str) -> str:
    """apiframe caps the key at 255 chars; longer keys are hashed, which stays deterministic."""
    if len(key) <= MAX_IDEMPOTENCY_KEY:
        return key
    return hashlib.sha256(key.encode()).hexdigest()


def team_credits(body: Any) -> float | None:
    """The balance from `GET /v2/me`: `team.credits` per apiframe's `Me` schema, else a
    top-level `credits` as older answers had it; None when neither is a number."""
    if not isinstance(body, dict):
        return None
    team = body.get("team")
    for value in (team.get("credits") if isinstance(team, dict) else None, body.get("credits")):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    return None


def parse_job(body: dict[str, Any]) -> TaskState:
    """Normalise a job (GET /v2/jobs/{id}) or a webhook body; both share these fields."""
    raw = str(body.get("status") or "")
    status = lookup_status(VENDOR, raw, STATUSES)
    error = body.get("error")
    failure = str(error) if error else None
    if status is TaskStatus.FAILED and not failure:
        failure = "job failed"
    done = status is TaskStatus.SUCCEEDED
    return TaskState(
        status=status,
        progress=1.0 if done else parse_progress(body.get("progress"), 100),
        video_urls=find_urls(body.get("result")) if done else [],
        failure=failure,
        raw_status=raw,
        moderated=status is TaskStatus.FAILED and looks_moderated(failure),
    )


class ApiframeClient(VendorClient):
    id = "apiframe"
    default_base_url = "https://api.apiframe.ai"
    key_env = "APIFRAME_API_KEY"
    base_url_env = "APIFRAME_BASE_URL"
    supports_idempotency = True
    capabilities: ClassVar[Capabilities] = Capabilities(
        models=(_spec("gen4_turbo", "runway-gen4-turbo"), _spec("gen4.5", "runway-gen4.5")),
        defaults={Mode.TEXT: "gen4_turbo", Mode.IMAGE: "gen4_turbo"},
    )

    def _headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key, "Accept": "application/json"}

    async def account(self) -> Account:
        url = f"{self.base_url}/v2/me"
        body = await call(self.http, self.id, "GET", url, headers=self._headers())
        return Account(credits=team_credits(body))

    def build_body(self, req: VideoRequest, callback_url: str | None = None) -> dict[str, Any]:
        """The strict v2 body: unknown keys are a 400 there, so only documented ones are set."""
        spec = self.spec_for(req)
        params: dict[str, Any] = {"duration": req.duration, "aspect_ratio": req.ratio}
        if req.mode is Mode.IMAGE and req.first_frame is not None:
            params["image"] = req.first_frame.data_uri()
        seed = clamp_seed(req.seed, spec)
        if seed is not None:
            params["seed"] = seed
        body: dict[str, Any] = {
            "model": spec.wire_name,
            "prompt": req.prompt,
            "runwayParams": params,
        }
        if callback_url:
            body["webhookUrl"] = callback_url
            body["webhookEvents"] = list(WEBHOOK_EVENTS)
        return body

    async def submit(
        self, req: VideoRequest, *, idempotency_key: str, callback_url: str | None = None
    ) -> str:
        headers = {**self._headers(), "Idempotency-Key": idempotency_header(idempotency_key)}
        try:
            body = await call(
                self.http,
                self.id,
                "POST",
                f"{self.base_url}/v2/videos/generate",
                headers=headers,
                json_body=self.build_body(req, callback_url),
                create=True,
                mapper=_errors,
            )
        except VendorError as exc:  # 403 "lacks permission / modality disabled" (§5.5)
            refused = self.refusal(exc, self.spec_for(req))
            if refused is None:
                raise
            raise refused from exc
        job_id = body.get("jobId") if isinstance(body, dict) else None
        if not job_id:
            raise UnknownOutcome("accepted without a jobId", vendor=self.id)
        return str(job_id)

    async def poll(self, task_id: str) -> TaskState:
        body = await call(
            self.http,
            self.id,
            "GET",
            f"{self.base_url}/v2/jobs/{task_id}",
            headers=self._headers(),
            mapper=_errors,
        )
        if not isinstance(body, dict):
            raise Transient("job body is not an object", vendor=self.id)
        return parse_job(body)

    def parse_callback(self, body: dict[str, Any]) -> tuple[str, TaskState] | None:
        job_id = body.get("jobId") or body.get("id")
        if not job_id or not body.get("status"):
            return None
        return str(job_id), parse_job(body)

    def verify_callback(self, raw_body: bytes, headers: Mapping[str, str]) -> bool:
        """Check `X-Webhook-Signature`: HMAC-SHA256 of the raw body, keyed with the raw SHA-256
        digest of the API key (not its hex form), as `sha256=<hex>` or bare `<hex>`, both of
        which apiframe's own SDK accepts."""
        header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), "")
        given = header.strip().lower().removeprefix("sha256=").strip()
        if not self.api_key or not _HEX.fullmatch(given):
            return False
        key = hashlib.sha256(self.api_key.encode()).digest()
        expected = hmac.new(key, raw_body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, given)
