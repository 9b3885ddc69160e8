"""The Telegram adapter end to end: the real python-telegram-bot Application of the bot
against the Bot API emulator, and the real core behind it talking to the Runway emulator
over HTTP. Updates go in through getUpdates (or the webhook); the tests assert on the Bot
API calls that come out and on what reached the vendor."""

from __future__ import annotations

import base64
import io
import itertools
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.telegram import TelegramAdapter, TelegramSettings
from adapters.telegram.webhook import derived_secret
from bot import texts
from bot.bootstrap import ConfigError, Core
from bot.chat import StoredChat
from bot.events import DeliveryError
from bot.logs import configure_logging
from bot.models import ACTIVE_STATES, Job, JobRequest, JobState, Mode, UserRef
from bot.service import utc_day
from bot.texts import t as tg_text
from bot.vendors.runway import GptgeClient, RunwayClient
from tests.botapi_emulator import TOKEN, BotAPIEmulator, Call
from tests.emulators.base import sample_mp4
from tests.emulators.runway import RunwayEmulator
from tests.helpers import image_bytes, make_core, wait_until

ADMIN_ID = 9000
# PTB 22 warns on every RetryAfter it builds (int -> timedelta migration); the adapter
# filters it at runtime, pytest re-enables DeprecationWarnings per test.
pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")


@dataclass
class Rig:
    tg: BotAPIEmulator
    vendor: RunwayEmulator
    core: Core
    adapter: TelegramAdapter
    ann: dict[str, Any] = field(default_factory=dict)

    def creates(self, endpoint: str = "") -> list[dict[str, Any]]:
        return [
            r
            for r in self.vendor.log
            if r["method"] == "POST" and r["path"].endswith(endpoint) and "json" in r
        ]

    async def create(self, endpoint: str, count: int = 1) -> dict[str, Any]:
        await wait_until(lambda: len(self.creates(endpoint)) >= count)
        body: dict[str, Any] = self.creates(endpoint)[count - 1]["json"]
        return body

    async def job(self, user_id: int = 1001) -> Job:
        jobs = await self.core.store.user_jobs(UserRef("telegram", str(user_id)), 10)
        assert jobs, "no job was started"
        return jobs[0]

    async def used(self, user_id: int = 1001) -> int:
        ref = UserRef("telegram", str(user_id))
        return (await self.core.store.balance(ref, utc_day(self.core.service.clock()))).used_today

    async def replies_to(self, message: dict[str, Any]) -> list[Call]:
        return [c for c in self.tg.calls if c.reply_to == message["message_id"]]


RigFactory = Callable[..., Awaitable[Rig]]


@pytest.fixture
async def make_rig(tmp_path: Path) -> AsyncIterator[RigFactory]:
    async with AsyncExitStack() as stack:

        async def factory(
            *,
            tg_settings: TelegramSettings | None = None,
            flavour: str = "runway",
            run_seconds: float = 0.3,
            edit_interval: float = 0.05,
            getfile_limit: int | None = 20_000_000,
            **core_overrides: Any,
        ) -> Rig:
            tg = await BotAPIEmulator(getfile_limit=getfile_limit).start()
            stack.push_async_callback(tg.stop)
            vendor = RunwayEmulator(flavour=flavour, run_seconds=run_seconds)
            await vendor.start()
            stack.push_async_callback(vendor.stop)
            client_cls = GptgeClient if flavour == "gptge" else RunwayClient
            client = client_cls(api_key="test-key", base_url=vendor.base_url)
            overrides: dict[str, Any] = {
                "telegram_bot_token": TOKEN,
                "telegram_api_url": tg.root_url,
                "admin_user_ids": [f"telegram:{ADMIN_ID}"],
                "video_vendors": [flavour],
            }
            overrides.update(core_overrides)
            core = await make_core(tmp_path, vendors=[client], **overrides)
            stack.push_async_callback(core.aclose)
            settings = tg_settings or TelegramSettings(_env_file=None)
            adapter = TelegramAdapter(
                core, settings, edit_interval=edit_interval, album_window=0.3, poll_timeout=5
            )
            await adapter.start()
            stack.push_async_callback(adapter.stop)
            await core.start()
            return Rig(tg, vendor, core, adapter, ann=tg.user())

        yield factory


