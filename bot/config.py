"""Settings, read once from the environment and `.env` and passed down explicitly.

The variable names are the public interface operators deploy with; `.env.example`
documents every one of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from bot import costs, spend
from bot.default_models import parse_default_models
from bot.models import UserRef
from bot.packs import CreditPack, parse_packs, parse_skus
from bot.settings_base import EnvSettings as EnvSettings
from bot.settings_base import VendorSettings as VendorSettings
from bot.settings_base import comma_list as comma_list
from bot.storage.errors import POSTGRES_SCHEMES
from bot.vendors import VENDORS


class Settings(EnvSettings):
    """Every setting of the core. Secrets are SecretStr so they never print."""

    video_vendors: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["local"])
    # The model per task when the user names none (bot.default_models); else the vendor's.
    video_default_models: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    video_poll_interval: float = Field(5.0, gt=0)
    video_job_timeout: float = Field(900.0, gt=0)
    video_max_bytes: int = Field(2_000_000_000, gt=0)  # download cap for finished videos
    video_download_timeout: float = Field(600.0, gt=0)  # one result download, in all

    quota_credits_per_day: int = Field(10, ge=0)
    # Prices by model and length (bot.costs); models it leaves out cost what Runway charges.
    quota_costs: Annotated[dict[str, float], NoDecode] = Field(default_factory=dict)
    admin_user_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The operator's money: vendor prices in USD a second (bot.spend), the vendor balances
    # that alert the admins (vendor:amount, in the vendor's unit), a cap on a UTC day's spend.
    vendor_prices: Annotated[dict[str, float], NoDecode] = Field(default_factory=dict)
    vendor_balance_alert: Annotated[dict[str, float], NoDecode] = Field(default_factory=dict)
    daily_spend_limit: float | None = Field(None, gt=0)
    max_jobs_per_user: int = Field(2, ge=1)
    # A job costing more asks Confirm / Cancel first; the question lapses, free, after this.
    confirm_above_credits: int = Field(3, ge=0)
    confirm_timeout: float = Field(300.0, gt=0)

    # Bought credits: Telegram Stars packs (credits:Stars,…), Discord SKUs (SKU_ID:credits,…),
    # and the /paysupport and /terms answers (a default text when unset).
    credit_packs: Annotated[list[CreditPack], NoDecode] = Field(default_factory=list)
    discord_credit_skus: Annotated[dict[int, int], NoDecode] = Field(default_factory=dict)
    paysupport_text: str | None = None
    terms_text: str | None = None

    # sqlite:///path/to/file.db (the default, one process) or postgresql://user:pass@host/db
    database_url: str = "sqlite:///./data/videobot.db"
    # Several processes on one PostgreSQL database: a process drives a job while it holds
    # the job's lease, renewed every third of this; others take over this long after it died.
    video_lease_seconds: float = Field(30.0, gt=0)
    # Downloads and local renders; default: the SQLite file's folder, or ./data on PostgreSQL.
    data_dir: Path | None = None
    # Days a delivered video is kept under the data folder for /show; 0 keeps none.
    result_retention_days: float = Field(7, ge=0)
    # Delete the status message in group chats once the video or the refund notice is out.
    group_cleanup: bool = False

    # Each vendor's X_API_KEY and X_BASE_URL; its client class names them (key_env,
    # base_url_env) and knows its documented API root.
    runway_api_key: SecretStr | None = None
    runway_base_url: str | None = None
    gptge_api_key: SecretStr | None = None
    gptge_base_url: str | None = None
    openai_hk_api_key: SecretStr | None = None
    openai_hk_base_url: str | None = None
    apiframe_api_key: SecretStr | None = None
    apiframe_base_url: str | None = None
    aimlapi_api_key: SecretStr | None = None
    aimlapi_base_url: str | None = None
    useapi_api_key: SecretStr | None = None
    useapi_base_url: str | None = None

    # Public https URL the vendors can reach for callbacks (notify_hook, replyUrl, webhooks).
    callback_base_url: str | None = None
    # HOST:PORT the bot's callback server listens on; started only with CALLBACK_BASE_URL.
    # This host only by default: a reverse proxy in front serves CALLBACK_BASE_URL.
    callback_listen: str = "127.0.0.1:8090"

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    # Read by the Telegram adapter; declared here too so the log filter redacts it.
    telegram_webhook_secret: SecretStr | None = None
    discord_bot_token: SecretStr | None = None

    log_level: str = "INFO"
    log_format: str = "text"

    # A file of words and regular expressions no prompt may contain (bot/blocklist.py).
    prompt_blocklist: Path | None = None

    # The bot's queue and routing (README: "Queue, limits, ETA and routing").
    max_queued_per_user: int = Field(5, ge=0)  # waiting in the bot's queue, beyond those above
    video_queue_timeout: float = Field(3600.0, gt=0)  # longest wait in the bot's queue
    video_routing: Literal["order", "fastest"] = "order"
    video_breaker_failures: int = Field(5, ge=1)  # failed creates in a row that open a breaker
    video_breaker_cooldown: float = Field(120.0, gt=0)  # seconds skipped before a probe job
    # <ID>_MAX_CONCURRENT: tasks at once at that vendor (per model where it limits per model);
    # unset: what the vendor reports, else DEFAULT_MAX_CONCURRENT (bot/routing/capacity.py).
    runway_max_concurrent: int | None = Field(None, ge=1)
    gptge_max_concurrent: int | None = Field(None, ge=1)
    openai_hk_max_concurrent: int | None = Field(None, ge=1)
    apiframe_max_concurrent: int | None = Field(None, ge=1)
    aimlapi_max_concurrent: int | None = Field(None, ge=1)
    useapi_max_concurrent: int | None = Field(None, ge=1)
    local_max_concurrent: int | None = Field(None, ge=1)

    # Prometheus metrics and health endpoints; off unless METRICS_PORT is set.
    metrics_port: int | None = Field(None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"  # this host only, unless the operator opens it up
    # This process among several on one database (the metrics' `process` label); host:pid
    # when unset.
    videobot_process_id: str | None = Field(None, min_length=1, max_length=200)

    @field_validator("video_vendors", "admin_user_ids", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        return comma_list(value)

    @field_validator("video_vendors")
    @classmethod
    def _known_vendors(cls, value: list[str]) -> list[str]:
        ids = [v.lower() for v in value]
        unknown = [v for v in ids if v not in VENDORS]
        if unknown:
            known = ", ".join(VENDORS)
            raise ValueError(f"unknown vendor {', '.join(unknown)}; known: {known}")
        return ids or ["local"]

    @field_validator("video_default_models", mode="before")
    @classmethod
    def _default_models(cls, value: Any) -> dict[str, str]:
        return parse_default_models(value)

    @field_validator("credit_packs", mode="before")
    @classmethod
    def _packs(cls, value: Any) -> list[CreditPack]:
        return parse_packs(value)

    @field_validator("discord_credit_skus", mode="before")
    @classmethod
    def _skus(cls, value: Any) -> dict[int, int]:
        return parse_skus(value)

    @field_validator("quota_costs", mode="before")
    @classmethod
    def _cost_table(cls, value: Any) -> dict[str, float]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not JSON ({exc.msg} at character {exc.pos})") from None
        return costs.check_table(value)

    @field_validator("vendor_prices", mode="before")
    @classmethod
    def _prices(cls, value: Any) -> Any:
        return spend.parse_prices(value) if isinstance(value, str) else value

    @field_validator("vendor_balance_alert", mode="before")
    @classmethod
    def _alerts(cls, value: Any) -> Any:
        return spend.parse_thresholds(value) if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value.startswith(POSTGRES_SCHEMES):
            try:
                parts = urlsplit(value)
                parts.port  # noqa: B018  # a port that is not a number raises here
            except ValueError:
                parts = None
            if parts is None or (not parts.hostname and "host=" not in value):
                raise ValueError("expected postgresql://user:password@host:5432/database")
            return value
        if not value.startswith("sqlite:///") or value == "sqlite:///":
            raise ValueError(
                "expected sqlite:///path/to/file.db or postgresql://user:password@host/database"
            )
        return value

    @field_validator("admin_user_ids")
    @classmethod
    def _user_refs(cls, value: list[str]) -> list[str]:
        return [str(UserRef.parse(v)) for v in value]

    def vendor(self, vendor_id: str) -> VendorSettings:
        """The settings of a vendor in VENDORS, read from the variables its class names."""
        cls = VENDORS[vendor_id]
        key = self._setting(cls.key_env)
        base = self._setting(cls.base_url_env)
        return VendorSettings(
            id=vendor_id,
            api_key=key.get_secret_value() if isinstance(key, SecretStr) else None,
            base_url=(base if isinstance(base, str) and base else cls.default_base_url).rstrip("/"),
            key_env=cls.key_env,
            base_url_env=cls.base_url_env,
        )

    def _setting(self, env: str) -> object:
        """The value of the field that environment variable `env` sets; None when unnamed."""
        return getattr(self, env.lower(), None) if env else None

    def secrets(self) -> list[str]:
        """Every configured secret value, for the log redaction filter: the SecretStr
        settings and the password inside DATABASE_URL."""
        values = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                values.append(value.get_secret_value())
        password = self.database_password
        if password:
            values += [password, unquote(password)]  # as written, and as sent
        return values

    @property
    def database_password(self) -> str | None:
        try:
            return urlsplit(self.database_url).password
        except ValueError:
            return None

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:///")

    @property
    def sqlite_path(self) -> Path:
        url = self.database_url
        if not url.startswith("sqlite:///"):
            raise ValueError("DATABASE_URL must look like sqlite:///path/to/file.db")
        return Path(url.removeprefix("sqlite:///"))

    @property
    def work_dir(self) -> Path:
        """Where downloads and local renders go: DATA_DIR, else beside the SQLite file,
        else ./data."""
        if self.data_dir is not None:
            return self.data_dir
        return self.sqlite_path.parent if self.uses_sqlite else Path("data")

    def max_concurrent(self, vendor_id: str) -> int | None:
        """The operator's <ID>_MAX_CONCURRENT for a vendor; None when unset."""
        value = getattr(self, vendor_id.replace("-", "_") + "_max_concurrent", None)
        return value if isinstance(value, int) else None

    @property
    def results_dir(self) -> Path:
        """Where delivered videos are kept for RESULT_RETENTION_DAYS."""
        return self.work_dir / "results"

    def is_admin(self, user: UserRef) -> bool:
        return str(user) in self.admin_user_ids

    def cost(self, model: str, duration: int) -> int:
        """Credits for a `duration`-second video of `model` (bot.costs)."""
        return costs.cost(self.quota_costs, model, duration)
