"""`videobot doctor` against the vendor emulators and small Telegram/Discord stand-ins, all on
127.0.0.1: right keys, a wrong key, an unreachable vendor, malformed settings, database states.

The CLI runs in a worker thread (it calls asyncio.run) while the servers run in the test loop.
"""

from __future__ import annotations

import asyncio
import io
import socket
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp import web
from pydantic import ValidationError

from adapters.cli import main
from adapters.ops import local_checks, remote_checks
from adapters.ops.checks import FAIL, OK, SKIP, WARN, Check, print_report
from bot.config import Settings
from bot.storage.sqlite import MIGRATIONS, SqliteStore
from tests.emulators.apiframe import ApiframeEmulator
from tests.emulators.runway import RunwayEmulator
from tests.emulators.useapi import UseapiEmulator

RUNWAY_KEY = "key_" + "ab" * 32
APIFRAME_KEY = "afk_doctor-test-key"
USEAPI_KEY = "user:77-doctor-test-token"
TELEGRAM_TOKEN = "7012345678:AAHk9f0-Zx8TQ2mWcBv7YpLr4sNd3Ke6JuQ"
DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.doctor-test-discord-token"


@pytest.fixture(autouse=True)
def doctor_env(clean_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The database in a folder of its own under the clean working folder."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'videobot.db'}")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def chat_apis() -> AsyncIterator[str]:
    """Telegram getMe and Discord users/@me, answering only the tokens above."""

    async def get_me(request: web.Request) -> web.Response:
        if request.match_info["token"] != TELEGRAM_TOKEN:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        return web.json_response({"ok": True, "result": {"id": 7012345678, "username": "kite_bot"}})

    async def users_me(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bot {DISCORD_TOKEN}":
            return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        return web.json_response({"id": "123456789012345678", "username": "kitebot", "bot": True})

    app = web.Application()
    app.router.add_get("/bot{token}/getMe", get_me)
    app.router.add_get("/discord/users/@me", users_me)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def run_doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Check], str]:
    """`videobot doctor` -> (exit status, rows by check name, the whole output)."""
    code = await asyncio.to_thread(main, ["doctor"])
    out = capsys.readouterr().out
    header, *lines = out.splitlines()
    status_at, detail_at = header.index("STATUS"), header.index("DETAIL")
    rows: dict[str, Check] = {}
    for line in lines:
        if not line.strip():
            break
        name = line[:status_at].strip()
        rows[name] = Check(name, line[status_at:detail_at].strip(), line[detail_at:].strip())
    return code, rows, out


