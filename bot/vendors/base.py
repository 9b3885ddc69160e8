"""The small interface every vendor client implements, and the capability declarations.

A client turns a validated `VideoRequest` into the vendor's wire format, and the vendor's
task JSON back into a `TaskState`. Everything else (retries across polls, deadlines, money)
is the engine's job, written once.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from bot.errors import ModelUnavailable, VendorError
from bot.model_options import FIELDS, ModelOptions

# ASPECTS is re-exported: the vendor clients declare their ratios with it.
from bot.models import ASPECTS as ASPECTS
from bot.models import SEED_MAX, SEED_MIN, Mode, TaskState, VideoRequest
from bot.vendors.limits import VendorLimits
from bot.vendors.model_access import model_refusal
from bot.vendors.names import friendly, model_key
from bot.vendors.transport import VendorHTTP

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What one model accepts at one vendor. `name` is what users type; `wire` what is sent."""

    name: str
    modes: frozenset[Mode]
    ratios: tuple[str, ...]
    durations: tuple[int, ...]
    prompt_max: int = 1000
    prompt_required: bool = False
    seed_min: int = SEED_MIN
    seed_max: int = SEED_MAX
    wire: str = ""
    # Runway counts UTF-16 code units, so an emoji counts twice.
    utf16_prompt: bool = True
    # False for a model whose API has no seed field: no seed is picked, shown or sent.
    seeded: bool = True
    # Optional request fields the vendor types for this model beyond prompt, media, ratio,
    # duration and seed (`audio`, `negativePrompt`, `contentModeration`, ...): the catalogue
    # lists them; the bodies send only those the bot has values for.
    options: frozenset[str] = frozenset()
    # The `resolution` values the model takes, where it has that field (--resolution).
    resolutions: tuple[str, ...] = ()

    def lacks(self, options: ModelOptions) -> list[str]:
        """The options set (bot.model_options names) this model has no field for."""
        missing = [o for o in options.given() if not FIELDS[o][0] & self.options]
        if options.resolution and not self.resolutions and "resolution" not in missing:
            missing.append("resolution")  # a field of another vendor's dialect (useapi's)
        return missing

    @property
    def wire_name(self) -> str:
        return self.wire or self.name

    @property
    def title(self) -> str:
        """The friendly name users read ("Veo 3.1 Fast")."""
        return friendly(self.name)

    def answers_to(self, typed: str) -> bool:
        """Whether `typed` names this model: its API name, wire name or friendly name, in any
        case and with or without spaces, dots, dashes and underscores."""
        key = model_key(typed)
        return key in {model_key(self.name), model_key(self.wire_name), model_key(self.title)}

    def prompt_length(self, prompt: str) -> int:
        if self.utf16_prompt:
            return len(prompt.encode("utf-16-le")) // 2
        return len(prompt)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """Everything the router and the validator need to know about a vendor."""

    models: tuple[ModelSpec, ...]
    defaults: dict[Mode, str] = field(default_factory=dict)  # mode -> model name
    max_image_bytes: int = 3_500_000  # raw bytes; data URIs are capped at 5 MB encoded
    max_video_bytes: int = 12_000_000  # raw; 16 MB encoded data URI limit at Runway
    max_image_side: int = 4096

    def model(self, name: str, mode: Mode | None = None) -> ModelSpec | None:
        """The spec named `name`; with `mode`, preferably the one that does `mode` (a model
        whose limits differ by mode declares one spec per mode under the same name)."""
        named = [s for s in self.models if s.answers_to(name)]
        if mode is not None:
            named = [s for s in named if mode in s.modes] or named
        return named[0] if named else None

    def modes(self) -> set[Mode]:
        return {m for spec in self.models for m in spec.modes}

    def pick(
        self, mode: Mode, model: str | None, refused: Collection[str] = ()
    ) -> ModelSpec | None:
        """The model this vendor would use for `mode`, or None if it cannot do it. Without a
        model named, the default unless the account was `refused` it, then the next one."""
        if model:
            spec = self.model(model, mode)
            return spec if spec and mode in spec.modes else None
        name = self.defaults.get(mode)
        if name and name not in refused:
            return self.model(name, mode)
        able = [s for s in self.models if mode in s.modes]
        return next((s for s in able if s.name not in refused), able[0] if able else None)


