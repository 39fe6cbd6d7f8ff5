"""The Telegram channel, through the real python-telegram-bot, against the Bot API stand-in."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from fmstoolkit import planning, pool
from fmstoolkit.actions import messages
from fmstoolkit.assistant import build_assistant
from fmstoolkit.config import Settings
from fmstoolkit.notify import callbacks, dispatcher, outbox
from fmstoolkit.notify.message import Button, OutgoingMessage, PermanentFailure, TemporaryFailure
from fmstoolkit.notify.telegram import TelegramChannel, visible_length

pytest_plugins = ["telegram_standin"]  # the stand-in's fixtures

# PTB 22 itself warns, while building RetryAfter, that retry_after will become a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")

CHAT = 987654321  # distinctive, so that a leak in a reason or a log line is visible


def message(
    chat: int | str = CHAT, text: str = "<b>Are you available?</b>", **kw
) -> OutgoingMessage:
    kw.setdefault("outbox_id", 1)
    kw.setdefault("freelancer_id", 1)
    kw.setdefault("kind", "availability_question")
    return OutgoingMessage(channel="telegram", recipient=str(chat), text=text, **kw)


def channel(settings: Settings, **kw) -> TelegramChannel:
    kw.setdefault("network_backoff", 0.05)
    return TelegramChannel(settings, **kw)


def assert_no_secret(text: str, settings: Settings) -> None:
    assert str(CHAT) not in text
    assert settings.telegram_token.get_secret_value() not in text


async def test_sends_html_with_an_inline_keyboard(telegram_standin, telegram_settings):
    buttons = (
        (Button("Yes", callback_data="a:12:yes"), Button("No", callback_data="a:12:no")),
        (Button("See the request", url="https://example.org/r/12"),),
    )
    async with channel(telegram_settings) as tg:
        provider_id = await tg.send(message(buttons=buttons))
        second = await tg.send(message(chat=CHAT + 1, text="plain", parse_mode=None))
    assert (provider_id, second) == ("1", "2")
    first = telegram_standin.messages_to(CHAT)[0]
    assert first.text == "<b>Are you available?</b>"
    assert first.parse_mode == "HTML"
    assert first.reply_markup == {
        "inline_keyboard": [
            [
                {"text": "Yes", "callback_data": "a:12:yes"},
                {"text": "No", "callback_data": "a:12:no"},
            ],
            [{"text": "See the request", "url": "https://example.org/r/12"}],
        ]
    }
    assert telegram_standin.messages_to(CHAT + 1)[0].parse_mode is None


async def test_retry_after_is_honoured_then_sent(telegram_standin, telegram_settings):
    telegram_standin.script(429, retry_after=1)
    async with channel(telegram_settings) as tg:
        started = time.monotonic()
        provider_id = await tg.send(message())
        waited = time.monotonic() - started
    assert provider_id == "1"
    assert waited >= 1.0
    assert telegram_standin.count_429 == 1
    assert len(telegram_standin.sent) == 1


async def test_persistent_flood_is_a_temporary_failure_with_retry_after(
    telegram_standin, telegram_settings
):
    telegram_standin.script(429, retry_after=120)
    async with channel(telegram_settings) as tg:
        with pytest.raises(TemporaryFailure) as failure:
            await tg.send(message())
    assert failure.value.retry_after == 120
    assert "slow down" in failure.value.reason
    assert telegram_standin.sent == []


async def test_blocked_bot_closes_the_channel(telegram_standin, telegram_settings):
    telegram_standin.block(CHAT)
    async with channel(telegram_settings) as tg:
        with pytest.raises(PermanentFailure) as failure:
            await tg.send(message())
    assert failure.value.channel_closed is True
    assert "blocked by the user" in failure.value.reason
    assert_no_secret(failure.value.reason, telegram_settings)
    assert len(telegram_standin.calls("sendMessage")) == 1  # not retried


async def test_chat_not_found_is_permanent(telegram_standin, telegram_settings):
    telegram_standin.forget_chat(CHAT)
    async with channel(telegram_settings) as tg:
        with pytest.raises(PermanentFailure) as failure:
            await tg.send(message())
    assert failure.value.channel_closed is False
    assert "chat not found" in failure.value.reason.lower()
    assert_no_secret(failure.value.reason, telegram_settings)


async def test_server_errors_are_retried(telegram_standin, telegram_settings):
    telegram_standin.script(500, times=2)
    telegram_standin.script(0)  # then the connection drops without an answer
    async with channel(telegram_settings) as tg:
        assert await tg.send(message()) == "1"
    statuses = [status for _, _, status in telegram_standin.calls("sendMessage")]
    assert statuses == [500, 500, 0, 200]


async def test_lasting_server_errors_are_temporary(telegram_standin, telegram_settings):
    telegram_standin.script(502, times=10)
    async with channel(telegram_settings, network_attempts=3) as tg:
        with pytest.raises(TemporaryFailure) as failure:
            await tg.send(message())
    assert "could not be reached" in failure.value.reason
    assert_no_secret(failure.value.reason, telegram_settings)
    assert len(telegram_standin.calls("sendMessage")) == 3


async def test_unreachable_server_is_temporary(free_port):
    settings = Settings(
        telegram_token="123:abcdefSECRET", telegram_api_url=f"http://127.0.0.1:{free_port}/bot"
    )
    async with channel(settings, network_attempts=2) as tg:  # opening does not fail
        with pytest.raises(TemporaryFailure) as failure:
            await tg.send(message())
    assert "could not be reached" in failure.value.reason
    assert_no_secret(failure.value.reason, settings)


async def test_messages_telegram_would_refuse_are_not_sent(telegram_standin, telegram_settings):
    async with channel(telegram_settings) as tg:
        with pytest.raises(PermanentFailure, match="4097 characters long"):
            await tg.send(message(text="x" * 4097, parse_mode=None))
        with pytest.raises(PermanentFailure, match="64 bytes"):
            await tg.send(message(buttons=((Button("Yes", callback_data="y" * 65),),)))
        with pytest.raises(PermanentFailure, match="not valid"):
            await tg.send(message(chat="not a chat"))
        with pytest.raises(PermanentFailure, match="parse entities") as failure:
            await tg.send(message(text="rate < 500 €"))
        # Markup does not count towards the limit: 4,096 visible characters go through.
        await tg.send(message(text="<b>" + "é" * 4096 + "</b>"))
    assert_no_secret(failure.value.reason, telegram_settings)
    assert len(telegram_standin.calls("sendMessage")) == 2


def test_visible_length():
    assert visible_length("<b>a&amp;b</b>", "HTML") == 3
    assert visible_length("<b>a</b>", None) == 8
    assert visible_length("😀", None) == 2  # Telegram counts UTF-16 code units


async def test_a_burst_to_many_chats_stays_under_the_limits(telegram_standin, telegram_settings):
    """60 messages at once: paced at under 30 a second, so Telegram never answers 429."""
    async with channel(telegram_settings) as tg:
        started = time.monotonic()
        ids = await asyncio.gather(*[tg.send(message(chat=1000 + i)) for i in range(60)])
        elapsed = time.monotonic() - started
    assert len(set(ids)) == 60
    assert telegram_standin.count_429 == 0
    assert len(telegram_standin.sent) == 60
    assert 1.9 <= elapsed < 4  # paced, yet close to 30 a second
    times = sorted(m.at for m in telegram_standin.sent)
    assert max(sum(1 for t in times if s <= t < s + 1) for s in times) <= 30


async def test_several_messages_to_one_chat_are_spaced(telegram_standin, telegram_settings):
    async with channel(telegram_settings) as tg:
        await asyncio.gather(*[tg.send(message(text=f"n°{i}")) for i in range(5)])
    assert telegram_standin.count_429 == 0
    sent = telegram_standin.messages_to(CHAT)
    assert [m.text for m in sent] == [f"n°{i}" for i in range(5)]  # in order
    gaps = [b.at - a.at for a, b in zip(sent, sent[1:], strict=False)]
    assert min(gaps) >= 0.95


async def test_a_chats_next_message_waits_for_the_previous_one_to_really_leave(
    telegram_standin, telegram_settings
):
    """Two messages to one freelancer in the middle of a batch: the first waits its turn behind
    35 others; the second is still spaced from the moment the first really left."""
    chats = [1000 + i for i in range(60)]
    chats[35] = chats[36] = CHAT
    async with channel(telegram_settings) as tg:
        await asyncio.gather(
            *[tg.send(message(chat=c, text=f"n°{i}")) for i, c in enumerate(chats)]
        )
    first, second = telegram_standin.messages_to(CHAT)
    assert (first.text, second.text) == ("n°35", "n°36")
    assert second.at - first.at >= 0.95
    assert telegram_standin.count_429 == 0


async def test_a_flood_wait_holds_every_send(telegram_standin, telegram_settings):
    """Telegram answered 429 (retry after 1 s) to one chat: a message to another chat, sent
    meanwhile, waits too, and the first one is sent after the wait."""
    telegram_standin.script(429, retry_after=1, chat_id=CHAT)
    async with channel(telegram_settings) as tg:
        flooded = asyncio.create_task(tg.send(message()))
        await wait_until(lambda: telegram_standin.count_429 == 1, timeout=5)
        refused_at = time.monotonic()
        await tg.send(message(chat=CHAT + 1, text="other"))
        await flooded
    (other,) = telegram_standin.messages_to(CHAT + 1)
    assert other.at - refused_at >= 0.9
    assert len(telegram_standin.messages_to(CHAT)) == 1


async def test_configuration_problems_keep_messages_for_later(telegram_standin):
    """A missing or refused token fails the batch as temporary: fix the setting, send later."""
    with pytest.raises(TemporaryFailure, match="FMS_TELEGRAM_TOKEN") as failure:
        async with TelegramChannel(Settings(telegram_token=None)):
            pass
    assert failure.value.retry_after == 600
    wrong = Settings(telegram_token="1:wrongSECRET", telegram_api_url=telegram_standin.url)
    with pytest.raises(TemporaryFailure, match="refused the bot token") as failure:
        async with TelegramChannel(wrong):
            pass
    assert "wrongSECRET" not in failure.value.reason
    assert failure.value.__cause__ is None and failure.value.__suppress_context__


async def test_no_token_or_chat_id_in_logs(telegram_standin, telegram_settings, caplog):
    telegram_standin.block(CHAT + 1)
    telegram_standin.script(500)
    with caplog.at_level(logging.DEBUG):
        async with channel(telegram_settings) as tg:
            await tg.send(message())
            with pytest.raises(PermanentFailure):
                await tg.send(message(chat=CHAT + 1))
    assert "sendMessage" in caplog.text  # the logs were captured...
    assert_no_secret(caplog.text, telegram_settings)  # ...without the secrets
    assert str(CHAT + 1) not in caplog.text


# --- the assistant bot: button presses and /start, through getUpdates polling -------------------


def poll_for(db, chat: int) -> tuple[int, int]:
    freelancer_id = pool.add_freelancer(
        db,
        name=f"Freelancer {chat}",
        email=f"f{chat}@example.org",
        telegram_chat_id=chat,
        preferred_channel="telegram",
    )
    skill_id = db.execute("SELECT id FROM skills ORDER BY id LIMIT 1").fetchone()[0]
    request = planning.create_request(db, project="Website", skill=skill_id, in_days=10, days=5)
    return freelancer_id, planning.record_poll(db, request["id"], freelancer_id, channel="telegram")


async def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


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


async def test_assistant_records_a_poll_answer(db, telegram_standin, telegram_settings):
    freelancer_id, poll_id = poll_for(db, CHAT)
    key = callbacks.secret_for(db)
    buttons = tuple(
        (Button(v, callback_data=callbacks.sign("poll", poll_id, v, key=key)),)
        for v in ("yes", "no")
    )
    async with channel(telegram_settings) as tg:
        await tg.send(message(text="<b>Website</b>: available?", buttons=buttons))
    async with running_assistant(db, telegram_settings):
        telegram_standin.press_button(CHAT, buttons[0][0].callback_data)
        await wait_until(lambda: telegram_standin.edits)
    poll = db.execute("SELECT answer FROM polls WHERE id = ?", [poll_id]).fetchone()
    assert poll[0] == "yes"
    confirmed = db.execute(
        "SELECT availability_confirmed_by FROM freelancers WHERE id = ?", [freelancer_id]
    ).fetchone()
    assert confirmed[0] == "answer"
    assert telegram_standin.answered_callbacks[0]["text"] == "Thank you, noted: yes."
    (edit,) = telegram_standin.edits
    assert edit.text == "Website: available?\n\n<i>Your answer: yes</i>"
    assert edit.reply_markup is None  # the buttons are gone once answered


async def test_assistant_waits_out_a_flood_answer(db, telegram_standin, telegram_settings):
    """Telegram answers 429 to the bot's reply: it waits the time asked, then replies."""
    telegram_standin.script(429, retry_after=1, chat_id=CHAT)
    async with running_assistant(db, telegram_settings):
        started = time.monotonic()
        telegram_standin.send_user_text(CHAT, "/start")
        await wait_until(lambda: telegram_standin.sent)
    (reply,) = telegram_standin.sent
    assert reply.text.startswith("Hello! Open the link of the agency's invitation")
    assert reply.at - started >= 1.0
    assert telegram_standin.count_429 == 1


