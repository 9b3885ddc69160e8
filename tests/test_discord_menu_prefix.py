"""The other ways in: the "Animate with video" menu and its form, and `!video` on a reply."""

from __future__ import annotations

from pathlib import Path

from adapters.discord import DiscordSettings
from adapters.discord.chat import DiscordChat
from bot.models import JobState, Mode, UserRef
from bot.vendors.runway import RunwayClient
from tests.discord_emulator import APP_ID, BOT_ID, CHANNEL_ID, OTHER_ID, USER_ID, Harness, Upload
from tests.emulators.runway import RunwayEmulator
from tests.helpers import image_bytes

USER = UserRef("discord", str(USER_ID))


def prompt_images(emu: RunwayEmulator) -> list[str]:
    bodies = [r["json"] for r in emu.log if r["method"] == "POST" and r["path"].startswith("/v1/")]
    return [b["promptImage"] for b in bodies if "promptImage" in b]


async def open_form(h: Harness, target: dict[str, object]) -> str:
    """Right-click > Apps > Animate with video; returns the form's custom id."""
    menu = h.interact(h.fake.context_menu("Animate with video", target))
    (shown,) = await h.fake.wait_for("POST", rf"/interactions/{menu['id']}/.+/callback")
    assert shown.json["type"] == 9  # a modal
    form = shown.json["data"]
    inputs = [c["custom_id"] for row in form["components"] for c in row["components"]]
    assert inputs == ["prompt", "duration", "ratio"]
    return str(form["custom_id"])


async def test_context_menu_asks_for_a_prompt_then_animates_the_image(
    h: Harness, emu: RunwayEmulator
) -> None:
    photo = Upload("cat.jpg", image_bytes(size=(96, 54)), "image/jpeg")
    target = h.fake.message("look at my cat", author_id=OTHER_ID, uploads=(photo,))
    form = await open_form(h, target)
    submit = h.interact(
        h.fake.modal_submit(form, {"prompt": "the cat waves", "duration": "", "ratio": "9:16"})
    )
    (defer,) = await h.fake.wait_for("POST", rf"/interactions/{submit['id']}/.+/callback")
    assert defer.json["type"] == 5
    job = await h.job()
    assert job.request.mode == Mode.IMAGE and job.request.ratio == "9:16"
    assert (await h.settled(job.id)).state is JobState.DELIVERED
    (uri,) = prompt_images(emu)
    assert uri.startswith("data:image/jpeg;base64,")
    (post,) = await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{submit['token']}$")
    assert post.files and post.content.startswith(f"<@{USER_ID}> 🎬 the cat waves")


async def test_context_menu_takes_an_embed_image(h: Harness, emu: RunwayEmulator) -> None:
    embed = h.fake.embed_image(image_bytes(fmt="PNG"), "image/png")
    target = h.fake.message("", author_id=OTHER_ID, embeds=(embed,))
    form = await open_form(h, target)
    h.interact(h.fake.modal_submit(form, {"prompt": "make it rain", "duration": "10"}))
    job = await h.job()
    assert job.request.duration == 10
    assert (await h.settled(job.id)).state is JobState.DELIVERED
    assert len(prompt_images(emu)) == 1


async def test_context_menu_on_a_message_without_image_says_so(h: Harness) -> None:
    target = h.fake.message("just words", author_id=OTHER_ID)
    menu = h.interact(h.fake.context_menu("Animate with video", target))
    (answer,) = await h.fake.wait_for("POST", rf"/interactions/{menu['id']}/.+/callback")
    assert answer.json["type"] == 4 and answer.json["data"]["flags"] == 64
    assert "no image" in answer.json["data"]["content"]


async def test_prefix_command_on_a_reply_animates_the_replied_image(
    h: Harness, emu: RunwayEmulator
) -> None:
    photo = Upload("dog.png", image_bytes(fmt="PNG"), "image/png")
    original = h.fake.message("my dog", author_id=OTHER_ID, uploads=(photo,))
    command = h.post(h.fake.message("!video --duration 5 the dog jumps", reply_to=original))
    channel = rf"^/channels/{CHANNEL_ID}/messages"
    (placeholder,) = await h.fake.wait_for("POST", channel + "$")
    assert placeholder.json["message_reference"]["message_id"] == int(command["id"])
    job = await h.job()
    assert job.request.mode == Mode.IMAGE and job.prompt == "the dog jumps"
    assert (await h.settled(job.id)).state is JobState.DELIVERED
    status_id = DiscordChat.of(job.chat).message_id
    edits = h.fake.find("PATCH", rf"{channel}/{status_id}$")
    assert "On it" in edits[0].content and edits[-1].content.endswith("✅ Done.")
    post = (await h.fake.wait_for("POST", channel + "$", count=2))[-1]
    assert post.files and post.content.startswith(f"<@{USER_ID}> 🎬 the dog jumps")
    assert post.json["message_reference"]["message_id"] == int(command["id"])  # replies to the user
    assert len(prompt_images(emu)) == 1


async def test_mentioning_the_bot_works_like_the_prefix(h: Harness) -> None:
    h.post(h.fake.message(f"<@{BOT_ID}> video a lighthouse at dusk"))
    job = await h.job()
    assert job.prompt == "a lighthouse at dusk" and job.request.mode == Mode.TEXT
    await h.settled(job.id)


async def test_prefix_quota_and_unknown_commands(h: Harness) -> None:
    h.post(h.fake.message("!play some music"))  # another bot's command: ignored
    h.post(h.fake.message("!quota"))
    (reply,) = await h.fake.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$")
    assert "credits left today" in reply.content


async def test_prefix_is_configurable_and_ignored_outside_allowed_channels(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    settings = DiscordSettings(_env_file=None, prefix="?", allowed_channels=[CHANNEL_ID])
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    async with Harness(tmp_path, [client], settings=settings, video_vendors=["runway"]) as h:
        h.post(h.fake.message("?quota", channel_id=CHANNEL_ID + 1))  # not an allowed channel
        h.post(h.fake.message("!quota"))  # not the prefix
        h.post(h.fake.message("?help"))
        # the help and the models of the configured vendors: two of Discord's messages
        reply, models = await h.fake.wait_for("POST", r"^/channels/\d+/messages$", count=2)
        assert reply.path == f"/channels/{CHANNEL_ID}/messages" and "/video" in reply.content
        assert "Veo 3.1 Fast" in reply.content + models.content
