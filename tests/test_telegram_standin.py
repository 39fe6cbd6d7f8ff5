"""The Bot API stand-in behaves like Telegram for the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram_standin import TelegramStandin, check_html

pytest_plugins = ["telegram_standin"]  # the stand-in's fixtures

# PTB 22 itself warns, while building RetryAfter, that retry_after will become a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")


async def test_get_me_and_send_message(telegram_standin):
    async with Bot(telegram_standin.token, base_url=telegram_standin.url) as bot:
        assert bot.username == "fms_test_bot"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="poll:1:yes")]])
        message = await bot.send_message(
            chat_id=4242, text="<b>Hello</b> &amp; welcome", parse_mode="HTML", reply_markup=markup
        )
    assert message.message_id == 1
    assert message.chat.id == 4242
    assert message.text == "Hello & welcome"
    (sent,) = telegram_standin.sent
    assert (sent.chat_id, sent.text, sent.parse_mode) == (
        4242,
        "<b>Hello</b> &amp; welcome",
        "HTML",
    )
    assert sent.reply_markup == {
        "inline_keyboard": [[{"text": "Yes", "callback_data": "poll:1:yes"}]]
    }


async def test_wrong_token_is_refused(telegram_standin):
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=telegram_standin.url):
            pass


@pytest.mark.parametrize(
    "text",
    ["a < b", "<script>x</script>", "<b>bold <i>both</b></i>", "<b>open", "fish & chips", "2 > 1"],
)
def test_html_that_telegram_cannot_parse(text):
    with pytest.raises(Exception, match="can't parse entities"):
        check_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        '<b>a</b> <i>b</i> <a href="https://example.org/?a=1&amp;b=2">link</a>',
        '<pre><code class="language-python">x &lt; 1</code></pre> &#128512; &quot;',
        "<tg-spoiler>s</tg-spoiler> <blockquote expandable>q</blockquote>",
    ],
)
def test_html_that_telegram_accepts(text):
    check_html(text)


async def test_refusals_like_telegram(telegram_standin):
    telegram_standin.block(11)
    telegram_standin.forget_chat(12)
    async with Bot(telegram_standin.token, base_url=telegram_standin.url) as bot:
        with pytest.raises(Forbidden, match="blocked by the user"):
            await bot.send_message(chat_id=11, text="hi")
        with pytest.raises(BadRequest, match="not found"):
            await bot.send_message(chat_id=12, text="hi")
        with pytest.raises(BadRequest, match="parse entities"):
            await bot.send_message(chat_id=13, text="a < b", parse_mode="HTML")
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(chat_id=13, text="x" * 4097)
        # Tags do not count towards the 4,096 characters.
        await bot.send_message(chat_id=14, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="x" * 65)]])
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(chat_id=15, text="hi", reply_markup=too_long)
    assert [m.chat_id for m in telegram_standin.sent] == [14]


async def test_scripted_faults(telegram_standin):
    telegram_standin.script(429, retry_after=7)
    telegram_standin.script(500)
    telegram_standin.script(0)
    async with Bot(telegram_standin.token, base_url=telegram_standin.url) as bot:
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(chat_id=1, text="a")
        assert flood.value._retry_after.total_seconds() == 7
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(chat_id=1, text="b")
        with pytest.raises(NetworkError):
            await bot.send_message(chat_id=1, text="c")
        await bot.send_message(chat_id=1, text="d")
    assert [m.text for m in telegram_standin.sent] == ["d"]
    assert telegram_standin.count_429 == 1
    assert [status for _, _, status in telegram_standin.calls("sendMessage")] == [429, 500, 0, 200]


async def test_flood_limits_are_enforced(telegram_standin):
    """Without a limiter, a burst to many chats, or to one chat, gets 429 answers."""
    async with Bot(telegram_standin.token, base_url=telegram_standin.url) as bot:
        results = await asyncio.gather(
            *[bot.send_message(chat_id=1000 + i, text="hi") for i in range(60)],
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, RetryAfter)]
        assert len(results) - len(refused) == 30
        assert telegram_standin.count_429_enforced == 30
        telegram_standin.reset()
        results = await asyncio.gather(
            *[bot.send_message(chat_id=7, text="hi") for i in range(5)], return_exceptions=True
        )
    assert sum(isinstance(r, RetryAfter) for r in results) == 2
    assert telegram_standin.count_429 == 2


async def test_press_button_reaches_get_updates(telegram_standin):
    async with Bot(telegram_standin.token, base_url=telegram_standin.url) as bot:
        await bot.send_message(chat_id=55, text="Available?")
        telegram_standin.press_button(55, "poll:9:yes")
        (update,) = await bot.get_updates(timeout=2)
        query = update.callback_query
        assert (query.data, query.from_user.id, query.message.message_id) == ("poll:9:yes", 55, 1)
        await bot.answer_callback_query(query.id, text="Thanks")
        await bot.edit_message_text("Available? yes", chat_id=55, message_id=1)
        assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert telegram_standin.answered_callbacks[0]["text"] == "Thanks"
    assert telegram_standin.edits[0].text == "Available? yes"


async def test_document_and_json_requests(telegram_standin):
    async with Bot(telegram_standin.token, base_url=telegram_standin.url) as bot:
        await bot.send_document(
            chat_id=8, document=InputFile(b"BEGIN:VCALENDAR", filename="mission.ics")
        )
    assert telegram_standin.sent[0].document == ("mission.ics", b"BEGIN:VCALENDAR")
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{telegram_standin.url}{telegram_standin.token}/sendMessage",
            json={"chat_id": 9, "text": "json", "reply_markup": {"inline_keyboard": []}},
        )
    assert answer.json()["ok"] is True
    assert telegram_standin.messages_to(9)[0].text == "json"


def test_runs_on_its_own_port(free_port):
    with TelegramStandin(port=free_port) as standin:
        assert standin.url == f"http://127.0.0.1:{free_port}/bot"
        body = httpx.get(f"{standin.url}{standin.token}/getMe").json()
    assert body["ok"] and body["result"]["is_bot"]
    assert json.dumps(body)
