"""The resellers that mirror Runway's API: gpt.ge and openai-hk.

Each declares only where it differs from Runway: its path prefix, its models and limits,
the model names it knows, and openai-hk's `notify_hook` callback. Their bodies follow their
own published documents (the seeds), which describe an older Runway schema than today's.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, ClassVar

from bot.errors import BadRequest
from bot.models import Mode, VideoRequest
from bot.vendors.base import ModelSpec
from bot.vendors.runway.models import (
    ACT_TWO,
    ALEPH,
    GEN3_PIXELS,
    GEN3_RATIOS,
    GEN3A,
    GEN4_PIXELS,
    GEN4_TURBO,
    runway_capabilities,
    spec,
)
from bot.vendors.runway.protocol import RunwayFamilyClient, RunwayValidationError

log = logging.getLogger(__name__)


class GptgeClient(RunwayFamilyClient):
    """gpt.ge: image-to-video only, the 2024 prompt limit of 512, no documented cancel.

    Its document names the models `gen3a_turbo` and `gen4a_turbo` and the ratios `1280:768`
    and `768:1280` for both, so that is what is sent. Should the service refuse a documented
    value, a 400 created nothing and one retry is safe: Runway's `gen4_turbo` after a 400 on
    the model, the gen4 pixel size (`1280:720`) after a 400 on the ratio. What worked is kept
    for the life of the client (one per process).
    """

    id = "gptge"
    default_base_url = "https://api.gpt.ge"
    key_env = "GPTGE_API_KEY"
    base_url_env = "GPTGE_BASE_URL"
    path_prefix = "/runwayml/v1"
    model_aliases: ClassVar[dict[str, str]] = {"gen4_turbo": "gen4_turbo"}
    capabilities = runway_capabilities(
        dataclasses.replace(
            spec("gen4_turbo", {Mode.IMAGE}, GEN3_RATIOS, prompt_max=512), wire="gen4a_turbo"
        ),
        spec("gen3a_turbo", {Mode.IMAGE, Mode.FIRST_LAST}, GEN3_RATIOS, prompt_max=512),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gen4_sizes: set[str] = set()  # models a 400 proved to want the gen4 sizes

    def reshape(self, body: dict[str, Any], req: VideoRequest, spec: ModelSpec) -> dict[str, Any]:
        sizes = GEN4_PIXELS if spec.name in self._gen4_sizes else GEN3_PIXELS
        body["ratio"] = sizes[req.ratio]
        return body

    async def submit(
        self, req: VideoRequest, *, idempotency_key: str, callback_url: str | None = None
    ) -> str:
        try:
            return await super().submit(
                req, idempotency_key=idempotency_key, callback_url=callback_url
            )
        except RunwayValidationError as exc:
            model = self.spec_for(req).name
            if "ratio" not in exc.fields or model.startswith("gen3") or model in self._gen4_sizes:
                raise
            log.info("%s refused the documented ratio for %s, retrying gen4 sizes", self.id, model)
            self._gen4_sizes.add(model)
        try:
            return await super().submit(
                req, idempotency_key=idempotency_key, callback_url=callback_url
            )
        except BadRequest:
            self._gen4_sizes.discard(model)  # not proved: the next job starts from the document
            raise


class OpenAIHKClient(RunwayFamilyClient):
    """openai-hk: image, Aleph and Act-Two, plus the `notify_hook` callback; no text-to-video.

    Its document types `promptImage` as an array of `{uri, position}`, so a lone first frame
    goes as a one-item array rather than Runway's bare string.
    """

    id = "openai-hk"
    default_base_url = "https://api.openai-hk.com"
    key_env = "OPENAI_HK_API_KEY"
    base_url_env = "OPENAI_HK_BASE_URL"
    path_prefix = "/runwayml/v1"
    accepts_notify_hook = True
    capabilities = runway_capabilities(GEN4_TURBO, GEN3A, ALEPH, ACT_TWO)

    def reshape(self, body: dict[str, Any], req: VideoRequest, spec: ModelSpec) -> dict[str, Any]:
        image = body.get("promptImage")
        if isinstance(image, str):
            body["promptImage"] = [{"uri": image, "position": "first"}]
        return body