async def test_everything_configured_and_accepted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = await SqliteStore.open(tmp_path / "data" / "videobot.db")
    await store.close()
    async with (
        RunwayEmulator(RUNWAY_KEY) as runway,
        ApiframeEmulator(APIFRAME_KEY, credits=250) as apiframe,
        UseapiEmulator(USEAPI_KEY) as useapi,
        chat_apis() as chat,
    ):
        env = {
            "VIDEO_VENDORS": "runway,apiframe,useapi,aimlapi,gptge,local",
            "RUNWAY_API_KEY": RUNWAY_KEY,
            "RUNWAY_BASE_URL": runway.base_url,
            "APIFRAME_API_KEY": APIFRAME_KEY,
            "APIFRAME_BASE_URL": apiframe.base_url,
            "USEAPI_API_KEY": USEAPI_KEY,
            "USEAPI_BASE_URL": useapi.base_url,
            "AIMLAPI_API_KEY": "aiml-doctor-key",
            "GPTGE_API_KEY": "sk-gptge-doctor-key",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_API_URL": chat,
            "DISCORD_BOT_TOKEN": DISCORD_TOKEN,
            "METRICS_PORT": "9123",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(remote_checks, "DISCORD_API", f"{chat}/discord")
        code, rows, out = await run_doctor(capsys)

    assert code == 0, out
    assert rows["config"].status == OK and "metrics on 127.0.0.1:9123" in rows["config"].detail
    assert rows["database"].status == OK
    assert f"schema v{len(MIGRATIONS)} (current)" in rows["database"].detail
    assert rows["data dir"].status in (OK, WARN)
    assert rows["vendor runway"] == Check("vendor runway", OK, "key accepted; 1000 credits")
    assert rows["vendor apiframe"] == Check("vendor apiframe", OK, "key accepted; 250 credits")
    assert rows["vendor useapi"].status == OK and "1 Runway account" in rows["vendor useapi"].detail
    for vendor in ("aimlapi", "gptge"):
        assert rows[f"vendor {vendor}"].status == SKIP
        assert rows[f"vendor {vendor}"].detail.startswith("not checked")
    assert rows["vendor local"].status == OK and "ffmpeg" in rows["vendor local"].detail
    assert rows["telegram"].status == OK and "@kite_bot" in rows["telegram"].detail
    assert rows["discord"].status == OK and "kitebot" in rows["discord"].detail
    assert "all checks passed" in out
    # The cheap calls really went out, with each vendor's own auth.
    assert runway.count("GET", "/v1/organization") == 1
    assert apiframe.count("GET", "/v2/me") == 1
    assert useapi.count("GET", "/v1/runwayml/accounts") == 1
    for secret in (RUNWAY_KEY, APIFRAME_KEY, USEAPI_KEY, TELEGRAM_TOKEN, DISCORD_TOKEN):
        assert secret not in out


async def test_wrong_keys_and_an_unreachable_vendor_fail(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = closed_port()
    async with (
        RunwayEmulator(RUNWAY_KEY) as runway,
        UseapiEmulator(USEAPI_KEY) as useapi,
        chat_apis() as chat,
    ):
        env = {
            "VIDEO_VENDORS": "runway,apiframe,useapi",
            "RUNWAY_API_KEY": "key_wrong_wrong_wrong",
            "RUNWAY_BASE_URL": runway.base_url,
            "APIFRAME_API_KEY": APIFRAME_KEY,
            "APIFRAME_BASE_URL": f"http://127.0.0.1:{dead}",
            "USEAPI_API_KEY": "user:77-not-the-token",
            "USEAPI_BASE_URL": useapi.base_url,
            "TELEGRAM_BOT_TOKEN": "7012345678:AAwrongwrongwrongwrongwrongwrongwro",
            "TELEGRAM_API_URL": chat,
            "DISCORD_BOT_TOKEN": "not-the-discord-token",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(remote_checks, "DISCORD_API", f"{chat}/discord")
        code, rows, out = await run_doctor(capsys)

    assert code == 1
    runway_row = rows["vendor runway"]
    assert runway_row.status == FAIL
    assert (
        runway_row.detail == f"key rejected (HTTP 401) by {runway.base_url}: check RUNWAY_API_KEY"
    )
    assert rows["vendor apiframe"].status == FAIL
    assert rows["vendor apiframe"].detail.startswith(f"unreachable at http://127.0.0.1:{dead}")
    assert rows["vendor useapi"].status == FAIL and "USEAPI_API_KEY" in rows["vendor useapi"].detail
    assert rows["telegram"] == Check(
        "telegram", FAIL, "token rejected (HTTP 401): check TELEGRAM_BOT_TOKEN"
    )
    assert rows["discord"] == Check(
        "discord", FAIL, "token rejected (HTTP 401): check DISCORD_BOT_TOKEN"
    )
    assert "5 check(s) failed" in out
    assert "key_wrong_wrong_wrong" not in out and "AAwrongwrong" not in out


async def test_a_key_a_vendor_echoes_in_its_error_is_not_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with (
        RunwayEmulator(RUNWAY_KEY) as runway,
        ApiframeEmulator(APIFRAME_KEY) as apiframe,
        UseapiEmulator(USEAPI_KEY) as useapi,
    ):
        env = {"VIDEO_VENDORS": "runway,apiframe,useapi"}
        for emu, name, key in (
            (runway, "RUNWAY", RUNWAY_KEY),
            (apiframe, "APIFRAME", APIFRAME_KEY),
            (useapi, "USEAPI", USEAPI_KEY),
        ):
            emu.echo_key = 500  # an error body that repeats the key, also upper-cased and quoted
            env |= {f"{name}_API_KEY": key, f"{name}_BASE_URL": emu.base_url}
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        code, rows, out = await run_doctor(capsys)

    assert code == 1
    assert rows["vendor runway"].status == FAIL  # its envelope's code says: key rejected
    for vendor in ("apiframe", "useapi"):
        row = rows[f"vendor {vendor}"]
        assert row.status == FAIL and "(HTTP 500): Invalid API key [REDACTED]" in row.detail, row
    for secret in (RUNWAY_KEY, APIFRAME_KEY, USEAPI_KEY):
        assert secret.lower() not in out.lower()
        assert quote(secret, safe="").lower() not in out.lower()


async def test_unreachable_chat_apis_fail(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = closed_port()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", f"http://127.0.0.1:{dead}")
    monkeypatch.setenv("DISCORD_BOT_TOKEN", DISCORD_TOKEN)
    monkeypatch.setattr(remote_checks, "DISCORD_API", f"http://127.0.0.1:{dead}/api")
    code, rows, out = await run_doctor(capsys)
    assert code == 1
    assert (
        rows["telegram"].status == FAIL and "unreachable: ConnectError" in rows["telegram"].detail
    )
    assert rows["discord"].status == FAIL and "unreachable: ConnectError" in rows["discord"].detail
    assert TELEGRAM_TOKEN not in out


async def test_each_missing_or_malformed_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VIDEO_VENDORS", "local,nosuchvendor")
    monkeypatch.setenv("QUOTA_CREDITS_PER_DAY", "lots")
    monkeypatch.setenv("METRICS_PORT", "99999")
    monkeypatch.setenv("ADMIN_USER_IDS", "telegram:1,justanumber")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "notatoken-4242")
    monkeypatch.setenv("CALLBACK_BASE_URL", "http://bot.example.com")
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    monkeypatch.setenv("DATABASE_URL", "mysql://db/videobot")
    code, rows, out = await run_doctor(capsys)
    assert code == 1
    assert "expected sqlite:///" in rows["config DATABASE_URL"].detail
    assert rows["config VIDEO_VENDORS"].status == FAIL
    assert "unknown vendor nosuchvendor" in rows["config VIDEO_VENDORS"].detail
    assert "'lots'" in rows["config QUOTA_CREDITS_PER_DAY"].detail
    assert rows["config METRICS_PORT"].status == FAIL
    assert "justanumber" in rows["config ADMIN_USER_IDS"].detail
    assert rows["config TELEGRAM_BOT_TOKEN"].status == FAIL
    assert "4242" not in out  # never echo a secret
    assert rows["config CALLBACK_BASE_URL"].status == WARN
    assert rows["config LOG_LEVEL"].status == FAIL
    assert rows["telegram"].status == SKIP
    # The malformed settings fell back to defaults; the other checks still ran.
    assert rows["database"].status == OK and rows["vendor local"].status == OK


async def test_a_malformed_database_url_is_shown_without_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:Hunter2-secret@")  # no host
    code, rows, out = await run_doctor(capsys)
    assert code == 1 and rows["config DATABASE_URL"].status == FAIL
    assert "postgresql://user:password@host" in rows["config DATABASE_URL"].detail
    assert "bot:***@" in out and "Hunter2" not in out


async def test_a_vendor_without_its_key_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VIDEO_VENDORS", "openai-hk")
    monkeypatch.setenv("OPENAI_HK_BASE_URL", "ftp://example.com")
    code, rows, _ = await run_doctor(capsys)
    assert code == 1
    assert rows["vendor openai-hk"] == Check(
        "vendor openai-hk", FAIL, "OPENAI_HK_API_KEY is not set"
    )
    assert rows["config OPENAI_HK_BASE_URL"].status == FAIL


async def test_database_states(tmp_path: Path) -> None:
    db = tmp_path / "state" / "videobot.db"

    def check(url: str) -> Check:
        settings = Settings(_env_file=None, database_url=url)
        return local_checks.database_check(settings)

    assert check(f"sqlite:///{db}").status == OK  # created at first start
    assert "does not exist yet" in check(f"sqlite:///{db}").detail

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert check(f"sqlite:///{blocker / 'videobot.db'}").status == FAIL

    with pytest.raises(ValidationError, match="or postgresql://"):
        check("mysql://db/videobot")  # refused with the other settings (a config row)

    db.parent.mkdir()
    with sqlite3.connect(db) as conn:  # exists, never migrated
        conn.execute("CREATE TABLE t (x)")
    old = check(f"sqlite:///{db}")
    assert old.status == WARN and "schema v0" in old.detail

    store = await SqliteStore.open(db)
    await store.close()
    assert check(f"sqlite:///{db}").status == OK

    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    newer = check(f"sqlite:///{db}")
    assert newer.status == FAIL and "newer than this build" in newer.detail

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    assert check(f"sqlite:///{garbage}").status == FAIL


async def test_a_busy_database_still_counts_as_ok_when_the_lock_frees(tmp_path: Path) -> None:
    """The bot holds short write transactions; doctor waits for them instead of failing."""
    db = tmp_path / "videobot.db"
    store = await SqliteStore.open(db)
    try:
        await store.db.execute("BEGIN IMMEDIATE")
        settings = Settings(_env_file=None, database_url=f"sqlite:///{db}")
        pending = asyncio.create_task(asyncio.to_thread(local_checks.database_check, settings))
        await asyncio.sleep(0.3)
        await store.db.execute("COMMIT")
        assert (await pending).status == OK
    finally:
        await store.close()


def test_the_report_lines_up_its_columns_counts_and_redacts() -> None:
    rows = [
        Check("config", OK, "from the environment"),
        Check("vendor runway", WARN, "rate limiting"),
        Check("telegram", FAIL, f"answered with /bot{TELEGRAM_TOKEN}/getMe"),
    ]
    out = io.StringIO()
    print_report(rows, out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "CHECK          STATUS  DETAIL"
    assert lines[1] == "config         ok      from the environment"
    assert lines[2] == "vendor runway  warn    rate limiting"
    assert lines[3].startswith("telegram       FAIL    answered with /bot")
    assert TELEGRAM_TOKEN not in out.getvalue()
    assert lines[-1] == "1 check(s) failed, 1 warning(s)"
    out = io.StringIO()
    print_report(rows[:1], out)
    assert out.getvalue().splitlines()[-1] == "all checks passed, 0 warning(s)"
