"""Prompts that contain option-like words reach the vendor word for word, through every
adapter, and every job's seed is the one sent to the vendor, shown in the caption and /jobs.

The console runs as a real process; Telegram through the real PTB Application against the
Bot API emulator; Discord through real discord.py objects against the fake Discord REST
server. The vendor is the Runway emulator over HTTP, which records each create body.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.models import JobState, UserRef
from tests import test_discord_menu_prefix as discord_menu
from tests import test_telegram_e2e as telegram_e2e
from tests.discord_emulator import APP_ID, OTHER_ID, USER_ID, Harness, Upload
from tests.emulators.runway import RunwayEmulator
from tests.helpers import image_bytes
from tests.test_console import bot_env, run_bot

# The Telegram suite's fixture, shared (the Runway emulator `emu` and the Discord harness `h`
# come from tests/conftest.py).
make_rig = telegram_e2e.make_rig
pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")

TRICKY = [
    "portrait of a woman at dusk",
    "landscape with mountains and a lake",
    "square dance in a barn",
    "E=mc2 on a blackboard",
    "ratio of gold in a seed pod",
]


def creates(emu: RunwayEmulator) -> list[dict[str, Any]]:
    return [r["json"] for r in emu.log if r["method"] == "POST" and r["path"].startswith("/v1/")]


def by_prompt(emu: RunwayEmulator) -> dict[str, dict[str, Any]]:
    return {body["promptText"]: body for body in creates(emu)}


# --- console ---------------------------------------------------------------------------


async def test_console_sends_the_prompt_as_typed_and_shows_the_seed(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(image_bytes((128, 72)))
    lines = [f"/video {p}" for p in TRICKY]
    lines += [
        "/video --image photo.jpg square dance in a barn --seed 77",
        "/video --ratio portrait a cat --seed 42 jumps",
        "/jobs",
    ]
    async with RunwayEmulator("test-key", run_seconds=0.2) as emu:
        env = bot_env(
            VIDEO_VENDORS="runway",
            RUNWAY_API_KEY="test-key",
            RUNWAY_BASE_URL=emu.base_url,
            VIDEO_POLL_INTERVAL="0.1",
            MAX_JOBS_PER_USER="20",
            QUOTA_CREDITS_PER_DAY="100",  # every line, at gen4.5's default 3 credits
        )
        code, out, err = await run_bot(tmp_path, "\n".join(lines).encode() + b"\n", env)
        assert code == 0, err
        sent = creates(emu)
    assert sorted(b["promptText"] for b in sent) == sorted([*TRICKY, "square dance in a barn"])
    for body in sent:
        assert body["ratio"] == "1280:720"  # no prompt word set the ratio
        assert isinstance(body["seed"], int)
        caption = rf"🎬 {re.escape(body['promptText'])}\n[^\n]* · seed {body['seed']}\n\["
        assert re.search(caption, out), out
    assert [b["seed"] for b in sent if "promptImage" in b] == [77]
    # The option inside the prompt was refused, with the command written both ways.
    assert "“--seed 42” stands inside the prompt" in out
    assert "/video --ratio portrait --seed 42 a cat jumps" in out
    assert '/video --ratio portrait "a cat --seed 42 jumps"' in out
    listed = re.findall(r"^[0-9a-f]{8} · [^\n]* · seed (\d+) · ", out, re.M)
    assert sorted(int(seed) for seed in listed) == sorted(b["seed"] for b in sent)


# --- Telegram --------------------------------------------------------------------------


async def test_telegram_sends_the_prompt_as_typed_and_shows_the_seed(
    make_rig: telegram_e2e.RigFactory,
) -> None:
    rig = await make_rig(max_jobs_per_user=20)
    tg = rig.tg
    for prompt in TRICKY:
        tg.push_message(tg.make_message(f"/video {prompt}"))
    refused = tg.push_message(tg.make_message("/video a sign that says ratio=9:16"))
    videos = await tg.wait_for("sendVideo", count=len(TRICKY))
    sent = by_prompt(rig.vendor)
    assert sorted(sent) == sorted(TRICKY)
    assert {b["ratio"] for b in sent.values()} == {"1280:720"}
    for video in videos:
        caption = video.params["caption"]
        prompt = caption.splitlines()[0].removeprefix("🎬 ")
        assert caption.endswith(f"seed {sent[prompt]['seed']}"), caption

    (answer,) = await tg.wait_for(
        "sendMessage", where=lambda c: c.reply_to == refused["message_id"]
    )
    assert "“ratio=9:16” stands inside the prompt" in answer.params["text"]
    assert '/video "a sign that says ratio=9:16"' in answer.params["text"]
    tg.push_message(tg.make_message('/video "a sign that says ratio=9:16" --seed 5'))
    await tg.wait_for("sendVideo", count=len(TRICKY) + 1)
    assert by_prompt(rig.vendor)["a sign that says ratio=9:16"]["seed"] == 5

    jobs = tg.push_message(tg.make_message("/jobs"))
    (listing,) = await tg.wait_for("sendMessage", where=lambda c: c.reply_to == jobs["message_id"])
    for body in creates(rig.vendor):
        assert f"seed {body['seed']} · {body['promptText'][:20]}" in listing.params["text"]


# --- Discord ---------------------------------------------------------------------------


async def test_discord_slash_prompt_is_the_prompt_word_for_word(
    h: Harness, emu: RunwayEmulator
) -> None:
    prompt = "portrait of a woman --seed 5 ratio=1:1 --duration 10"
    payload = h.interact(h.fake.slash("video", prompt=prompt, ratio="9:16", seed=123))
    job = await h.job()
    assert (await h.settled(job.id)).state is JobState.DELIVERED
    (body,) = creates(emu)
    assert body["promptText"] == prompt
    assert (body["ratio"], body["seed"], body["duration"]) == ("720:1280", 123, 5)
    (post,) = h.fake.find("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")
    assert post.content.endswith("seed 123")


async def test_discord_slash_without_a_seed_shows_the_one_sent(
    h: Harness, emu: RunwayEmulator
) -> None:
    payload = h.interact(h.fake.slash("video", prompt="landscape with a lake"))
    job = await h.job()
    assert (await h.settled(job.id)).state is JobState.DELIVERED
    (body,) = creates(emu)
    assert body["promptText"] == "landscape with a lake" and body["ratio"] == "1280:720"
    assert isinstance(body["seed"], int) and job.request.seed == body["seed"]
    (post,) = h.fake.find("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")
    assert post.content.endswith(f"seed {body['seed']}")
    edits = h.fake.find("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/messages/")
    assert f"seed {body['seed']}" in edits[0].content  # the status message says it too


async def test_discord_form_prompt_is_the_prompt_word_for_word(
    h: Harness, emu: RunwayEmulator
) -> None:
    photo = Upload("cat.jpg", image_bytes(size=(96, 54)), "image/jpeg")
    target = h.fake.message("look", author_id=OTHER_ID, uploads=(photo,))
    form = await discord_menu.open_form(h, target)
    prompt = "square dance --seed 3 in a barn"
    h.interact(h.fake.modal_submit(form, {"prompt": prompt, "duration": "", "ratio": "portrait"}))
    job = await h.job()
    assert (await h.settled(job.id)).state is JobState.DELIVERED
    (body,) = creates(emu)
    assert body["promptText"] == prompt and body["ratio"] == "720:1280"
    assert job.request.seed == body["seed"]


async def test_discord_form_with_a_bad_ratio_is_refused_without_a_job(h: Harness) -> None:
    photo = Upload("cat.jpg", image_bytes(size=(96, 54)), "image/jpeg")
    target = h.fake.message("look", author_id=OTHER_ID, uploads=(photo,))
    form = await discord_menu.open_form(h, target)
    submit = h.interact(h.fake.modal_submit(form, {"prompt": "a cat", "ratio": "wat"}))
    (edit,) = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{submit['token']}/")
    assert "I don't know the ratio “wat”" in edit.content
    assert await h.core.store.user_jobs(UserRef("discord", str(USER_ID)), limit=5) == []
