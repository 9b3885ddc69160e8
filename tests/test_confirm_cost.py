"""Cost before spending, on Telegram: the real PTB Application against the Bot API
emulator, the core behind it talking to the Runway emulator, on a real SQLite file. A job
dearer than CONFIRM_ABOVE_CREDITS asks Confirm / Cancel first and reserves only on
Confirm; Cancel, expiry and a stranger's Confirm cost nothing; --yes skips the question."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot import texts
from bot.commands import read
from bot.models import JobState, UserRef
from bot.questions import Question, Questions
from bot.replies import Incoming
from tests.botapi_emulator import Call
from tests.helpers import finished, image_bytes, spy_on_decoding
from tests.test_telegram_e2e import ADMIN_ID, Rig, RigFactory, make_rig

__all__ = ["make_rig"]

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")

DEAR = "/video --duration 10 a paper boat"  # 2 credits, above CONFIRM_ABOVE_CREDITS=1


def is_question(call: Call) -> bool:
    return any(b.startswith("confirm:") for b in call.buttons)


async def asked(rig: Rig, text: str | None = DEAR, **message: Any) -> tuple[str, dict[str, Any]]:
    """Send `text`; the question's token and the message that asks it."""
    tg = rig.tg
    tg.push_message(tg.make_message(text, **message))
    (call,) = await tg.wait_for("sendMessage", where=is_question)
    assert "costs 2 credits" in call.params["text"], call.params["text"]
    confirm, decline = call.buttons
    token = confirm.removeprefix("confirm:")
    assert decline == f"decline:{token}"
    question = tg.messages[(call.result["chat"]["id"], call.result["message_id"])]
    return token, question


async def ledger(rig: Rig) -> list[tuple[str, int]]:
    return [(e.kind, e.amount) for e in await rig.core.store.ledger()]


async def test_only_confirm_reserves_and_only_the_asker_may(make_rig: RigFactory) -> None:
    rig = await make_rig(confirm_above_credits=1)
    tg = rig.tg
    group = tg.group_chat()
    token, question = await asked(rig, chat=group)
    assert await ledger(rig) == [] and not rig.creates()

    bob = tg.user(1003, name="Bob")
    tg.press(f"confirm:{token}", user=bob, message=question)
    (answer,) = await tg.wait_for("answerCallbackQuery")
    assert answer.params["text"] == texts.t("en", "confirm_not_yours")
    assert await ledger(rig) == [] and not rig.creates()

    tg.press(f"confirm:{token}", user=rig.ann, message=question)
    body = await rig.create("/text_to_video")
    assert body["promptText"] == "a paper boat" and body["duration"] == 10
    job = await rig.job()
    assert await finished(rig.core, job.id) is JobState.DELIVERED
    assert await ledger(rig) == [("reserve", 2), ("charge", 2)]
    await tg.wait_for(
        "editMessageText", where=lambda c: c.params["message_id"] == question["message_id"]
    )

    tg.press(f"confirm:{token}", user=rig.ann, message=question)  # a second press
    answers = await tg.wait_for("answerCallbackQuery", 3)
    assert answers[2].params["text"] == texts.t("en", "confirm_gone")
    assert len(rig.creates()) == 1 and await rig.used() == 2


async def test_cancel_and_expiry_cost_nothing(make_rig: RigFactory) -> None:
    rig = await make_rig(confirm_above_credits=1, confirm_timeout=60)
    tg = rig.tg
    token, question = await asked(rig)
    tg.press(f"decline:{token}", user=rig.ann, message=question)
    (answer,) = await tg.wait_for("answerCallbackQuery")
    assert answer.params["text"] == texts.t("en", "confirm_dropped")
    tg.press(f"confirm:{token}", user=rig.ann, message=question)
    answers = await tg.wait_for("answerCallbackQuery", 2)
    assert answers[1].params["text"] == texts.t("en", "confirm_gone")

    token, question = await asked_again(rig)
    rig.core.service.clock = lambda: time.time() + 61  # the question lapses unanswered
    tg.press(f"confirm:{token}", user=rig.ann, message=question)
    answers = await tg.wait_for("answerCallbackQuery", 3)
    assert answers[2].params["text"] == texts.t("en", "confirm_gone")
    assert await ledger(rig) == [] and not rig.creates() and len(rig.core.service.questions) == 0


