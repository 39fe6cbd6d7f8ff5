"""The feedback form answered in Telegram: the real python-telegram-bot against the Bot API
stand-in, from the request's button to the feedback row (source ``freelancer``)."""

from __future__ import annotations

import asyncio
import time

import pytest
from offboarding_fixtures import make_mission
from telegram_standin import visible_text

from fmstoolkit import pool, privacy
from fmstoolkit.actions import messages
from fmstoolkit.assistant import build_assistant, conversations
from fmstoolkit.notify import callbacks, dispatcher

pytest_plugins = ["telegram_standin"]  # the stand-in's fixtures

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")

CHAT = 55512345


def freelancer_with_mission(db, chat: int, *, name: str, lang: str = "en") -> tuple[int, int]:
    freelancer_id = pool.add_freelancer(
        db,
        name=name,
        email=f"f{chat}@example.org",
        telegram_chat_id=chat,
        preferred_channel="telegram",
        lang=lang,
    )
    mission = make_mission(db, freelancer_id=freelancer_id, project="Website")
    return freelancer_id, mission["mission_id"]


async def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


class running_assistant:
    """The assistant bot polling the stand-in, stopped on exit."""

    def __init__(self, db, settings):
        self.app = build_assistant(db, settings)

    async def __aenter__(self):
        await self.app.initialize()
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0.0, timeout=1)
        return self.app

    async def __aexit__(self, *exc):
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()


def keyboard(message) -> list[list[dict]]:
    return (message.reply_markup or {}).get("inline_keyboard", [])


def button(message, label: str) -> str:
    for row in keyboard(message):
        for b in row:
            if b["text"] == label:
                return b["callback_data"]
    raise AssertionError(f"no button {label!r} in {keyboard(message)}")


class Chat:
    """What the freelancer sees: the last message of the chat (edited in place or new)."""

    def __init__(self, standin, chat_id: int):
        self.standin, self.chat_id = standin, chat_id

    def messages(self):
        return self.standin.messages_to(self.chat_id)

    @property
    def last(self):
        return self.messages()[-1]

    @property
    def text(self) -> str:
        """The last message as the freelancer reads it (without the HTML markup)."""
        return visible_text(self.last.text, self.last.parse_mode)

    async def press(self, label: str) -> None:
        """Press a button of the last message and wait for the bot's answer to show."""
        edits, sent = len(self.standin.edits), len(self.messages())
        self.standin.press_button(self.chat_id, button(self.last, label))
        await wait_until(lambda: len(self.standin.edits) > edits or len(self.messages()) > sent)

    async def say(self, text: str) -> None:
        sent = len(self.messages())
        self.standin.send_user_text(self.chat_id, text)
        await wait_until(lambda: len(self.messages()) > sent)


def feedback_rows(db):
    return db.execute(
        "SELECT mission_id, source, onboarding, integration, clarity, suggestions FROM feedback"
    ).fetchall()


def test_feedback_request_answered_in_telegram(db, telegram_standin, telegram_settings):
    """Outbox -> dispatcher -> the request's button -> four questions -> the feedback row."""
    freelancer_id, mission_id = freelancer_with_mission(db, CHAT, name="Ada Lovelace")
    messages.enqueue_feedback_request(db, mission_id)
    assert dispatcher.drain(db, channels={"email": None})["by_channel"]["telegram"] == 1
    chat = Chat(telegram_standin, CHAT)
    (request,) = chat.messages()
    start = keyboard(request)[0][0]["callback_data"]
    assert start.startswith(f"feedback:{mission_id}:start:")

    async def answer() -> None:
        async with running_assistant(db, telegram_settings):
            await chat.press(keyboard(request)[0][0]["text"])
            first, first_text = chat.last, chat.text
            assert "Website" in first_text and "/cancel" in first_text
            assert "(1/4)" in first_text and "How was the onboarding?" in first_text
            assert [b["text"] for b in keyboard(first)[0]] == ["1", "2", "3", "4", "5"]
            assert all(len(b["callback_data"].encode()) <= 64 for b in keyboard(first)[0])
            await chat.press("4")
            assert "(2/4)" in chat.text and "Integration in the team" in chat.text
            assert "How was the onboarding?: 4" in chat.text  # the answer stays in the chat
            await chat.press("5")
            await chat.press("3")
            assert "(4/4)" in chat.text and "press Skip" in chat.text
            await chat.say("A shared calendar of the team, please.")

    asyncio.run(answer())
    assert feedback_rows(db) == [
        (mission_id, "freelancer", 4, 5, 3, "A shared calendar of the team, please.")
    ]
    assert chat.text == "Thank you! Your feedback was sent to the agency."
    assert conversations.load(db, freelancer_id) is None  # the state is cleared
    toasts = [a.get("text") for a in telegram_standin.answered_callbacks]
    assert toasts[1:] == ["Noted: 4", "Noted: 5", "Noted: 3"]


