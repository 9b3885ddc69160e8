"""The settings an admin may change at run time (`/settings`, `videobot settings`), each
named by its environment variable and checked by the settings class that reads it there,
so a value is accepted or refused, with the same message, wherever it is typed.

The core's keys are here; the adapters add theirs (`adapters/settings_keys.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bot.config import EnvSettings, Settings


def problems(exc: ValidationError, prefix: str = "") -> str:
    """A settings class's validation errors in one line, each led by its variable's name
    (`MAX_JOBS_PER_USER: Input should be greater than or equal to 1`): how a bad value is
    refused, from the environment at start or from `/settings` at run time."""
    return "; ".join(
        f"{prefix}{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
        for err in exc.errors()
    )


class SettingRefused(Exception):
    """A setting name or value that cannot be used; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class SettingKey:
    """One changeable setting: its variable, the settings class and field that read it."""

    env: str
    model: type[EnvSettings]
    field: str

    def check(self, text: str) -> Any:
        """The value `text` gives this setting, validated as the environment's would be;
        SettingRefused with the same message otherwise."""
        if not text.strip():
            raise SettingRefused(f"{self.env}: give a value (or reset it to the environment's)")
        target = self.model.model_construct()  # its defaults, without reading the environment
        try:
            self.model.__pydantic_validator__.validate_assignment(target, self.field, text)
        except ValidationError as exc:
            prefix = str(self.model.model_config.get("env_prefix") or "").upper()
            raise SettingRefused(problems(exc, prefix)) from None
        return getattr(target, self.field)


CORE_KEYS: tuple[SettingKey, ...] = (
    SettingKey("VIDEO_VENDORS", Settings, "video_vendors"),
    SettingKey("VIDEO_DEFAULT_MODELS", Settings, "video_default_models"),
    SettingKey("QUOTA_CREDITS_PER_DAY", Settings, "quota_credits_per_day"),
    SettingKey("MAX_JOBS_PER_USER", Settings, "max_jobs_per_user"),
)


def shown(value: Any) -> str:
    """A setting's value as it would be written in the environment (and is stored):
    lists comma separated, tables as KEY:VALUE pairs."""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def find(keys: Sequence[SettingKey], name: str) -> SettingKey:
    """The key named `name` (any case); SettingRefused naming the known ones."""
    for key in keys:
        if key.env == name.strip().upper():
            return key
    known = ", ".join(k.env for k in keys)
    raise SettingRefused(
        f"{name.strip() or '(none)'} is not a setting to change here; known: {known}"
    )
