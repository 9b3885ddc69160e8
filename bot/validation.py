"""Turn a parsed command and its media into a request some configured vendor accepts.

Everything is checked here, before any credit moves: the mode and model against what the
vendors declare, the options for the model's optional fields (--audio, --negative, ...)
against the fields it has, then ratio, duration, prompt length, seed and resolution against
the model, then the media (decoded, rotated, aspect 0.5..2, re-encoded within the vendor's
byte limit).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from bot import texts
from bot.command_types import VideoCommand
from bot.errors import InvalidRequest
from bot.images import displayed_size, normalise_image
from bot.media import check_video
from bot.model_options import ModelOptions, typed
from bot.models import Media, Mode, VideoRequest
from bot.offers import seconds_values
from bot.seeds import settle_seed
from bot.vendors.base import ModelSpec, VendorClient

MAX_FRAME_SIDE = 2048


@dataclass(slots=True)
class Plan:
    request: VideoRequest
    vendors: list[str]  # the vendors that accept it, in order of preference
    spec: ModelSpec  # the first vendor's model, for the user-facing texts


def mode_of(cmd: VideoCommand, images: list[Media], video: Media | None) -> Mode:
    if cmd.act:
        return Mode.ACT
    if video is not None:
        return Mode.VIDEO
    if len(images) > 2:
        raise InvalidRequest("err_too_many_images")
    return (Mode.TEXT, Mode.IMAGE, Mode.FIRST_LAST)[len(images)]


def _problem(spec: ModelSpec, req: VideoRequest, locale: str = "en") -> InvalidRequest | None:
    """Why `spec` cannot take `req`, or None."""
    if req.ratio not in spec.ratios:
        return InvalidRequest(
            "err_ratio", model=spec.title, ratio=req.ratio, allowed=", ".join(spec.ratios)
        )
    if req.duration not in spec.durations:
        allowed = seconds_values(spec.durations, locale)
        return InvalidRequest(
            "err_duration", model=spec.title, allowed=allowed, duration=req.duration
        )
    length = spec.prompt_length(req.prompt)
    if length > spec.prompt_max:
        return InvalidRequest(
            "err_prompt_too_long", length=length, max=spec.prompt_max, model=spec.title
        )
    if req.seed is not None and not spec.seeded:
        return InvalidRequest("err_seed_unsupported", model=spec.title)
    if req.seed is not None and not spec.seed_min <= req.seed <= spec.seed_max:
        return InvalidRequest("err_seed", min=spec.seed_min, max=spec.seed_max)
    missing = spec.lacks(req.options)
    if missing:  # plan() has told the user which models take it; this drops other vendors
        option = typed(missing[0], req.options)
        return InvalidRequest("err_option_unsupported", option=option, model=spec.title, models="-")
    resolution = req.options.resolution
    if resolution and resolution not in spec.resolutions:
        allowed = ", ".join(spec.resolutions)
        return InvalidRequest(
            "err_resolution", model=spec.title, resolution=resolution, allowed=allowed
        )
    return None


Offered = list[tuple[VendorClient, ModelSpec]]


def _taking(
    options: ModelOptions, capable: Offered, vendors: list[VendorClient], mode: Mode
) -> Offered:
    """The vendors whose model (the one the first vendor would use) takes every option set;
    none: the refusal naming the models that do, so the user can pick one with --model."""
    name = capable[0][1].name
    taking = [(v, s) for v, s in capable if s.name == name and not s.lacks(options)]
    if taking:
        return taking
    spec = capable[0][1]
    option = typed(spec.lacks(options)[0], options)
    able = {
        s.name: s.title
        for v in vendors
        for s in v.capabilities.models
        if mode in s.modes and not s.lacks(options)
    }
    if not able:
        raise InvalidRequest("err_option_nowhere", option=option)
    models = ", ".join(f"{t} ({n})" if t != n else n for n, t in sorted(able.items()))
    raise InvalidRequest("err_option_unsupported", option=option, model=spec.title, models=models)


def _nearest_ratio(ratios: tuple[str, ...], aspect: float) -> str:
    def distance(name: str) -> float:
        w, h = (int(x) for x in name.split(":"))
        return abs(math.log(w / h) - math.log(aspect))

    return min(ratios, key=distance)


# Letters and symbols that render as nothing (Hangul fillers, the blank Braille pattern).
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(text: str) -> bool:
    """Whether `text` shows anything: not only spaces, control and format characters
    (zero-width spaces, joiners, direction marks) or combining marks with nothing to sit on."""
    return any(unicodedata.category(ch)[0] not in "CZM" and ch not in _BLANK for ch in text)


def _image_aspect(media: Media) -> float | None:
    """Width/height as displayed, from the image's header."""
    size = displayed_size(media.data)
    return size[0] / size[1] if size else None