async def test_only_the_missions_freelancer_may_answer(db, telegram_standin, telegram_settings):
    ada, mission_id = freelancer_with_mission(db, CHAT, name="Ada Lovelace")
    _, other_mission = freelancer_with_mission(db, CHAT + 1, name="Bob Martin")
    key = callbacks.secret_for(db)
    foreign = callbacks.sign("feedback", other_mission, "start", key=key)  # Bob's request
    forged = callbacks.sign("feedback", mission_id, "start", key=key).replace(
        f":{mission_id}:", f":{other_mission}:"
    )
    step = callbacks.sign("feedback", mission_id, "0_4", key=key)  # no form was started
    chat = Chat(telegram_standin, CHAT)
    async with running_assistant(db, telegram_settings):
        for data in (foreign, forged, step):
            telegram_standin.press_button(CHAT, data)
        await wait_until(lambda: len(telegram_standin.answered_callbacks) == 3)
        assert chat.messages() == []  # nothing was asked
        await chat.say("/cancel")
        assert chat.text == "There is nothing to cancel."
        # Ada starts her own form, then stops it.
        telegram_standin.press_button(
            CHAT, callbacks.sign("feedback", mission_id, "start", key=key)
        )
        await wait_until(lambda: len(chat.messages()) == 2)
        assert conversations.load(db, ada) is not None
        await chat.say("/cancel")
    texts = [a["text"] for a in telegram_standin.answered_callbacks[:3]]
    assert texts == [
        "This form was not sent to you.",
        "This button is not valid (it was changed or has expired).",
        "This form is not open any more: press the button of the request to start again.",
    ]
    assert chat.text.startswith("Stopped: nothing was saved.")
    assert conversations.load(db, ada) is None
    assert feedback_rows(db) == []


async def test_wrong_answers_are_asked_again_and_a_restart_loses_nothing(
    db, telegram_standin, telegram_settings
):
    """In French: a word where a rating is expected, then 7, are refused with the reason and the
    same question; the bot is restarted in the middle; the freelancer goes on and skips the
    optional suggestions."""
    freelancer_id, mission_id = freelancer_with_mission(db, CHAT, name="Zoé Durand", lang="fr")
    start = callbacks.sign("feedback", mission_id, "start", key=callbacks.secret_for(db))
    chat = Chat(telegram_standin, CHAT)
    async with running_assistant(db, telegram_settings):
        telegram_standin.press_button(CHAT, start)
        await wait_until(lambda: chat.messages())
        assert "Comment s'est passé l'accueil ?" in chat.text
        await chat.say("super")
        assert chat.text.startswith("Merci de répondre par un nombre de 1 à 5")
        assert "(1/4)" in chat.text and len(keyboard(chat.last)[0]) == 5
        await chat.say("7")
        assert chat.text.startswith("Cette réponse n'est pas valide")
        assert "(1/4)" in chat.text
        await chat.press("4")
        assert "(2/4)" in chat.text
    assert conversations.load(db, freelancer_id) == conversations.State(
        "feedback", mission_id, 1, {"onboarding": 4}
    )
    async with running_assistant(db, telegram_settings):  # a new bot on the same database
        await chat.say("3")  # a rating may be typed, too
        assert "(3/4)" in chat.text and "Clarté de la mission" in chat.text
        await chat.press("5")
        assert "Passer" in chat.text
        await chat.press("Passer")
    assert feedback_rows(db) == [(mission_id, "freelancer", 4, 3, 5, None)]
    assert chat.text.endswith("Merci ! Votre avis a été transmis à l'agence.")
    assert conversations.load(db, freelancer_id) is None


def test_chat_forms_follow_their_definition():
    """Every field but the fixed source is asked; buttons carry signed data within 64 bytes."""
    chat_form = conversations.CHAT_FORMS["feedback"]
    assert [f.name for f in chat_form.fields] == [
        "onboarding",
        "integration",
        "clarity",
        "suggestions",
    ]
    state = chat_form.start(2**31)
    for step in range(4):
        state.step = step
        question = chat_form.question(state, "en", key=b"k")
        for row in question.buttons:
            for b in row:
                assert len(b.callback_data.encode()) <= 64
                assert callbacks.verify(b.callback_data, key=b"k")[0] == "feedback"
    assert chat_form.press(state, "0_1", "en").stale  # a button of an earlier question


def test_forgetting_a_freelancer_drops_their_half_answered_form(db):
    """The answers typed so far are personal data: erasing the freelancer erases them too."""
    freelancer_id, mission_id = freelancer_with_mission(db, CHAT, name="Ada Lovelace")
    state = conversations.State("feedback", mission_id, 3, {"onboarding": 2, "integration": 2})
    conversations.store(db, freelancer_id, state)
    assert conversations.load(db, freelancer_id) == state
    db.execute("UPDATE missions SET status = 'offboarded' WHERE id = ?", [mission_id])
    privacy.forget(db, freelancer_id)
    assert conversations.load(db, freelancer_id) is None
