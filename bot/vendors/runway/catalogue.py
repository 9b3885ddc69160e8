"""Every video model the official Runway API serves, as its SDK (runwayml 5.24.0) types it.

One row per model: the tasks it does and, per task, the `ratio` values, the durations and
whether a `duration` is sent, from the SDK's request types. Validation, `/help`, the Discord
choices and the request bodies all read these rows, and a test checks each one against the
SDK's types, so a model Runway adds or retires is one row here.

Durations (`durations`, with their sources): the SDK's literal or docstring range where it has
one; for a bare `int`, the lengths Runway's or the model vendor's documents give; 5 and 10 s
where no document states them. Aleph and the video-to-video tasks without a `duration` field
follow the input video; 5 s is their nominal length, for pricing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.models import ASPECTS, Mode
from bot.vendors.base import ModelSpec
from bot.vendors.runway import durations as secs
from bot.vendors.runway.models import spec
from bot.vendors.runway.ratios import (
    GEMINI_11,
    GEN4,
    GROK_LITE_TEXT,
    GROK_TEXT,
    HAILUO,
    HAPPYHORSE,
    KLING_4,
    KLING_4K,
    KLING_25,
    KLING_PRO,
    KLING_STANDARD,
    SEEDANCE,
    SEEDANCE_25,
    SEEDANCE_FAST,
    VEO,
    WAN,
    WIDE_TALL,
    aspect_table,
)


@dataclass(frozen=True, slots=True)
class Task:
    """One task of one model: its `ratio` values (empty: no ratio is sent, the input decides)
    and its durations (`timed` False: no `duration` is sent, the input video decides)."""

    ratios: tuple[str, ...] = ()
    durations: tuple[int, ...] = (5, 10)
    timed: bool = True
    video_field: str = "videoUri"
    lacks: frozenset[str] = frozenset()  # optional fields of the model this task has not

    def aspects(self, mode: Mode) -> dict[str, str]:
        """Aspect -> `ratio` value; without a ratio field, every aspect for a task with an
        input (its shape decides, nothing is sent) and 16:9 nominally for text."""
        table = aspect_table(self.ratios)
        if table:
            return table
        return {"16:9": ""} if mode is Mode.TEXT else dict.fromkeys(ASPECTS, "")


@dataclass(frozen=True, slots=True)
class RunwayModel:
    """One video model of the official API: its tasks, seed field and optional fields."""

    name: str
    tasks: Mapping[Mode, Task]
    seeded: bool = False
    options: frozenset[str] = field(default_factory=frozenset)
    prompt_required: bool = False
    resolutions: tuple[str, ...] = ()  # the `resolution` values, where it has that field

    def task_options(self, mode: Mode) -> frozenset[str]:
        """The optional fields the model takes for `mode` (a task may lack some)."""
        return self.options - self.tasks[mode].lacks

    def specs(self) -> tuple[ModelSpec, ...]:
        """One ModelSpec per group of tasks that take the same ratios, durations and
        optional fields."""
        groups: dict[tuple[tuple[str, ...], tuple[int, ...], frozenset[str]], set[Mode]] = {}
        for mode, task in self.tasks.items():
            key = (tuple(task.aspects(mode)), task.durations, self.task_options(mode))
            groups.setdefault(key, set()).add(mode)
        return tuple(
            spec(
                self.name,
                modes,
                ratios,
                durations=durations,
                prompt_required=self.prompt_required,
                seeded=self.seeded,
                options=options,
                resolutions=self.resolutions if "resolution" in options else (),
            )
            for (ratios, durations, options), modes in groups.items()
        )


def _model(
    name: str,
    *,
    text: Task | None = None,
    image: Task | None = None,
    last_frame: bool = False,
    video: Task | None = None,
    act: Task | None = None,
    seeded: bool = False,
    options: tuple[str, ...] = (),
    prompt_required: bool = False,
    resolutions: tuple[str, ...] = (),
) -> RunwayModel:
    tasks: dict[Mode, Task] = {}
    for mode, task in ((Mode.TEXT, text), (Mode.IMAGE, image), (Mode.VIDEO, video)):
        if task is not None:
            tasks[mode] = task
    if image is not None and last_frame:  # the same endpoint, `position: last` allowed
        tasks[Mode.FIRST_LAST] = image
    if act is not None:
        tasks[Mode.ACT] = act
    return RunwayModel(name, tasks, seeded, frozenset(options), prompt_required, resolutions)


_FOLLOWS_INPUT = Task(durations=(5,), timed=False)  # no ratio, no duration: the video decides


def _kling3(name: str, ratios: tuple[str, ...], *, omni: bool) -> RunwayModel:
    """Kling 3.0 and O3: text and images at their sizes; O3 also edits a video."""
    task = Task(ratios, secs.KLING3)
    edit = (  # the SDK's video_to_video type for O3 has no `audio`
        Task(durations=(5,), timed=False, video_field="promptVideo", lacks=frozenset({"audio"}))
        if omni
        else None
    )
    options = ("audio",) if omni else ("audio", "cfgScale")
    return _model(name, text=task, image=task, last_frame=True, video=edit, options=options)


def _seedance(name: str, ratios: tuple[str, ...], lengths: tuple[int, ...]) -> RunwayModel:
    task = Task(ratios, lengths)
    edit = Task(ratios, lengths, video_field="promptVideo")
    return _model(
        name, text=task, image=task, last_frame=True, video=edit, seeded=True, options=("audio",)
    )


# The defaults per task (models.DEFAULT_PREFERENCE) come first; the rest follow the SDK.
CATALOGUE: tuple[RunwayModel, ...] = (
    _model(
        "gen4.5",
        text=Task(WIDE_TALL, secs.GEN45),
        image=Task(GEN4, secs.GEN45),
        seeded=True,
        options=("contentModeration",),
        prompt_required=True,
    ),
    _model(
        "gen4_turbo", image=Task(GEN4, secs.GEN4_TURBO), seeded=True, options=("contentModeration",)
    ),
    *(
        _model(
            name,
            text=Task(VEO, secs.VEO),
            image=Task(VEO, secs.VEO),
            last_frame=True,
            seeded=True,
            options=("audio", "negativePrompt"),
        )
        for name in ("veo3.1", "veo3.1_fast")
    ),
    _model(
        "aleph2",
        video=Task(GEN4, (5,), timed=False),
        seeded=True,
        options=("contentModeration",),
    ),
    _model(
        "act_two",
        act=Task(GEN4, (5,), timed=False),
        seeded=True,
        options=("contentModeration", "expressionIntensity"),
    ),
    _model(
        "kling2.5_turbo_pro",
        text=Task(KLING_25, secs.KLING25),
        image=Task(durations=secs.KLING25),
        last_frame=True,
        options=("cfgScale",),
        prompt_required=True,
    ),
    _kling3("kling3.0_standard", KLING_STANDARD, omni=False),
    _kling3("kling3.0_pro", KLING_PRO, omni=False),
    _kling3("kling3.0_4k", KLING_4K, omni=False),
    _kling3("klingO3_standard", KLING_STANDARD, omni=True),
    _kling3("klingO3_pro", KLING_PRO, omni=True),
    _kling3("klingO3_4k", KLING_4K, omni=True),
    _model(
        "kling_4",
        text=Task(KLING_4, secs.KLING4),
        image=Task(durations=secs.KLING4),
        video=_FOLLOWS_INPUT,
    ),
    _model(
        "hailuo3",
        text=Task(HAILUO, secs.HAILUO3),
        image=Task(HAILUO, secs.HAILUO3),
        video=Task(HAILUO, secs.HAILUO3, video_field="promptVideo"),
        options=("resolution",),
        prompt_required=True,
        resolutions=("768p", "2k"),  # the SDK's upper-case spellings are deprecated
    ),
    _model(
        "happyhorse_1_0",
        text=Task(HAPPYHORSE, secs.HAPPYHORSE, lacks=frozenset({"resolution"})),
        image=Task(durations=secs.HAPPYHORSE),
        options=("resolution",),
        resolutions=("720p", "1080p"),
    ),
    _seedance("seedance2", SEEDANCE, secs.SEEDANCE2),
    _seedance("seedance2_fast", SEEDANCE_FAST, secs.SEEDANCE2),
    _seedance("seedance2_mini", SEEDANCE_FAST, secs.SEEDANCE2),
    _seedance("seedance2_5", SEEDANCE_25, secs.SEEDANCE25),
    _model(
        "gemini_omni_flash",
        text=Task(WIDE_TALL, secs.GEMINI),
        image=Task(WIDE_TALL, secs.GEMINI),
        video=_FOLLOWS_INPUT,
    ),
    _model(
        "gemini_omni_flash_1.1",
        text=Task(GEMINI_11, secs.GEMINI),
        image=Task(GEMINI_11, secs.GEMINI),
        last_frame=True,
        video=Task(GEMINI_11, secs.GEMINI),
        prompt_required=True,
    ),
    _model(
        "grok_imagine_1_5",
        text=Task(GROK_TEXT, secs.GROK),
        image=Task(durations=secs.GROK),
        options=("resolution",),
        resolutions=("480p", "720p", "1080p"),
    ),
    _model(
        "grok_imagine_1_5_lite",
        text=Task(GROK_LITE_TEXT, secs.GROK),
        image=Task(durations=secs.GROK),
    ),
    *(
        _model(
            name,
            text=Task(WAN, lengths),
            image=Task(WAN, lengths),
            options=("audio",),
            prompt_required=True,
        )
        for name, lengths in (("wan3", secs.WAN3), ("wan3_prime", secs.UNDOCUMENTED))
    ),
    _model(
        "h3_max",
        text=Task(durations=secs.H3_MAX),
        image=Task(durations=secs.H3_MAX),
        last_frame=True,
        seeded=True,
        options=("resolution",),
        prompt_required=True,
        resolutions=("480p", "768p"),
    ),
)
CATALOGUE_BY_NAME: dict[str, RunwayModel] = {row.name: row for row in CATALOGUE}
OFFICIAL_SPECS: tuple[ModelSpec, ...] = tuple(s for row in CATALOGUE for s in row.specs())