async def test_assistant_refuses_forged_and_foreign_buttons(
    db, telegram_standin, telegram_settings
):
    _, poll_id = poll_for(db, CHAT)
    _, other_poll = poll_for(db, CHAT + 1)
    key = callbacks.secret_for(db)
    forged = callbacks.sign("poll", poll_id, "yes", key=key).replace(
        f":{poll_id}:", f":{other_poll}:"
    )
    foreign = callbacks.sign("poll", other_poll, "no", key=key)  # someone else's question
    async with running_assistant(db, telegram_settings):
        telegram_standin.press_button(CHAT, forged)
        telegram_standin.press_button(CHAT, foreign)
        await wait_until(lambda: len(telegram_standin.answered_callbacks) == 2)
    answers = db.execute("SELECT answer FROM polls ORDER BY id").fetchall()
    assert answers == [(None,), (None,)]
    texts = [a["text"] for a in telegram_standin.answered_callbacks]
    assert texts == [
        "This button is not valid (it was changed or has expired).",
        "This question was not sent to you.",
    ]


async def test_assistant_connects_a_chat_from_the_invitation_link(
    db, telegram_standin, telegram_settings
):
    freelancer_id = pool.add_freelancer(db, name="Grace", email="grace@example.org")
    db.execute(
        "UPDATE contacts SET telegram_link_token = 'tok_123' WHERE freelancer_id = ?",
        [freelancer_id],
    )
    async with running_assistant(db, telegram_settings):
        telegram_standin.send_user_text(CHAT, "/start tok_123")
        telegram_standin.send_user_text(CHAT + 5, "/start tok_123")  # used already
        await wait_until(lambda: len(telegram_standin.sent) == 2)
    contact = pool.get_contact(db, freelancer_id)
    assert contact["telegram_chat_id"] == CHAT
    assert contact["preferred_channel"] == "telegram"
    assert contact["telegram_link_token"] is None
    replies = {m.chat_id: m.text for m in telegram_standin.sent}
    assert replies[CHAT].startswith("Your Telegram is connected")
    assert replies[CHAT + 5].startswith("This link is not valid any more")