async def asked_again(rig: Rig) -> tuple[str, dict[str, Any]]:
    tg = rig.tg
    tg.push_message(tg.make_message(DEAR))
    calls = await tg.wait_for("sendMessage", 2, where=is_question)
    token = calls[1].buttons[0].removeprefix("confirm:")
    return token, tg.messages[(calls[1].result["chat"]["id"], calls[1].result["message_id"])]


async def test_yes_skips_the_question(make_rig: RigFactory) -> None:
    rig = await make_rig(confirm_above_credits=1)
    tg = rig.tg
    tg.push_message(tg.make_message("/video --yes --duration 10 a paper boat"))
    body = await rig.create("/text_to_video")
    assert body["promptText"] == "a paper boat"  # --yes is an option, not a prompt word
    assert (await ledger(rig))[0] == ("reserve", 2)
    assert not [c for c in tg.calls_of("sendMessage") if is_question(c)]


async def test_a_photo_is_decoded_once_across_the_question(
    make_rig: RigFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = await make_rig(confirm_above_credits=1)
    tg = rig.tg
    decoded = spy_on_decoding(monkeypatch)
    photo = tg.photo(image_bytes((48, 64)), 48, 64)
    caption = "/video --duration 10 make it wave"
    token, question = await asked(rig, None, caption=caption, photo=photo)
    seen = len(decoded)
    assert seen >= 1
    tg.press(f"confirm:{token}", user=rig.ann, message=question)
    body = await rig.create("/image_to_video")
    assert body["promptText"] == "make it wave"
    assert len(decoded) == seen  # Confirm reuses the checked media


async def test_typed_confirm_and_cancel_and_admins_are_asked_too(make_rig: RigFactory) -> None:
    rig = await make_rig(confirm_above_credits=1)
    service = rig.core.service
    admin = UserRef("telegram", str(ADMIN_ID))

    async def say(text: str, user: UserRef = admin) -> str:
        return (await service.handle(Incoming(user=user, command=read(text)))).text

    assert "costs 2 credits" in await say(DEAR)  # exempt from quota, not from the question
    assert await say("/cancel") == texts.t("en", "confirm_dropped")
    assert "costs 2 credits" in await say(DEAR)
    assert "Cost: 2 credit(s)" in await say("/confirm")
    await rig.create("/text_to_video")
    assert await say("/confirm") == texts.t("en", "confirm_gone")


def test_questions_are_bounded_per_user_and_in_all() -> None:
    def question(user: str, expires: float = 100.0) -> Question:
        ref = UserRef("t", user)
        return Question(ref, "en", None, None, {}, 2, expires)  # type: ignore[arg-type]

    questions = Questions(per_user=2, total=3)
    first, second, third = question("a"), question("a"), question("a")
    assert all(questions.ask(q, 0.0) for q in (first, second, third))
    assert questions.get(first.token, 0.0) is None  # the oldest of three gave way
    assert questions.ask(question("b"), 0.0)
    assert not questions.ask(question("c"), 0.0)  # full: refused, not grown
    assert questions.ask(question("c"), 100.0)  # the others lapsed by now
    assert len(questions) == 1


async def test_no_question_at_or_below_the_threshold(make_rig: RigFactory) -> None:
    rig = await make_rig()  # the default CONFIRM_ABOVE_CREDITS=3
    rig.tg.push_message(rig.tg.make_message(DEAR))
    await rig.create("/text_to_video")
    assert (await ledger(rig))[0] == ("reserve", 2)
