"""The checks of `videobot doctor` that go over the network: one per vendor in VIDEO_VENDORS
(its key accepted, where the vendor offers a cheap authenticated call), Telegram's `getMe`
and Discord's `GET /users/@me` when their tokens are set. Rows name the variable to fix,
never its value.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from adapters.ops.checks import FAIL, OK, SKIP, WARN, Check
from adapters.ops.local_checks import TELEGRAM_TOKEN, url_problem
from bot.config import Settings
from bot.errors import AuthError, OutOfCredits, RateLimited, VendorError
from bot.vendors import VENDORS
from bot.vendors.base import Account

DISCORD_API = "https://discord.com/api/v10"
TIMEOUT = 10.0  # seconds per network check


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
    if url_problem(conf.base_url):
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
    if not TELEGRAM_TOKEN.match(secret) or url_problem(settings.telegram_api_url):
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
