"""VIDEO_DEFAULT_MODELS: the model each task uses when the user names none, instead of each
vendor's own default (`text:veo3.1_fast,image:gen4_turbo`).

A model is checked against every vendor this build knows, so a typo is refused with the
models that do the task; one the configured vendors do not serve is skipped when a video is
planned (the vendors' defaults apply), never a reason to refuse the user.
"""

from __future__ import annotations

from typing import Any

from bot.models import Mode
from bot.vendors import VENDORS

TASKS = (Mode.TEXT, Mode.IMAGE, Mode.FIRST_LAST, Mode.VIDEO, Mode.ACT)


def _models_for(mode: Mode) -> list[str]:
    names = (s.name for cls in VENDORS.values() for s in cls.capabilities.models if mode in s.modes)
    return list(dict.fromkeys(names))


def _api_name(mode: Mode, typed: str) -> str | None:
    for cls in VENDORS.values():
        for spec in cls.capabilities.models:
            if mode in spec.modes and spec.answers_to(typed):
                return spec.name
    return None


def parse_default_models(value: Any) -> dict[str, str]:
    """`text:gen4.5, image:Gen-4 Turbo` -> {"text": "gen4.5", "image": "gen4_turbo"};
    ValueError naming the task or model that is wrong, and what would do."""
    if isinstance(value, dict):
        pairs = [(str(k), str(v)) for k, v in value.items()]
    else:
        pairs = []
        for part in str(value).split(","):
            if not part.strip():
                continue
            task, sep, model = part.partition(":")
            if not sep:
                raise ValueError(f"expected TASK:MODEL, got {part.strip()!r}")
            pairs.append((task, model))
    tasks = ", ".join(m.value for m in TASKS)
    result: dict[str, str] = {}
    for task, model in pairs:
        try:
            mode = Mode(task.strip().lower())
        except ValueError:
            mode = None
        if mode not in TASKS:
            raise ValueError(f"unknown task {task.strip()!r}; tasks: {tasks}")
        assert mode is not None
        name = _api_name(mode, model.strip())
        if name is None:
            known = ", ".join(_models_for(mode))
            raise ValueError(f"no vendor makes {mode.value} videos with {model.strip()!r}: {known}")
        result[mode.value] = name
    return result
