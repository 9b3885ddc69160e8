"""The Telegram adapter's own settings (TELEGRAM_*), beside the core's token and API root."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from bot.config import EnvSettings, comma_list

OFFICIAL_API_HOST = "api.telegram.org"
CLOUD_UPLOAD_MB = 50  # sendVideo limit of Telegram's own Bot API
LOCAL_UPLOAD_MB = 2000  # limit of a self-hosted Bot API server (`--local`)
CLOUD_DOWNLOAD_BYTES = 20 * 1000 * 1000  # getFile limit of Telegram's own Bot API


def is_official(api_url: str) -> bool:
    """Whether TELEGRAM_API_URL is Telegram's own Bot API rather than a self-hosted server."""
    try:
        return httpx.URL(api_url).host == OFFICIAL_API_HOST
    except Exception:
        return False


class TelegramSettings(EnvSettings):
    """TELEGRAM_ALLOWED_CHATS, TELEGRAM_WEBHOOK_*, TELEGRAM_UPLOAD_LIMIT_MB."""

    model_config = SettingsConfigDict(env_prefix="TELEGRAM_")

    # Chat ids where the bot serves (groups are negative); empty means everywhere.
    allowed_chats: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # Public https URL Telegram posts updates to; unset means long polling.
    webhook_url: str | None = None
    # host:port the webhook server listens on (behind the HTTPS proxy).
    webhook_listen: str = "0.0.0.0:8443"
    # X-Telegram-Bot-Api-Secret-Token; derived from the bot token when unset.
    webhook_secret: SecretStr | None = None
    # Largest video uploaded with sendVideo; larger ones are sent as a link.
    upload_limit_mb: float | None = Field(None, gt=0)

    @field_validator("allowed_chats", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        return comma_list(value)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            secret = value.get_secret_value()
            if not 1 <= len(secret) <= 256 or not all(c.isalnum() or c in "_-" for c in secret):
                raise ValueError("use 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError("expected host:port, e.g. 0.0.0.0:8443")
        return value.strip()

    @property
    def listen(self) -> tuple[str, int]:
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    def upload_limit_bytes(self, api_url: str) -> int:
        """Bytes sendVideo may carry: the override, or what the Bot API server allows."""
        if self.upload_limit_mb is not None:
            return int(self.upload_limit_mb * 1000 * 1000)
        mb = CLOUD_UPLOAD_MB if is_official(api_url) else LOCAL_UPLOAD_MB
        return mb * 1000 * 1000
