"""Logs: secrets come out redacted whatever code logs them, in text and JSON; job lines carry
the job id, user, vendor and task id."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from bot.bootstrap import Core
from bot.commands import read
from bot.logs import REDACTED, configure_logging
from bot.models import UserRef
from bot.redact import add_secret
from bot.service import Incoming
from bot.vendors.runway import RunwayClient
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, make_core, settings_for, wait_until

pytestmark = pytest.mark.usefixtures("restore_logging")

TELEGRAM_TOKEN = "7012345678:AAHk9f0-Zx8TQ2mWcBv7YpLr4sNd3Ke6JuQ"
DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789"
RUNWAY_KEY = "key_" + "5e" * 64
APIFRAME_KEY = "afk_live_0123456789abcdef"


def configured(tmp_path: Path, fmt: str) -> io.StringIO:
    """Logging set up the way `videobot run` does it, from real settings."""
    settings = settings_for(
        tmp_path,
        telegram_bot_token=TELEGRAM_TOKEN,
        discord_bot_token=DISCORD_TOKEN,
        runway_api_key=RUNWAY_KEY,
        apiframe_api_key=APIFRAME_KEY,
        log_format=fmt,
    )
    stream = io.StringIO()
    configure_logging("DEBUG", settings.log_format, settings.secrets(), stream=stream)
    return stream


def log_everything() -> None:
    log = logging.getLogger("some.library")  # not ours: the filter sits on the root handler
    log.info("plain %s and %s", TELEGRAM_TOKEN, RUNWAY_KEY)
    log.info(f"inline {DISCORD_TOKEN} {APIFRAME_KEY}")
    log.warning("in a URL: %s", f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/getFile?x=1")
    log.info("in a dict: %r", {"headers": {"Authorization": f"Bearer {RUNWAY_KEY}"}})
    try:
        raise RuntimeError(f"vendor said: bad key {APIFRAME_KEY} for bot {TELEGRAM_TOKEN}")
    except RuntimeError:
        log.exception("call failed with key %s", RUNWAY_KEY)
    logging.getLogger("httpx").warning("HTTP Request: GET https://x/bot%s/getMe", TELEGRAM_TOKEN)


SECRETS = (TELEGRAM_TOKEN, DISCORD_TOKEN, RUNWAY_KEY, APIFRAME_KEY)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_tokens_and_keys_are_redacted_in_messages_args_and_exceptions(
    tmp_path: Path, fmt: str
) -> None:
    stream = configured(tmp_path, fmt)
    log_everything()
    out = stream.getvalue()
    for secret in SECRETS:
        assert secret not in out
        assert secret[-20:] not in out  # no tail of it either
    assert out.count(REDACTED) >= 10
    assert "RuntimeError: vendor said: bad key [REDACTED] for bot [REDACTED]" in out
    assert "https://api.telegram.org/bot[REDACTED]/getFile" in out


def test_json_lines_parse_and_carry_the_exception(tmp_path: Path) -> None:
    stream = configured(tmp_path, "json")
    log_everything()
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(records) == 6
    assert {"time", "level", "logger", "message"} <= records[0].keys()
    assert records[0]["time"].endswith("+00:00")  # UTC, unambiguous for shippers
    failed = next(r for r in records if r["level"] == "ERROR")
    assert failed["message"] == f"call failed with key {REDACTED}"
    assert "RuntimeError" in failed["exception"] and APIFRAME_KEY not in failed["exception"]


def test_an_unconfigured_telegram_token_is_still_redacted(tmp_path: Path) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "text", [], stream=stream)  # no secrets known at all
    other = "5550001112:BBHk9f0-Zx8TQ2mWcBv7YpLr4sNd3Ke6Ju"
    logging.getLogger("telegram.ext").error("failed: /bot%s/sendVideo", other)
    assert other not in stream.getvalue() and REDACTED in stream.getvalue()


async def test_each_job_transition_logs_job_user_vendor_and_task(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="videobot")
    async with RunwayEmulator("test-key", run_seconds=0.1) as emu:
        client = RunwayClient(api_key="test-key", base_url=emu.base_url)
        core: Core = await make_core(tmp_path, vendors=[client], video_vendors=["runway"])
        try:
            sink = RecordingSink()
            core.engine.subscribe("test", sink)
            await core.start()
            user = UserRef("test", "7")
            reply = await core.service.handle(
                Incoming(user=user, command=read("/video a red kite"))
            )
            assert reply.job is not None
            job_id = reply.job.id
            await wait_until(lambda: bool(sink.delivered))
            await core.engine.wait([job_id])
            job = await core.store.get_job(job_id)
            assert job is not None and job.vendor_task_id
        finally:
            await core.aclose()
    lines = [r.getMessage() for r in caplog.records if job_id in r.getMessage()]
    reserved, running, delivering, delivered = (
        next(line for line in lines if f"job {job_id} {word}" in line)
        for word in ("reserved", "running", "delivering", "delivered")
    )
    assert "user=test:7" in reserved
    for line in (running, delivering, delivered):
        assert "user=test:7" in line
        assert "vendor=runway" in line
        assert f"task={job.vendor_task_id}" in line


def test_webhook_secret_is_among_the_redacted_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import Settings

    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "hook-secret-value-123")
    assert "hook-secret-value-123" in Settings(_env_file=None).secrets()  # type: ignore[call-arg]


def test_secrets_are_redacted_in_any_letter_case_and_url_quoted(tmp_path: Path) -> None:
    stream = configured(tmp_path, "text")
    log = logging.getLogger("telegram.ext")
    log.error("Bad Request: %s", f"token {TELEGRAM_TOKEN.lower()} is invalid")
    log.error("echoed %s", DISCORD_TOKEN.upper())
    log.error("url https://x/?key=%s&t=%s", quote(APIFRAME_KEY + "/+="), quote(DISCORD_TOKEN))
    log.error("form body key=%s", quote_plus(RUNWAY_KEY + " x"))
    out = stream.getvalue()
    for secret in (TELEGRAM_TOKEN, DISCORD_TOKEN, RUNWAY_KEY, APIFRAME_KEY):
        assert secret.lower() not in out.lower()
    assert out.count(REDACTED) >= 5


def test_a_secret_made_known_later_is_redacted_at_every_level(tmp_path: Path) -> None:
    stream = configured(tmp_path, "text")
    derived = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    add_secret(derived)
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR):
        logging.getLogger("telegram.ext.ExtBot").log(level, "secret_token=%s", derived.upper())
    out = stream.getvalue()
    assert derived not in out.lower() and out.count(REDACTED) == 4