@dataclass(frozen=True, slots=True)
class Account:
    """What a vendor says about the account behind a key (`videobot doctor` shows it)."""

    credits: float | None = None  # the vendor's own credit balance, where it tells
    runway_accounts: int | None = None  # useapi.net: the Runway accounts the key drives


class VendorClient(ABC):
    """One vendor protocol. Instances own one shared `httpx.AsyncClient`."""

    id: ClassVar[str]
    default_base_url: ClassVar[str]
    # The environment variables (settings) holding this vendor's key and API root; the
    # settings read them and `videobot doctor` names them. Blank for a vendor with none.
    key_env: ClassVar[str] = ""
    base_url_env: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities]
    needs_key: ClassVar[bool] = True
    supports_cancel: ClassVar[bool] = False
    # True when a create can be replayed safely with the same idempotency key.
    supports_idempotency: ClassVar[bool] = False
    # Seconds between polls when the vendor knows better than VIDEO_POLL_INTERVAL.
    poll_interval: ClassVar[float | None] = None
    # Results are local files (file:// URLs) rather than downloads.
    local_results: ClassVar[bool] = False
    # The model this vendor upscales finished videos with (Mode.UPSCALE); None: it cannot.
    upscaler: ClassVar[str | None] = None

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.api_key = api_key or ""
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self._own_http = http is None
        # httpx's API with aiohttp's cheaper wire work (see transport.py)
        self.http = http or VendorHTTP(timeout=httpx.Timeout(timeout, connect=10.0), limit=64)
        # Models the vendor said this account may not use (ModelUnavailable): routing sends
        # them elsewhere for the life of the process, as a tier changes rarely.
        self.refused_models: set[str] = set()

    @property
    def origin(self) -> str:
        """scheme://host[:port] of the API; result URLs from here may be fetched over http."""
        url = httpx.URL(self.base_url)
        port = f":{url.port}" if url.port else ""
        return f"{url.scheme}://{url.host}{port}"

    @abstractmethod
    async def submit(
        self, req: VideoRequest, *, idempotency_key: str, callback_url: str | None = None
    ) -> str:
        """Create the task and return the vendor's task id (the id to poll with)."""

    @abstractmethod
    async def poll(self, task_id: str) -> TaskState:
        """Fetch and normalise the task's current state."""

    async def cancel(self, task_id: str) -> bool:
        """Ask the vendor to stop the task; False when the vendor has no cancel."""
        return False

    async def account(self) -> Account | None:
        """Check the key with the vendor's cheapest authenticated call; None when it has none.

        Raises the same VendorError taxonomy as every call (AuthError for a rejected key)."""
        return None

    async def limits(self) -> VendorLimits | None:
        """How many tasks the vendor runs at once for this account; None when it does not
        say. Raises the VendorError taxonomy like every call."""
        return None

    def upscales(self, source: str) -> bool:
        """Whether this vendor can upscale the video at `source`: an https URL, or one of
        its own origin (where its results come from)."""
        own = source.startswith(f"{self.origin}/")
        return self.upscaler is not None and (source.startswith("https://") or own)

    def parse_callback(self, body: dict[str, Any]) -> tuple[str, TaskState] | None:
        """Turn a vendor callback body into (task id, state); None if not understood."""
        return None

    def verify_callback(self, raw_body: bytes, headers: Mapping[str, str]) -> bool:
        """Whether a callback really comes from the vendor; False turns it away unread.

        A vendor that signs nothing is accepted: its callback only wakes a poll, and the
        poll answer decides, so a forged one costs a poll and nothing more."""
        return True

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    # helpers shared by the clients

    def can_use(self, model: str) -> bool:
        """False once the vendor has refused `model` to this account."""
        return model not in self.refused_models

    def refusal(self, exc: VendorError, spec: ModelSpec) -> ModelUnavailable | None:
        """The ModelUnavailable a create's error means when the vendor refused the model to
        this account (remembered, so routing skips the model here); None otherwise."""
        refused = model_refusal(exc, spec.name, (spec.wire_name,))
        if refused is None:
            return None
        log.warning("%s: this account may not use %s: %s", self.id, spec.name, exc)
        self.refused_models.add(spec.name)
        return refused

    def spec_for(self, req: VideoRequest) -> ModelSpec:
        spec = self.capabilities.pick(req.mode, req.model, self.refused_models)
        if spec is None:  # the router only sends requests a vendor declared it can do
            raise ValueError(f"{self.id} cannot do {req.mode} with {req.model}")
        return spec