# --- end to end: outbox -> dispatcher -> this channel -> a press on a button -> the poll --------


def test_question_sent_by_the_outbox_is_answered_with_a_button(
    db, telegram_standin, telegram_settings
):
    _, poll_id = poll_for(db, CHAT)
    message_id = messages.enqueue_availability_question(db, poll_id)
    summary = dispatcher.drain(db, channels={"email": None})
    assert summary["by_channel"]["telegram"] == 1
    assert outbox.get(db, message_id)["provider_id"] == "1"
    (sent,) = telegram_standin.messages_to(CHAT)
    assert "<b>Website</b>" in sent.text and sent.parse_mode == "HTML"
    yes = sent.reply_markup["inline_keyboard"][0][0]["callback_data"]
    assert yes.startswith(f"poll:{poll_id}:yes:") and len(yes.encode()) <= 64

    async def press() -> None:
        async with running_assistant(db, telegram_settings):
            telegram_standin.press_button(CHAT, yes)
            await wait_until(lambda: telegram_standin.answered_callbacks)

    asyncio.run(press())
    assert db.execute("SELECT answer FROM polls WHERE id = ?", [poll_id]).fetchone()[0] == "yes"


def test_the_monthly_check_answered_no_on_telegram_marks_the_month_away(
    db, telegram_standin, telegram_settings
):
    freelancer_id, _ = poll_for(db, CHAT)
    message_id = messages.enqueue_availability_check(db, freelancer_id, "2026-11")
    dispatcher.drain(db, channels={"email": None})
    (sent,) = telegram_standin.messages_to(CHAT)
    assert "missions in <b>December 2026</b>?" in sent.text
    yes, no = sent.reply_markup["inline_keyboard"][0]
    assert (yes["text"], no["text"]) == ("Yes, I am available", "No, not next month")

    async def press() -> None:
        async with running_assistant(db, telegram_settings):
            telegram_standin.press_button(CHAT, no["callback_data"])
            await wait_until(lambda: telegram_standin.answered_callbacks)

    asyncio.run(press())
    assert telegram_standin.answered_callbacks[0]["text"] == "Thank you, noted: no."
    assert outbox.get(db, message_id)["status"] == "sent"
    assert planning.availability(db, freelancer_id, "2026-12-01", "2026-12-31")["status"] == "busy"
    confirmed = db.execute(
        "SELECT availability_confirmed_by FROM freelancers WHERE id = ?", [freelancer_id]
    ).fetchone()
    assert confirmed[0] == "answer"


def test_blocked_bot_closes_the_contacts_telegram_and_falls_back_to_email(
    db, telegram_standin, telegram_settings
):
    freelancer_id, poll_id = poll_for(db, CHAT)
    telegram_standin.block(CHAT)
    message_id = messages.enqueue_availability_question(db, poll_id)
    dispatcher.drain(db, channels={"email": None})
    assert pool.get_contact(db, freelancer_id)["telegram_closed_at"] is not None
    queued = outbox.get(db, message_id)
    assert queued["channel"] == "email" and queued["status"] != "sent"
    assert [status for _, _, status in telegram_standin.calls("sendMessage")] == [403]
    assert str(CHAT) not in queued["last_error"]