async def plan(
    cmd: VideoCommand,
    vendors: list[VendorClient],
    *,
    images: list[Media],
    video: Media | None,
    character: Media | None = None,
    locale: str = "en",
    defaults: Mapping[str, str] | None = None,
) -> Plan:
    """Validate everything and pick the vendors; raises InvalidRequest with a catalogue key.
    `defaults` (VIDEO_DEFAULT_MODELS) names the model per task when the user named none."""
    mode = mode_of(cmd, images, video)
    if mode is Mode.ACT:
        character = character or (images[0] if images else None)
        if character is None or video is None:
            raise InvalidRequest("err_act_inputs")
    elif not cmd.prompt:
        raise InvalidRequest("err_prompt_missing")
    elif not visible(cmd.prompt):
        raise InvalidRequest("err_prompt_invisible")

    model = cmd.model or _default_model(mode, defaults or {}, vendors)
    offered = [(v, s) for v in vendors if (s := v.capabilities.pick(mode, model, v.refused_models))]
    capable = [(v, s) for v, s in offered if v.can_use(s.name)]
    if offered and not capable:  # every vendor of the model said this account can't use it
        raise InvalidRequest("err_model_unavailable", model=offered[0][1].title)
    if not capable:
        _refuse_mode(mode, cmd.model, vendors, locale)
    if cmd.options.given():
        capable = _taking(cmd.options, capable, vendors, mode)

    first_spec = capable[0][1]
    ratio = cmd.ratio
    if ratio is None:
        source = images[0] if images else None
        aspect = _image_aspect(source) if source else None
        ratio = _nearest_ratio(first_spec.ratios, aspect) if aspect else (
            "16:9" if "16:9" in first_spec.ratios else first_spec.ratios[0]
        )  # fmt: skip
    duration = cmd.duration or (5 if 5 in first_spec.durations else first_spec.durations[0])
    req = VideoRequest(
        prompt=cmd.prompt,
        mode=mode,
        # the API name, however the user spelled it ("Veo 3.1 Fast", veo-3.1-fast)
        model=first_spec.name if model else None,
        duration=duration,
        ratio=ratio,
        seed=cmd.seed,
        watermark=cmd.watermark,
        body_control=cmd.body,
        options=cmd.options,
    )
    problem = _problem(first_spec, req, locale)
    if problem is not None:
        raise problem
    accepted = [(v, s) for v, s in capable if _problem(s, req) is None]
    if first_spec.seeded:  # a model without a seed field gets none, and shows none
        req.seed, accepted = settle_seed(req.seed, accepted)

    # Outputs are at most 1280 px wide: larger frames only cost upload time.
    max_side = min([MAX_FRAME_SIDE] + [v.capabilities.max_image_side for v, _ in accepted])
    max_image = min(v.capabilities.max_image_bytes for v, _ in accepted)
    max_video = min(v.capabilities.max_video_bytes for v, _ in accepted)
    if mode is Mode.ACT:
        assert character is not None and video is not None
        req.character = (
            check_video(character, max_bytes=max_video)
            if character.is_video
            else await normalise_image(character.data, max_side=max_side, max_bytes=max_image)
        )
        req.video = check_video(video, max_bytes=max_video)
    elif mode is Mode.VIDEO:
        assert video is not None
        req.video = check_video(video, max_bytes=max_video)
    else:
        frames = [
            await normalise_image(img.data, max_side=max_side, max_bytes=max_image)
            for img in images
        ]
        if frames:
            req.first_frame = frames[0]
        if len(frames) > 1:
            req.last_frame = frames[1]
    return Plan(request=req, vendors=[v.id for v, _ in accepted], spec=first_spec)


def _default_model(
    mode: Mode, defaults: Mapping[str, str], vendors: list[VendorClient]
) -> str | None:
    """The operator's model for `mode`, when one of `vendors` serves it for that task to
    this account (else the vendors' own defaults apply: never a reason to refuse)."""
    name = defaults.get(mode.value)
    for v in vendors if name else ():
        spec = v.capabilities.pick(mode, name, v.refused_models)
        if spec is not None and v.can_use(spec.name):
            return name
    return None


def _refuse_mode(mode: Mode, model: str | None, vendors: list[VendorClient], locale: str) -> None:
    able = [v for v in vendors if mode in v.capabilities.modes()]
    if model and able:
        named = {s.name: s.title for v in able for s in v.capabilities.models if mode in s.modes}
        models = [f"{title} ({name})" if title != name else name for name, title in named.items()]
        raise InvalidRequest("err_model_unknown", model=model, models=", ".join(sorted(models)))
    modes = sorted({m for v in vendors for m in v.capabilities.modes()}, key=list(Mode).index)
    possible = ", ".join(texts.t(locale, f"what_{m.value}") for m in modes) or "-"
    raise InvalidRequest(
        "err_mode_unsupported", what=texts.t(locale, f"what_{mode.value}"), possible=possible
    )
