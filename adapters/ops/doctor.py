"""`videobot doctor`: is this installation able to run? One table, non-zero exit on a failure.

Checks, in order:

- config: every setting parses; each malformed or missing one is named (a malformed one falls
  back to its default so the remaining checks still run);
- database: the SQLite file is writable (or can be created) and its schema is current;
- data dir: the folder for downloads and renders is writable, with free space;
- one row per vendor in VIDEO_VENDORS: the key is set and, where the vendor offers a cheap
  authenticated call, accepted; "not checked" where it offers none;
- telegram (`getMe`) and discord (`GET /users/@me`), when their tokens are set.

Nothing here prints a secret: rows name the variable to fix, never its value, and every row
passes through the redactor that knows each configured secret (a vendor may echo its key).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx
from pydantic import ValidationError

from bot.config import Settings
from bot.errors import AuthError, OutOfCredits, RateLimited, VendorError
from bot.logs import configure_logging
from bot.redact import redact
from bot.storage.health import existing_ancestor, inspect_store
from bot.vendors import VENDORS
from bot.vendors.base import Account

OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"

DISCORD_API = "https://discord.com/api/v10"
TIMEOUT = 10.0  # seconds per network check
LOW_DISK = 1_000_000_000  # bytes; below this the data dir check warns
TELEGRAM_TOKEN = re.compile(r"^\d{5,12}:[A-Za-z0-9_-]{30,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # ok | warn | FAIL | skip
    detail: str


def add_parser(sub: Any) -> None:
    sub.add_parser(
        "doctor",
        help="check configuration, database, vendor keys and chat tokens",
        description="Check the configuration, the database, each vendor's key (where the "
        "vendor has a cheap authenticated call) and the chat tokens. Prints a table; exits "
        "with 1 when a check failed.",
    )


def main(out: TextIO | None = None) -> int:
    """`videobot doctor`: run every check, print the table, 1 if anything failed."""
    out = out or sys.stdout
    settings, checks = load_settings()
    configure_logging("WARNING", settings.log_format, settings.secrets())
    checks += asyncio.run(run_checks(settings))
    print_report(checks, out)
    return 1 if any(c.status == FAIL for c in checks) else 0


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
                if not secret and isinstance(err.get("input"), str | int | float):
                    message += f" (got {str(err['input'])[:40]!r})"
                bad[field] = message
            if not bad:
                raise
            for field, message in bad.items():
                problems.append(Check(f"config {_env_name(field)}", FAIL, message))
                info = Settings.model_fields[field]
                overrides[field] = info.get_default(call_default_factory=True)


def _url_problem(value: str) -> str | None:
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
        problem = _url_problem(conf.base_url)
        if problem:
            rows.append(Check(f"config {conf.base_url_env}", FAIL, problem))
    if settings.telegram_bot_token:
        problem = _url_problem(settings.telegram_api_url)
        if problem:
            rows.append(Check("config TELEGRAM_API_URL", FAIL, problem))
        if not TELEGRAM_TOKEN.match(settings.telegram_bot_token.get_secret_value()):
            rows.append(
                Check("config TELEGRAM_BOT_TOKEN", FAIL, "malformed: expected 123456789:AA…")
            )
    if settings.callback_base_url:
        problem = _url_problem(settings.callback_base_url)
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


# vendors


def _account_check(account: Account) -> tuple[str, str]:
    if account.runway_accounts is not None:
        if not account.runway_accounts:
            return WARN, "key accepted, but no Runway account is configured at useapi.net"
        return OK, f"key accepted; {account.runway_accounts} Runway account(s) configured"
    if account.credits is None:
        return OK, "key accepted"
    if account.credits <= 0:
        return WARN, "key accepted, but the account has no credits left"
    return OK, f"key accepted; {account.credits:g} credits"


async def vendor_check(settings: Settings, vendor_id: str, http: httpx.AsyncClient) -> Check:
    name = f"vendor {vendor_id}"
    if vendor_id == "local":
        try:
            from bot.vendors.local import ffmpeg_exe

            exe = await asyncio.to_thread(ffmpeg_exe)
        except Exception as exc:
            return Check(name, FAIL, f"ffmpeg not found for offline renders: {exc}")
        return Check(name, OK, f"offline renderer; ffmpeg at {exe}")
    cls = VENDORS.get(vendor_id)
    if cls is None:
        return Check(name, FAIL, "this build has no client for it")
    conf = settings.vendor(vendor_id)
    var = conf.key_env
    if cls.needs_key and not conf.api_key:
        return Check(name, FAIL, f"{var} is not set")
    if _url_problem(conf.base_url):
        return Check(name, FAIL, "its base URL is malformed (see the config row)")
    client = cls(api_key=conf.api_key, base_url=conf.base_url, http=http)
    where = client.origin
    try:
        account = await asyncio.wait_for(client.account(), TIMEOUT + 5)
        if account is None:
            return Check(name, SKIP, "not checked: the vendor has no cheap authenticated call")
        status, detail = _account_check(account)
    except AuthError as exc:
        return Check(name, FAIL, f"key rejected{_http(exc)} by {where}: check {var}")
    except OutOfCredits as exc:
        return Check(name, FAIL, f"key accepted, but the account is out of credits{_http(exc)}")
    except RateLimited:
        return Check(name, WARN, f"{where} is rate limiting; key not confirmed")
    except VendorError as exc:
        if exc.status is None:
            return Check(name, FAIL, f"unreachable at {where}: {exc.message}")
        return Check(name, FAIL, f"{where} answered{_http(exc)}: {exc.message[:80]}")
    except TimeoutError:
        return Check(name, FAIL, f"unreachable at {where}: no answer in {TIMEOUT + 5:.0f} s")
    finally:
        await client.aclose()
    return Check(name, status, detail)


def _http(exc: VendorError) -> str:
    return f" (HTTP {exc.status})" if exc.status else ""


# chat platforms


async def telegram_check(settings: Settings, http: httpx.AsyncClient) -> Check:
    token = settings.telegram_bot_token
    if not token:
        return Check("telegram", SKIP, "TELEGRAM_BOT_TOKEN not set: adapter off")
    secret = token.get_secret_value()
    if not TELEGRAM_TOKEN.match(secret) or _url_problem(settings.telegram_api_url):
        return Check("telegram", SKIP, "not checked: fix the config rows first")
    api = settings.telegram_api_url.rstrip("/")
    try:
        response = await http.get(f"{api}/bot{secret}/getMe")
    except httpx.HTTPError as exc:  # never str(exc): the URL holds the token
        return Check("telegram", FAIL, f"{api} unreachable: {type(exc).__name__}")
    if response.status_code in (401, 404):
        return Check(
            "telegram",
            FAIL,
            f"token rejected (HTTP {response.status_code}): check TELEGRAM_BOT_TOKEN",
        )
    result = _json(response).get("result")
    if response.status_code != 200 or not isinstance(result, dict):
        return Check("telegram", FAIL, f"{api} answered HTTP {response.status_code}")
    where = "" if api == "https://api.telegram.org" else f" via {api}"
    return Check("telegram", OK, f"getMe: @{result.get('username', '?')}{where}")


async def discord_check(settings: Settings, http: httpx.AsyncClient) -> Check:
    token = settings.discord_bot_token
    if not token:
        return Check("discord", SKIP, "DISCORD_BOT_TOKEN not set: adapter off")
    headers = {"Authorization": f"Bot {token.get_secret_value()}"}
    try:
        response = await http.get(f"{DISCORD_API}/users/@me", headers=headers)
    except httpx.HTTPError as exc:
        return Check("discord", FAIL, f"{DISCORD_API} unreachable: {type(exc).__name__}")
    if response.status_code == 401:
        return Check("discord", FAIL, "token rejected (HTTP 401): check DISCORD_BOT_TOKEN")
    body = _json(response)
    if response.status_code != 200 or "id" not in body:
        return Check("discord", FAIL, f"{DISCORD_API} answered HTTP {response.status_code}")
    return Check("discord", OK, f"logged in as {body.get('username', '?')} (id {body['id']})")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# running and printing


async def run_checks(settings: Settings) -> list[Check]:
    """Every check after the settings loaded; the network ones run concurrently."""
    checks = config_checks(settings)
    checks.append(await asyncio.to_thread(database_check, settings))
    checks.append(await asyncio.to_thread(data_dir_check, settings))
    timeout = httpx.Timeout(TIMEOUT, connect=min(5.0, TIMEOUT))
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as http:
        network = await asyncio.gather(
            *(vendor_check(settings, v, http) for v in settings.video_vendors),
            telegram_check(settings, http),
            discord_check(settings, http),
        )
    return checks + list(network)


def print_report(checks: list[Check], out: TextIO) -> None:
    width = max(len("CHECK"), *(len(c.name) for c in checks))
    print(f"{'CHECK'.ljust(width)}  STATUS  DETAIL", file=out)
    for c in checks:
        print(f"{c.name.ljust(width)}  {c.status.ljust(6)}  {redact(c.detail)}", file=out)
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    if failed:
        print(f"\n{failed} check(s) failed, {warned} warning(s)", file=out)
    else:
        print(f"\nall checks passed, {warned} warning(s)", file=out)
