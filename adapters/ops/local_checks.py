"""The checks of `videobot doctor` that stay on this machine: the settings (each malformed
or missing one named, then replaced by its default so the other checks still run), the
database and its schema, and the folder for downloads and renders.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from adapters.ops.checks import FAIL, OK, WARN, Check
from bot import blocklist, results
from bot.config import Settings
from bot.storage import display_url
from bot.storage.health import existing_ancestor, inspect_store

LOW_DISK = 1_000_000_000  # bytes; below this the data dir check warns
TELEGRAM_TOKEN = re.compile(r"^\d{5,12}:[A-Za-z0-9_-]{30,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


# configuration


def _env_name(field: str) -> str:
    return field.upper()


def load_settings() -> tuple[Settings, list[Check]]:
    """Settings from the environment and .env, plus a FAIL row per malformed setting.

    A malformed setting is replaced by its default, so the other checks can still run.
    """
    problems: list[Check] = []
    overrides: dict[str, Any] = {}
    while True:
        try:
            return Settings(**overrides), problems
        except ValidationError as exc:
            bad: dict[str, str] = {}
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else ""
                if field not in Settings.model_fields or field in overrides or field in bad:
                    continue
                message = err["msg"].removeprefix("Value error, ")
                secret = field.endswith(("_key", "_token", "_secret"))
                given = err.get("input")
                if field == "database_url" and isinstance(given, str):
                    given = display_url(given)  # a password in it stays unshown
                if not secret and isinstance(given, str | int | float):
                    message += f" (got {str(given)[:40]!r})"
                bad[field] = message
            if not bad:
                raise
            for field, message in bad.items():
                problems.append(Check(f"config {_env_name(field)}", FAIL, message))
                info = Settings.model_fields[field]
                overrides[field] = info.get_default(call_default_factory=True)


def url_problem(value: str) -> str | None:
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL:
        return "not a URL"
    if url.scheme not in ("http", "https") or not url.host:
        return "expected http(s)://host[:port]"
    return None


def config_checks(settings: Settings) -> list[Check]:
    """Settings that parse but cannot work, then one summary row."""
    rows: list[Check] = []
    for vendor_id in settings.video_vendors:
        if vendor_id == "local":
            continue
        conf = settings.vendor(vendor_id)
        problem = url_problem(conf.base_url)
        if problem:
            rows.append(Check(f"config {conf.base_url_env}", FAIL, problem))
    if settings.telegram_bot_token:
        problem = url_problem(settings.telegram_api_url)
        if problem:
            rows.append(Check("config TELEGRAM_API_URL", FAIL, problem))
        if not TELEGRAM_TOKEN.match(settings.telegram_bot_token.get_secret_value()):
            rows.append(
                Check("config TELEGRAM_BOT_TOKEN", FAIL, "malformed: expected 123456789:AA…")
            )
    if settings.callback_base_url:
        problem = url_problem(settings.callback_base_url)
        if problem:
            rows.append(Check("config CALLBACK_BASE_URL", FAIL, problem))
        elif not settings.callback_base_url.startswith("https://"):
            rows.append(
                Check("config CALLBACK_BASE_URL", WARN, "vendors only call back to https URLs")
            )
    if settings.log_level.upper() not in LOG_LEVELS:
        rows.append(Check("config LOG_LEVEL", FAIL, f"expected one of {', '.join(LOG_LEVELS)}"))
    if settings.log_format.lower() not in ("text", "json"):
        rows.append(Check("config LOG_FORMAT", WARN, "expected text or json; using text"))
    if settings.prompt_blocklist is not None:
        try:
            blocklist.load(settings.prompt_blocklist)
        except blocklist.BlocklistError as exc:
            rows.append(Check("config PROMPT_BLOCKLIST", FAIL, str(exc)))
    if not rows:
        adapters = [
            name
            for name, token in (
                ("telegram", settings.telegram_bot_token),
                ("discord", settings.discord_bot_token),
            )
            if token
        ] or ["console (no chat token set)"]
        source = "environment and ./.env" if Path(".env").is_file() else "environment (no ./.env)"
        detail = (
            f"from the {source}; vendors {', '.join(settings.video_vendors)}; "
            f"adapters {', '.join(adapters)}"
        )
        if settings.metrics_port:
            detail += f"; metrics on {settings.metrics_host}:{settings.metrics_port}"
        rows.append(Check("config", OK, detail))
    return rows


# storage


def database_check(settings: Settings) -> Check:
    """The database is writable (or creatable) and migrated to this build's schema."""
    health = inspect_store(settings.database_url)
    return Check("database", {"ok": OK, "warn": WARN, "fail": FAIL}[health.status], health.detail)


def data_dir_check(settings: Settings) -> Check:
    """Downloads and local renders go to DATA_DIR (default: the database's folder)."""
    try:
        folder = settings.work_dir
    except ValueError as exc:
        return Check("data dir", FAIL, str(exc))
    existing = existing_ancestor(folder)
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return Check("data dir", FAIL, f"{folder} is not writable")
    free = shutil.disk_usage(existing).free
    detail = f"{folder}: writable, {free / 1e9:.1f} GB free"
    return Check("data dir", WARN if free < LOW_DISK else OK, detail)


def results_check(settings: Settings) -> Check:
    """The kept results (RESULT_RETENTION_DAYS): how many, and the space they use."""
    days = settings.result_retention_days
    kept = results.usage(settings.results_dir)
    if days == 0 and not kept.files:
        return Check("kept results", OK, "off (RESULT_RETENTION_DAYS=0)")
    detail = f"{kept.files} video(s), {kept.bytes / 1e6:.1f} MB in {settings.results_dir}"
    return Check("kept results", OK, f"{detail}, kept {days:g} day(s)")
