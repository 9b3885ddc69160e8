"""What every settings class shares (the core's in bot/config.py and the adapters'): the
environment and `.env`, blank values read as unset, comma lists, and one vendor's settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def comma_list(value: Any) -> Any:
    """`a, b,c` from the environment -> ["a", "b", "c"]; a lone number -> [number]."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class EnvSettings(BaseSettings):
    """Base of every settings class (the core's and the adapters'): environment and .env."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, values: Any) -> Any:
        """`TELEGRAM_BOT_TOKEN=` in a copied .env.example means "not set", not "empty token"."""
        if isinstance(values, dict):
            return {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}
        return values


@dataclass(frozen=True)
class VendorSettings:
    """One vendor's key and API root, and the variables they come from (to name in errors)."""

    id: str
    api_key: str | None
    base_url: str
    key_env: str = ""
    base_url_env: str = ""