def assert_no_leak(rig: Rig) -> None:
    """Neither the token nor a Telegram file URL ever reached the vendor."""
    dump = json.dumps(rig.vendor.log)
    assert TOKEN not in dump
    assert TOKEN.replace(":", "%3A") not in dump
    assert "/file/bot" not in dump


def data_uri_bytes(uri: str) -> bytes:
    return base64.b64decode(uri.split(",", 1)[1])


# --- the everyday flow ------------------------------------------------------------------


async def test_private_video_status_edits_and_delivery(
    make_rig: RigFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rig = await make_rig(run_seconds=0.6)
    tg = rig.tg
    command = tg.push_message(tg.make_message("/video a lighthouse in a storm --seed 7"))

    (status,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to)
    job = await rig.job()
    assert status.reply_to == command["message_id"]
    assert status.params["text"].startswith("🎬")
    assert "a lighthouse in a storm" in status.params["text"]
    assert status.buttons == [f"cancel:{job.id}"]

    (video,) = await tg.wait_for("sendVideo")
    upload = video.files["video"]
    assert upload.data == sample_mp4()
    assert upload.content_type == "video/mp4"
    assert upload.filename.endswith(".mp4")
    assert video.params["supports_streaming"] is True
    assert video.reply_to == command["message_id"]
    caption = video.params["caption"]
    assert "a lighthouse in a storm" in caption and "gen4.5" in caption and "seed 7" in caption
    assert video.buttons == [f"again:{job.id}", f"extend:{job.id}", f"upscale:{job.id}"]

    done = texts.t("en", "status_done")
    (final,) = await tg.wait_for("editMessageText", where=lambda c: done in c.params["text"])
    assert final.params["message_id"] == status.result["message_id"]
    assert "reply_markup" not in final.params  # the Cancel button is gone
    edits = [c.params["text"] for c in tg.calls_of("editMessageText")]
    assert any("▰" in text for text in edits), edits  # a progress bar was shown
    assert all(text.startswith("🎬") for text in edits)  # the request stays on top

    body = await rig.create("/text_to_video")
    assert body["promptText"] == "a lighthouse in a storm" and body["seed"] == 7
    await wait_until(lambda: _state(rig, job.id, JobState.DELIVERED))
    assert await rig.used() == 1
    stored = await rig.core.store.get_job(job.id)
    assert (
        stored is not None
        and stored.chat.to_json()["status_message_id"] == status.result["message_id"]
    )
    assert (
        stored.chat.to_json()["chat_id"] == 1001
        and stored.chat.to_json()["message_id"] == command["message_id"]
    )

    assert_no_leak(rig)
    # Our code never logs the token. Raw, only httpx's request lines (INFO) and PTB's DEBUG
    # "Set Bot API URL" carry it; the runtime turns httpx down and redacts every record.
    leaked = [
        r.name
        for r in caplog.records
        if TOKEN in r.getMessage()
        and (
            r.name.startswith("videobot")
            or (r.levelno >= logging.INFO and not r.name.startswith(("httpx", "httpcore")))
        )
    ]
    assert not leaked


async def _state_of(rig: Rig, job_id: str) -> JobState | None:
    job = await rig.core.store.get_job(job_id)
    return job.state if job else None


def _state(rig: Rig, job_id: str, state: JobState) -> Awaitable[bool]:
    async def check() -> bool:
        return await _state_of(rig, job_id) is state

    return check()


async def test_menu_commands_and_start(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    menus = tg.calls_of("setMyCommands")
    default = next(c for c in menus if "language_code" not in c.params and "scope" not in c.params)
    chinese = next(
        c for c in menus if c.params.get("language_code") == "zh" and "scope" not in c.params
    )
    names = [c["command"] for c in default.params["commands"]]
    assert names[:2] == ["video", "act"] and "quota" in names and "grant" not in names
    assert chinese.params["commands"][0]["description"] == texts.t("zh", "cmd_video")
    admin = [c for c in menus if c.params.get("scope", {}).get("chat_id") == ADMIN_ID]
    assert admin and "grant" in [c["command"] for c in admin[0].params["commands"]]

    start = tg.push_message(tg.make_message("/start"))
    (reply,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to == start["message_id"])
    assert "/video" in reply.params["text"]

    zh_user = tg.user(1002, language="zh-hans")
    quota = tg.push_message(tg.make_message("/quota", user=zh_user))
    (reply,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to == quota["message_id"])
    assert "今天剩余" in reply.params["text"]

    chatter = tg.push_message(tg.make_message("hello there"))
    (hint,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to == chatter["message_id"])
    assert "/video" in hint.params["text"]


# --- media -------------------------------------------------------------------------------


@pytest.mark.parametrize("as_file", [False, True], ids=["photo", "image-file"])
async def test_reply_to_photo_animates_it(make_rig: RigFactory, as_file: bool) -> None:
    rig = await make_rig()
    tg = rig.tg
    picture = image_bytes((96, 54), "PNG" if as_file else "JPEG", "orange")
    if as_file:
        original = tg.make_message(document=tg.document(picture, "image/png", "sky.png"))
    else:
        original = tg.make_message(photo=tg.photo(picture, 96, 54))
    tg.push_message(original)
    tg.push_message(tg.make_message("/video make the clouds move", reply_to=original))

    body = await rig.create("/image_to_video")
    assert body["model"] == "gen4.5" and body["promptText"] == "make the clouds move"
    assert body["promptImage"].startswith("data:image/jpeg;base64,")
    assert data_uri_bytes(body["promptImage"])[:2] == b"\xff\xd8"
    fetched = [c.params["file_id"] for c in tg.calls_of("getFile")]
    expected = original["document"]["file_id"] if as_file else original["photo"][-1]["file_id"]
    assert fetched == [expected]  # the largest size only
    await tg.wait_for("sendVideo")
    assert_no_leak(rig)


async def test_photo_captioned_with_video(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    message = tg.make_message(
        caption="/video make it wave --ratio 9:16", photo=tg.photo(image_bytes((48, 64)), 48, 64)
    )
    tg.push_message(message)
    body = await rig.create("/image_to_video")
    assert body["ratio"] == "720:1280" and body["promptText"] == "make it wave"
    (video,) = await tg.wait_for("sendVideo")
    assert video.reply_to == message["message_id"]


async def test_model_options_in_a_caption_reach_the_body(make_rig: RigFactory) -> None:
    """--negative in a phone's curly quotes, --no-audio as its em dash: Veo gets both."""
    rig = await make_rig()
    tg = rig.tg
    caption = "/video --model veo3.1 --duration 6 —no-audio --negative “text, logos” make it wave"
    tg.push_message(tg.make_message(caption=caption, photo=tg.photo(image_bytes((64, 36)))))
    body = await rig.create("/image_to_video")
    assert body["model"] == "veo3.1" and body["promptText"] == "make it wave"
    assert body["audio"] is False and body["negativePrompt"] == "text, logos"
    await tg.wait_for("sendVideo")


async def test_album_gives_first_and_last_frame(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    first = tg.make_message(
        caption="/video day turning into night",
        photo=tg.photo(image_bytes(color="yellow")),
        media_group_id="album-1",
    )
    second = tg.make_message(photo=tg.photo(image_bytes(color="navy")), media_group_id="album-1")
    tg.push_message(first)
    tg.push_message(second)
    body = await rig.create("/image_to_video")
    assert body["model"] == "veo3.1_fast"  # Runway's first+last model today
    frames = body["promptImage"]
    assert [f["position"] for f in frames] == ["first", "last"]
    assert len(rig.creates()) == 1  # one job for the whole album
    (video,) = await tg.wait_for("sendVideo")
    assert video.reply_to == first["message_id"]
    # the album photos without a caption got no hint
    assert not await rig.replies_to(second)


async def test_reply_to_one_photo_of_an_album_uses_both(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    one = tg.make_message(photo=tg.photo(image_bytes(color="red")), media_group_id="album-2")
    two = tg.make_message(photo=tg.photo(image_bytes(color="blue")), media_group_id="album-2")
    tg.push_message(one)
    tg.push_message(two)
    await wait_until(lambda: len(rig.adapter.handlers.albums.members("album-2")) == 2)
    tg.push_message(tg.make_message("/video sunrise to sunset", reply_to=two))
    body = await rig.create("/image_to_video")
    assert isinstance(body["promptImage"], list) and len(body["promptImage"]) == 2
    await tg.wait_for("sendVideo")


async def test_reply_to_video_restyles_it(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    clip_msg = tg.push_message(tg.make_message(video=tg.video(sample_mp4())))
    tg.push_message(tg.make_message("/video make it a watercolour", reply_to=clip_msg))
    body = await rig.create("/video_to_video")
    assert body["model"] == "aleph2"
    assert body["videoUri"].startswith("data:video/mp4;base64,")
    assert data_uri_bytes(body["videoUri"]) == sample_mp4()
    await tg.wait_for("sendVideo")
    assert_no_leak(rig)


async def test_reply_to_video_without_a_capable_vendor_says_what_works(
    make_rig: RigFactory,
) -> None:
    rig = await make_rig(flavour="gptge")
    tg = rig.tg
    anim = tg.push_message(tg.make_message(animation=tg.video(sample_mp4())))
    command = tg.push_message(tg.make_message("/video make it snow", reply_to=anim))
    (reply,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to == command["message_id"])
    text = reply.params["text"]
    assert texts.t("en", "what_video") in text and texts.t("en", "what_image") in text
    assert not rig.creates()


async def test_act_animates_a_character_photo_with_a_performance(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    performance = tg.push_message(tg.make_message(video=tg.video(sample_mp4())))
    tg.push_message(
        tg.make_message(
            caption="/act --body", photo=tg.photo(image_bytes((64, 64))), reply_to=performance
        )
    )
    body = await rig.create("/character_performance")
    assert body["model"] == "act_two" and body["bodyControl"] is True
    assert body["character"]["type"] == "image"
    assert body["character"]["uri"].startswith("data:image/jpeg;base64,")
    assert data_uri_bytes(body["reference"]["uri"]) == sample_mp4()
    await tg.wait_for("sendVideo")


async def test_file_too_large_to_fetch_is_refused_before_download(make_rig: RigFactory) -> None:
    rig = await make_rig(getfile_limit=None)
    tg = rig.tg
    huge = tg.video(sample_mp4())
    huge["file_size"] = 60_000_000  # over the 50 MB the core takes from chat
    source = tg.push_message(tg.make_message(video=huge))
    command = tg.push_message(tg.make_message("/video make it pop", reply_to=source))
    (reply,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to == command["message_id"])
    assert "too large" in reply.params["text"]
    assert not tg.calls_of("getFile") and not rig.creates()


# --- groups ------------------------------------------------------------------------------


async def test_group_forum_topic_answers_only_its_commands(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    group = tg.group_chat(forum=True)
    bob = tg.user(1003, name="Bob")
    others = [
        tg.push_message(tg.make_message(text, user=bob, chat=group, thread_id=77))
        for text in ("/video@OtherBot a dog", "hello everyone", "/weather today")
    ]
    command = tg.push_message(
        tg.make_message("/video@VideoTestBot a cat on a roof", user=bob, chat=group, thread_id=77)
    )
    (status,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to)
    assert status.reply_to == command["message_id"]
    assert status.params["message_thread_id"] == 77
    assert status.params["chat_id"] == group["id"]
    (video,) = await tg.wait_for("sendVideo")
    assert video.params["message_thread_id"] == 77 and video.reply_to == command["message_id"]
    body = await rig.create("/text_to_video")
    assert body["promptText"] == "a cat on a roof"
    for message in others:
        assert not await rig.replies_to(message)
    assert len(rig.creates()) == 1
    job = await rig.job(1003)
    assert job.user == UserRef("telegram", "1003")  # quotas stay per user in groups


async def test_allowed_chats_refuses_elsewhere(make_rig: RigFactory) -> None:
    settings = TelegramSettings(_env_file=None, allowed_chats="-100999, -100998")
    assert settings.allowed_chats == [-100999, -100998]
    rig = await make_rig(tg_settings=settings)
    tg = rig.tg
    group = tg.group_chat(-1001234)
    command = tg.push_message(tg.make_message("/video a cat", chat=group))
    (reply,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to)
    assert reply.reply_to == command["message_id"]
    assert reply.params["text"] == texts.t("en", "not_enabled_here")
    allowed = tg.push_message(tg.make_message("/quota", chat=tg.group_chat(-100999)))
    (ok,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to == allowed["message_id"])
    assert ok.params["text"].startswith("💳")
    assert not rig.creates()


# --- refusals and failures ---------------------------------------------------------------


async def test_quota_exhausted(make_rig: RigFactory) -> None:
    rig = await make_rig(quota_credits_per_day=1)
    tg = rig.tg
    command = tg.push_message(tg.make_message("/video --duration 10 a long storm"))
    (reply,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to)
    assert reply.reply_to == command["message_id"]
    assert "Not enough credits" in reply.params["text"]
    assert not rig.creates() and await rig.used() == 0


async def test_moderation_failure_is_refunded(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    tg.push_message(tg.make_message("/video [moderate] something dubious"))
    refused = texts.t("en", "failed_moderated", cost=1)
    (edit,) = await tg.wait_for("editMessageText", where=lambda c: refused in c.params["text"])
    assert "reply_markup" not in edit.params
    job = await rig.job()
    await wait_until(lambda: _state(rig, job.id, JobState.FAILED))
    assert await rig.used() == 0
    assert not tg.calls_of("sendVideo")


async def test_cancel_button_only_for_requester(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    group = tg.group_chat()
    ann, bob = tg.user(1001), tg.user(1003, name="Bob")
    tg.push_message(tg.make_message("/video [never] an endless road", user=ann, chat=group))
    (status,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to)
    job = await rig.job()
    await tg.wait_for("editMessageText")  # the vendor took it
    status_message = tg.messages[(group["id"], status.result["message_id"])]

    tg.press(f"cancel:{job.id}", user=bob, message=status_message)
    (answer,) = await tg.wait_for("answerCallbackQuery")
    assert answer.params["text"] == texts.t("en", "cancel_unknown", id=job.id[:12])
    assert answer.params["show_alert"] is True
    assert await _state_of(rig, job.id) in ACTIVE_STATES

    tg.press(f"cancel:{job.id}", user=ann, message=status_message)
    answers = await tg.wait_for("answerCallbackQuery", 2)
    assert answers[1].params["text"].startswith("🛑")
    cancelled = texts.t("en", "failed_cancelled", cost=1)
    (edit,) = await tg.wait_for("editMessageText", where=lambda c: cancelled in c.params["text"])
    assert "reply_markup" not in edit.params
    assert await _state_of(rig, job.id) is JobState.CANCELLED
    assert rig.vendor.count("DELETE", "/v1/tasks/") == 1
    assert await rig.used() == 0


async def test_again_button_starts_a_new_job(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    tg.push_message(tg.make_message("/video a paper boat --seed 5"))
    await tg.wait_for("sendVideo")
    first = await rig.job()
    await wait_until(lambda: _state(rig, first.id, JobState.DELIVERED))
    video_message = next(
        m for m in tg.messages.values() if "video" in m and m.get("from", {}).get("is_bot")
    )
    tg.press(f"again:{first.id}", user=rig.ann, message=video_message)
    await tg.wait_for("answerCallbackQuery")
    statuses = await tg.wait_for("sendMessage", 2, where=lambda c: c.reply_to)
    assert statuses[1].reply_to == video_message["message_id"]
    second = await rig.create("/text_to_video", 2)
    assert second["promptText"] == "a paper boat" and second.get("seed") != 5
    await tg.wait_for("sendVideo", 2)
    assert await rig.used() == 2


# --- Telegram's limits -------------------------------------------------------------------


async def test_flood_control_is_waited_out(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    tg.flood("sendMessage", 1)
    tg.flood("sendVideo", 1)
    command = tg.push_message(tg.make_message("/video a busy harbour"))
    (status,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to)
    flooded = [c for c in tg.calls_of("sendMessage") if c.answered == 429]
    assert len(flooded) == 1 and status.at - flooded[0].at >= 0.9
    (video,) = await tg.wait_for("sendVideo")
    attempts = tg.calls_of("sendVideo")
    assert [c.answered for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.9
    assert video.reply_to == command["message_id"]
    job = await rig.job()
    await wait_until(lambda: _state(rig, job.id, JobState.DELIVERED))
    assert await rig.used() == 1


async def test_status_edits_are_throttled(make_rig: RigFactory) -> None:
    rig = await make_rig(run_seconds=0.2, edit_interval=0.4)
    tg = rig.tg
    tg.push_message(tg.make_message("/video [slow] a very slow sunrise"))
    await tg.wait_for("sendVideo", timeout=20)
    done = texts.t("en", "status_done")
    await tg.wait_for("editMessageText", where=lambda c: done in c.params["text"])
    sent = tg.calls_of("sendMessage")[-1].at
    times = [sent] + [c.at for c in tg.calls_of("editMessageText")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) >= 3
    assert min(gaps) >= 0.35, gaps
    # the vendor reported far more progress than was shown
    job = await rig.job()
    assert rig.vendor.tasks[job.vendor_task_id or ""].polls > len(times)


async def test_oversize_video_is_sent_as_a_link(make_rig: RigFactory) -> None:
    settings = TelegramSettings(_env_file=None, upload_limit_mb=0.001)
    rig = await make_rig(tg_settings=settings)
    tg = rig.tg
    command = tg.push_message(tg.make_message("/video a giant wave"))
    (link,) = await tg.wait_for("sendMessage", where=lambda c: "/files/" in c.params["text"])
    assert link.reply_to == command["message_id"]
    assert rig.vendor.base_url in link.params["text"]
    assert "too large" in link.params["text"]
    job = await rig.job()
    assert link.buttons == [f"again:{job.id}", f"extend:{job.id}", f"upscale:{job.id}"]
    await wait_until(lambda: _state(rig, job.id, JobState.DELIVERED))
    assert not tg.calls_of("sendVideo")


# --- delivery errors ---------------------------------------------------------------------


async def _delivery_job(rig: Rig, **chat: Any) -> Job:
    return Job(
        id="ab" * 16,
        user=UserRef("telegram", "1001"),
        state=JobState.DELIVERING,
        request=JobRequest("x", Mode.TEXT),
        cost=1,
        chat=StoredChat({"chat_id": 1001, "message_id": 5, "thread_id": None, **chat}),
        result_url=None,
    )


async def test_delivery_error_mapping(make_rig: RigFactory, tmp_path: Path) -> None:
    rig = await make_rig()
    tg = rig.tg
    sink = rig.adapter.sink
    path = tmp_path / "out.mp4"
    path.write_bytes(sample_mp4())
    job = await _delivery_job(rig, thread_id=42)

    tg.fail_next("sendVideo", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(DeliveryError) as blocked:
        await sink.deliver(job, path, "caption")
    assert blocked.value.permanent

    tg.flood("sendVideo", 3)
    with pytest.raises(DeliveryError) as flood:
        await sink.deliver(job, path, "caption")
    assert not flood.value.permanent and flood.value.retry_after == 3

    tg.fail_next("sendVideo", 502, "Bad Gateway")
    with pytest.raises(DeliveryError) as gateway:
        await sink.deliver(job, path, "caption")
    assert not gateway.value.permanent

    tg.fail_next("sendVideo", 400, "Bad Request: message thread not found")
    await sink.deliver(job, path, "caption")
    last = tg.calls_of("sendVideo")[-1]
    assert last.ok and "message_thread_id" not in last.params and last.reply_to == 5

    tg.fail_next("sendVideo", 400, "Bad Request: group chat was upgraded", migrate_to_chat_id=-1009)
    await sink.deliver(job, path, "caption")
    assert tg.calls_of("sendVideo")[-1].params["chat_id"] == -1009

    tg.fail_next("sendVideo", 400, "Bad Request: chat not found")
    with pytest.raises(DeliveryError) as gone:
        await sink.deliver(job, path, "caption")
    assert gone.value.permanent and TOKEN not in str(gone.value)


# --- webhook -----------------------------------------------------------------------------


async def test_webhook_mode(make_rig: RigFactory) -> None:
    settings = TelegramSettings(
        _env_file=None,
        webhook_url="https://bot.example.com/tg/hook",
        webhook_listen="127.0.0.1:0",
        webhook_secret="s3cret-Token_1",
    )
    rig = await make_rig(tg_settings=settings)
    tg = rig.tg
    (hook,) = tg.calls_of("setWebhook")
    assert hook.params["url"] == "https://bot.example.com/tg/hook"
    assert hook.params["secret_token"] == "s3cret-Token_1"
    assert not tg.calls_of("deleteWebhook")  # not polling
    server = rig.adapter.webhook
    assert server is not None
    url = f"http://127.0.0.1:{server.port}/tg/hook"
    message = tg.make_message("/quota")
    update = {"update_id": 1, "message": message}
    async with httpx.AsyncClient() as http:
        refused = await http.post(url, json=update)
        assert refused.status_code == 403
        ok = await http.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
        )
        assert ok.status_code == 200
    (reply,) = await tg.wait_for("sendMessage")
    assert reply.reply_to == message["message_id"]
    assert reply.params["text"].startswith("💳")


@contextmanager
def runtime_logging() -> Iterator[io.StringIO]:
    """DEBUG logs through the runtime's redacting setup, captured; the old setup restored."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {n: logging.getLogger(n).level for n in ("httpx", "httpcore")}
    try:
        configure_logging("DEBUG", "text", [TOKEN], stream=stream)
        yield stream
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def test_derived_webhook_secret_never_in_debug_logs(make_rig: RigFactory) -> None:
    """PTB logs setWebhook's parameters at DEBUG; the derived secret comes out redacted, in
    any letter case, while the secret itself still reaches the Bot API."""
    with runtime_logging() as stream:
        settings = TelegramSettings(
            _env_file=None, webhook_url="https://bot.example.com/hook", webhook_listen="127.0.0.1:0"
        )
        rig = await make_rig(tg_settings=settings)
        (hook,) = rig.tg.calls_of("setWebhook")
        logging.getLogger("telegram.ext").debug("echo: %s", hook.params["secret_token"].upper())
    secret = derived_secret(TOKEN)
    assert hook.params["secret_token"] == secret
    out = stream.getvalue()
    assert "setWebhook" in out  # PTB's DEBUG line was captured
    assert secret not in out.lower()


async def test_a_refused_webhook_names_no_secret_whatever_its_case(
    make_rig: RigFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Bot API's description repeats the secret lower-cased: the error the operator
    reads at start-up carries neither it nor the token."""
    secret = "Hook-Secret_Value-0042"
    real_start = BotAPIEmulator.start

    async def start(self: BotAPIEmulator) -> BotAPIEmulator:
        emu = await real_start(self)
        emu.fail_next("setWebhook", 400, f"Bad Request: secret {secret.lower()} for {TOKEN}")
        return emu

    monkeypatch.setattr(BotAPIEmulator, "start", start)  # the fault must precede the start
    settings = TelegramSettings(
        _env_file=None,
        webhook_url="https://bot.example.com/hook",
        webhook_listen="127.0.0.1:0",
        webhook_secret=secret,
    )
    with pytest.raises(ConfigError) as refused:
        await make_rig(tg_settings=settings)
    assert "Telegram refused TELEGRAM_WEBHOOK_URL" in str(refused.value)
    assert secret.lower() not in str(refused.value).lower() and TOKEN not in str(refused.value)


async def test_token_never_in_logs_or_error_text(make_rig: RigFactory) -> None:
    """With the runtime's logging setup, a failed download, a refused upload and a normal
    job leave no token and no file URL in the log output."""
    with runtime_logging() as stream:
        rig = await make_rig()
        tg = rig.tg
        tg.fail_next("getFile", 500, "Internal Server Error")
        photo = tg.push_message(tg.make_message(photo=tg.photo(image_bytes())))
        command = tg.push_message(tg.make_message("/video wave", reply_to=photo))
        (reply,) = await tg.wait_for(
            "sendMessage", where=lambda c: c.reply_to == command["message_id"]
        )
        assert reply.params["text"] == tg_text("en", "download_failed")
        tg.fail_next("sendVideo", 400, "Bad Request: wrong file identifier/HTTP URL specified")
        tg.push_message(tg.make_message("/video a quiet lake"))
        failed = texts.t("en", "failed_delivery", cost=1)
        await tg.wait_for("editMessageText", where=lambda c: failed in c.params["text"])
        assert await rig.used() == 0
    out = stream.getvalue()
    assert "videobot.telegram" in out and "delivery failed" in out
    assert TOKEN not in out and TOKEN.replace(":", "%3A") not in out
    assert not re.search(r"/file/bot(?!\[REDACTED\])", out)  # PTB's DEBUG line, redacted
    assert_no_leak(rig)


# --- who may start a video, and whose photo Again reuses -------------------------------

ANN = UserRef("telegram", "1001")


async def test_a_banned_users_photos_are_not_even_downloaded(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    await rig.core.store.set_banned(ANN, True, rig.core.service.clock())
    photos = [
        tg.push_message(tg.make_message(caption=f"/video wave {n}", photo=tg.photo(image_bytes())))
        for n in range(3)
    ]
    ids = {m["message_id"] for m in photos}
    replies = await tg.wait_for("sendMessage", 3, where=lambda c: c.reply_to in ids)
    assert {r.params["text"] for r in replies} == {texts.t("en", "err_banned")}
    assert not tg.calls_of("getFile") and not rig.creates()


async def test_out_of_credits_photo_is_not_downloaded(make_rig: RigFactory) -> None:
    rig = await make_rig(quota_credits_per_day=0)
    tg = rig.tg
    message = tg.push_message(tg.make_message(caption="/video wave", photo=tg.photo(image_bytes())))
    (reply,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to)
    assert reply.reply_to == message["message_id"]
    assert "Not enough credits" in reply.params["text"]
    assert not tg.calls_of("getFile")


async def _anns_photo_video(rig: Rig, chat: dict[str, Any] | None = None) -> str:
    tg = rig.tg
    tg.push_message(
        tg.make_message(caption="/video wave", photo=tg.photo(image_bytes()), chat=chat)
    )
    await tg.wait_for("sendVideo")
    return (await rig.job()).id


async def test_again_with_a_forged_job_id_elsewhere_reveals_nothing(
    make_rig: RigFactory,
) -> None:
    rig = await make_rig()
    tg = rig.tg
    job_id = await _anns_photo_video(rig)  # in Ann's private chat
    bob = tg.user(1003, name="Bob")
    own = tg.push_message(tg.make_message("hello", user=bob))  # Bob's private chat
    tg.press(f"again:{job_id}", user=bob, message=own)
    (answer,) = await tg.wait_for("answerCallbackQuery")
    assert answer.params["text"] == texts.t("en", "again_unavailable")
    tg.press("again:" + "0" * 32, user=bob, message=own)  # no such job: the same answer
    answers = await tg.wait_for("answerCallbackQuery", 2)
    assert answers[1].params["text"] == answers[0].params["text"]
    assert len(rig.creates()) == 1
    assert not await rig.core.store.user_jobs(UserRef("telegram", "1003"))


async def test_again_in_the_jobs_own_group_works_for_anyone(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    group = tg.group_chat()
    job_id = await _anns_photo_video(rig, group)
    video_message = next(
        m for m in tg.messages.values() if "video" in m and m.get("from", {}).get("is_bot")
    )
    bob = tg.user(1003, name="Bob")
    tg.press(f"again:{job_id}", user=bob, message=video_message)
    await rig.create("/image_to_video", 2)
    (bobs,) = await rig.core.store.user_jobs(UserRef("telegram", "1003"))
    assert bobs.request.prompt == "wave"
