"""Unit tests of the Telegram adapter's pure parts: addressing, callback data, redaction,
settings, media selection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from telegram import Bot, Message
from telegram.error import RetryAfter

from adapters.telegram.downloads import Downloader
from adapters.telegram.settings import TelegramSettings, is_official
from adapters.telegram.translate import (
    FileRef,
    act_inputs,
    addressed_command,
    callback_data,
    media_refs,
    parse_callback,
    redact,
    retry_seconds,
)
from bot.media import MAX_INPUT_VIDEO_BYTES
from tests.botapi_emulator import TOKEN, BotAPIEmulator

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")


def settings(**values: object) -> TelegramSettings:
    return TelegramSettings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "private", "expected"),
    [
        ("/video a cat", False, "video"),
        ("/video@VideoTestBot a cat", False, "video"),
        ("/VIDEO@videotestbot a cat", False, "video"),
        ("/video@OtherBot a cat", False, None),
        ("/video@OtherBot a cat", True, None),
        ("/weather", False, None),  # someone else's command in a group
        ("/weather", True, "weather"),  # in private the core says it does not know it
        ("/weather@VideoTestBot", False, "weather"),
        ("/act", False, "act"),
        ("/start", True, "start"),
        ("hello /video", False, None),
        ("/video-clip", False, None),
        ("", True, None),
        (None, True, None),
    ],
)
def test_addressed_command(text: str | None, private: bool, expected: str | None) -> None:
    assert addressed_command(text, "VideoTestBot", private=private) == expected


def test_callback_data_round_trip_and_size() -> None:
    job_id = "0123456789abcdef" * 2
    for action in ("again", "cancel"):
        data = callback_data(action, job_id)
        assert len(data.encode()) <= 64
        assert parse_callback(data) == (action, job_id)
    assert parse_callback("again:xyz") is None
    assert parse_callback("delete:" + job_id) is None
    assert parse_callback(None) is None


def test_redact_removes_token_plain_and_quoted() -> None:
    url = f"http://127.0.0.1:1/file/bot{TOKEN}/photos/a.jpg"
    quoted = url.replace(":", "%3A", 2)
    for text in (url, quoted, f"error for {TOKEN}"):
        assert TOKEN not in redact(text, TOKEN)
        assert "AAH-test_TOKEN" not in redact(text, TOKEN)
    other = "987654321:" + "x" * 35  # shaped like a token even when not ours
    assert "x" * 35 not in redact(f"see {other}")


def test_retry_seconds_reads_int_and_timedelta() -> None:
    assert retry_seconds(RetryAfter(7)) == 7.0
    assert retry_seconds(RetryAfter(timedelta(seconds=3))) == 3.0


def test_settings_lists_limits_and_webhook() -> None:
    s = settings(allowed_chats="-1001, 42 ,", webhook_listen="127.0.0.1:9000")
    assert s.allowed_chats == [-1001, 42]
    assert s.listen == ("127.0.0.1", 9000)
    assert settings(webhook_listen="[::]:8443").listen == ("::", 8443)
    assert settings(allowed_chats="").allowed_chats == []
    assert settings(upload_limit_mb="").upload_limit_mb is None  # blank means unset
    assert settings().upload_limit_bytes("https://api.telegram.org") == 50_000_000
    assert settings().upload_limit_bytes("http://tg-bot-api:8081") == 2_000_000_000
    assert settings(upload_limit_mb=10).upload_limit_bytes("https://api.telegram.org") == 10**7
    assert is_official("https://api.telegram.org/") and not is_official("http://127.0.0.1:8081")
    with pytest.raises(ValidationError):
        settings(webhook_listen="8443")
    with pytest.raises(ValidationError):
        settings(webhook_secret="has spaces!")
    with pytest.raises(ValidationError):
        settings(allowed_chats="general")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_ALLOWED_CHATS", "-100123,-100456")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.com/hook")
    monkeypatch.setenv("TELEGRAM_UPLOAD_LIMIT_MB", "20")
    s = TelegramSettings(_env_file=None)
    assert s.allowed_chats == [-100123, -100456]
    assert s.webhook_url == "https://bot.example.com/hook"
    assert s.upload_limit_mb == 20


def _message(tg: BotAPIEmulator, **fields: object) -> Message:
    payload = tg.make_message(**fields)  # type: ignore[arg-type]
    message = Message.de_json(payload, Bot(TOKEN))
    assert message is not None
    return message


def test_media_refs_pick_largest_photo_and_typed_documents() -> None:
    tg = BotAPIEmulator()
    photo = _message(tg, photo=tg.photo(b"x" * 100, 800, 600))
    (ref,) = media_refs(photo)
    assert ref.kind == "image" and ref.size == 100 and ref.file_id == photo.photo[-1].file_id

    image_doc = _message(tg, document=tg.document(b"png", "image/png", "a.png"))
    assert [(r.kind, r.mime) for r in media_refs(image_doc)] == [("image", "image/png")]
    video_doc = _message(tg, document=tg.document(b"mov", "video/quicktime", "a.mov"))
    assert [r.kind for r in media_refs(video_doc)] == ["video"]
    pdf = _message(tg, document=tg.document(b"%PDF", "application/pdf", "a.pdf"))
    assert media_refs(pdf) == []
    anim = _message(tg, animation=tg.video(b"gif"))
    assert [r.kind for r in media_refs(anim)] == ["video"]
    assert media_refs(None) == []


def test_act_inputs_character_and_performance() -> None:
    photo = FileRef("p", 1, "image", "image/jpeg", "p.jpg", 2)
    video = FileRef("v", 1, "video", "video/mp4", "v.mp4", 1)
    assert act_inputs([photo], [video]) == (photo, video)  # photo captioned /act -> video
    assert act_inputs([video], [photo]) == (photo, video)  # video captioned /act -> photo
    assert act_inputs([photo], []) == (photo, None)
    assert act_inputs([], [video]) == (None, video)


def test_download_limits_follow_the_api_server() -> None:
    bot = Bot(TOKEN)
    assert Downloader(bot, official_api=True).limit("video") == 20_000_000
    assert Downloader(bot, official_api=False).limit("video") == MAX_INPUT_VIDEO_BYTES
