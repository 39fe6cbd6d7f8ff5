"""What a freelancer can do on Telegram (``/help``, ``/missions``, ``/off``, ``/stop``,
``/langue``) and the assistant's robustness (duplicate updates, stickers, unknown commands,
unlinked chats, presses on closed requests), through the real python-telegram-bot Application
polling the Bot API stand-in; and the ``/off`` period parser on its own."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from hypothesis import given, settings
from hypothesis import strategies as st
from notify_fixtures import make_freelancer, make_mission, make_request
from test_email import Inbox, smtp_settings

from fmstoolkit import config, planning, pool
from fmstoolkit.actions import messages
from fmstoolkit.assistant import build_assistant
from fmstoolkit.errors import InvalidInput
from fmstoolkit.notify import callbacks, dispatcher, outbox
from fmstoolkit.planning.periods import MAX_TEXT, parse_period

pytest_plugins = ["telegram_standin"]
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")

CHAT = 555123001  # Alice, in French
CHAT_EN = 555123002  # Bob, in English
STRANGER = 555123999  # a chat linked to no one
TODAY = dt.date(2026, 11, 25)  # conftest's frozen day


async def wait_until(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


class assistant:
    """The assistant's Application polling the stand-in (its menu sent, as ``run_polling``
    does through ``post_init``), stopped on exit."""

    def __init__(self, db, settings):
        self.app = build_assistant(db, settings)

    async def __aenter__(self):
        await self.app.initialize()
        await self.app.post_init(self.app)
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0.0, timeout=1)
        return self.app

    async def __aexit__(self, *exc):
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()


@pytest.fixture
def people(db):
    alice = make_freelancer(db, "Alice Martin", chat_id=CHAT, lang="fr")
    bob = make_freelancer(db, "Bob Smith", email="bob@example.org", chat_id=CHAT_EN, lang="en")
    return alice, bob


def replies_to(standin, chat) -> list[str]:
    return [m.text for m in standin.messages_to(chat)]


async def converse(db, standin, settings, chat, *texts: str) -> list[str]:
    """Send ``texts`` from ``chat`` one by one, each waiting for its reply; the replies."""
    async with assistant(db, settings):
        for text in texts:
            before = len(standin.messages_to(chat))
            standin.send_user_text(chat, text)
            await wait_until(lambda b=before: len(standin.messages_to(chat)) > b)
    return replies_to(standin, chat)


def absences(db, freelancer_id) -> list[tuple]:
    return db.execute(
        "SELECT start_date, end_date, reason, source FROM unavailability WHERE freelancer_id = ? "
        "ORDER BY start_date",
        [freelancer_id],
    ).fetchall()


# --- /help and the menu -----------------------------------------------------------------------


async def test_help_in_each_language_and_the_menu_in_both(
    db, people, telegram_standin, telegram_settings
):
    french = await converse(db, telegram_standin, telegram_settings, CHAT, "/aide")
    english = await converse(db, telegram_standin, telegram_settings, CHAT_EN, "/help")
    assert "/missions : vos prochaines missions" in french[0]
    assert "/off 20/12 au 03/01" in french[0] and "/stop" in french[0]
    assert "/missions: your upcoming missions" in english[0]
    menus = telegram_standin.commands_by_language
    assert set(menus) == {"fr", "en", ""}
    assert [c["command"] for c in menus["fr"]] == ["missions", "off", "langue", "stop", "help"]
    assert menus["fr"][0]["description"] == "Vos prochaines missions"
    assert [c["command"] for c in menus["en"]] == ["missions", "off", "language", "stop", "help"]
    assert menus[""] == menus["en"]  # FMS_LANG is en in the tests


# --- /missions --------------------------------------------------------------------------------


async def test_missions_lists_the_upcoming_ones_in_the_freelancers_language(
    db, people, telegram_standin, telegram_settings
):
    alice, bob = people
    make_mission(db, alice, start="2027-01-04", end="2027-01-15")
    make_mission(db, alice)  # 7 to 18 December 2026
    past = make_mission(db, alice, start="2026-10-05", end="2026-10-16")
    db.execute("UPDATE missions SET status = 'offboarded' WHERE id = ?", [past])
    (french,) = await converse(db, telegram_standin, telegram_settings, CHAT, "/missions")
    assert french.splitlines() == [
        "Vos prochaines missions :",
        "• 7 décembre 2026 au 18 décembre 2026 : Refonte <site> & co, 550\u00a0€ par jour",
        "• 4 janvier 2027 au 15 janvier 2027 : Refonte <site> & co, 550\u00a0€ par jour",
    ]
    (english,) = await converse(db, telegram_standin, telegram_settings, CHAT_EN, "/missions")
    assert english == "You have no upcoming mission with the agency."


# --- /off ---------------------------------------------------------------------------------------


async def test_off_in_its_forms_declares_the_absences(
    db, people, telegram_standin, telegram_settings
):
    alice, _ = people
    replies = await converse(
        db, telegram_standin, telegram_settings, CHAT,
        "/off 2026-12-20 2027-01-03 congés",
        "/off 24/02",
        "/off du 10 au 12 mars séminaire",
        "/off 20/04-03/05 vacances",
    )  # fmt: skip
    assert absences(db, alice) == [
        ("2026-12-20", "2027-01-03", "congés", "freelancer"),
        ("2027-02-24", "2027-02-24", None, "freelancer"),
        ("2027-03-10", "2027-03-12", "séminaire", "freelancer"),
        ("2027-04-20", "2027-05-03", "vacances", "freelancer"),
    ]
    assert replies[0] == (
        "C'est noté : vous n'êtes pas disponible du 20 décembre 2026 au 3 janvier 2027. L'agence "
        "ne vous proposera pas de mission sur cette période."
    )
    assert replies[1].startswith("C'est noté : vous n'êtes pas disponible le 24 février 2027.")
    # The ranking now counts her busy then.
    assert planning.availability(db, alice, "2026-12-21", "2026-12-24")["status"] == "busy"


async def test_off_over_a_mission_is_recorded_with_a_warning(
    db, people, telegram_standin, telegram_settings
):
    _, bob = people
    make_mission(db, bob)  # 7 to 18 December 2026
    (reply,) = await converse(
        db, telegram_standin, telegram_settings, CHAT_EN, "/off 17/12 to 21/12 dentist"
    )
    assert absences(db, bob) == [("2026-12-17", "2026-12-21", "dentist", "freelancer")]
    assert reply.splitlines() == [
        "Noted: you are away from 17 December 2026 to 21 December 2026. The agency will not "
        "propose you a mission then.",
        "Careful: you have the mission Refonte <site> & co from 7 December 2026 to 18 December "
        "2026 then: tell the agency.",
    ]


async def test_off_refuses_nonsense_with_a_clear_sentence(
    db, people, telegram_standin, telegram_settings
):
    _, bob = people
    replies = await converse(
        db, telegram_standin, telegram_settings, CHAT_EN,
        "/off", "/off next week", "/off 31/02", "/off 2025-01-01", "/off 2031-06-01",
        "/off 20/12 to 19/12", "/off " + "9" * 3000,
    )  # fmt: skip
    usage = "Write the dates after /off, for example: /off 20/12 to 03/01 holidays, or /off 24/12."
    assert replies[0] == usage
    assert replies[1].startswith("I could not read dates in 'next week'")
    assert replies[2].startswith("'31/02' is not a date of the calendar.")
    assert replies[3].startswith("This period is already over (2025-01-01)")
    assert replies[4].startswith("The date 2031-06-01 is too far from today")
    assert replies[5].startswith("This period lasts 365 days: give at most 184 days.")
    assert replies[6].startswith("This text is too long")
    assert all(reply.endswith(usage) for reply in replies)
    assert absences(db, bob) == []


def test_the_parser_reads_the_documented_forms():
    def read(text):
        p = parse_period(text, TODAY)
        return p.start.isoformat(), p.end.isoformat(), p.reason

    assert read("20/12 au 03/01") == ("2026-12-20", "2027-01-03", None)
    assert read("du 20 décembre au 3 janvier") == ("2026-12-20", "2027-01-03", None)
    assert read("from Dec 20th to Jan 3rd, ski") == ("2026-12-20", "2027-01-03", "ski")
    assert read("du 28 au 3 janvier") == ("2026-12-28", "2027-01-03", None)
    assert read("1er janvier") == ("2027-01-01", "2027-01-01", None)
    assert read("24/11") == ("2027-11-24", "2027-11-24", None)  # yesterday's: next year's
    assert read("25/11 aujourd'hui") == ("2026-11-25", "2026-11-25", "aujourd'hui")
    assert read("24.12.26") == ("2026-12-24", "2026-12-24", None)
    assert read("JANV. 4 2027 → janvier 8 2027") == ("2027-01-04", "2027-01-08", None)
    with pytest.raises(InvalidInput, match="could not read"):
        parse_period("24/123", TODAY)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.from_regex(
            r"(du |from )?\d{1,4}[/.-]\d{1,2}([/.-]\d{1,4})?( (au|to|-) \d{1,2}[/.]\d{1,2})?.*",
            fullmatch=True,
        ),
        st.from_regex(r"\d{1,2} (d[ée]c|janv\.?|february|f[ée]vrier)( \d{1,5})?.*", fullmatch=True),
        st.text(min_size=MAX_TEXT - 5, max_size=MAX_TEXT + 5),
    )
)
def test_any_text_gives_a_period_or_a_clear_sentence(text):
    try:
        period = parse_period(text, TODAY)
    except InvalidInput as error:
        assert error.field == "period"
        assert 0 < len(error.message("fr")) < 200 and 0 < len(error.message("en")) < 200
    else:
        assert TODAY <= period.end and period.start <= period.end
        assert (period.end - period.start).days < 184


# --- /stop ------------------------------------------------------------------------------------


@pytest.fixture
def inbox(monkeypatch):
    with socket.socket() as s:  # a port of its own (the stand-in takes free_port)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    handler.controller = controller
    controller.start()
    smtp_settings(monkeypatch, port)
    yield handler
    controller.stop()


def test_stop_then_silence_on_telegram_and_messages_by_email(
    db, people, telegram_standin, telegram_settings, inbox
):
    alice, _ = people
    replies = asyncio.run(
        converse(db, telegram_standin, telegram_settings, CHAT, "/stop", "/missions")
    )
    assert replies == [
        "C'est fait : l'agence ne vous écrira plus ici ; ses messages vous arriveront par "
        "e-mail. Envoyez /start pour rouvrir cette conversation.",
        "Vous avez arrêté les messages ici : envoyez /start pour les recevoir à nouveau.",
    ]
    contact = pool.get_contact(db, alice)
    assert contact["telegram_closed_at"] and contact["telegram_closed_by"] == "freelancer"
    assert contact["email"] == "alice@example.org"  # e-mail stays
    request = make_request(db)
    poll = planning.record_poll(db, request, alice, channel="telegram")
    message_id = messages.enqueue_availability_question(db, poll)
    sent_before = len(telegram_standin.sent)
    dispatcher.drain(db, settings=config.reload_settings())
    assert outbox.get(db, message_id)["status"] == "sent"
    assert [rcpts for _, rcpts in inbox.envelopes] == [["alice@example.org"]]
    assert len(telegram_standin.sent) == sent_before  # nothing more on Telegram
    # /start opens the chat again.
    (*_, back) = asyncio.run(converse(db, telegram_standin, telegram_settings, CHAT, "/start"))
    assert back.startswith("Votre Telegram est connecté")
    assert pool.get_contact(db, alice)["telegram_closed_at"] is None


# --- /langue ----------------------------------------------------------------------------------


async def test_language_is_changed_and_the_reply_is_in_the_new_one(
    db, people, telegram_standin, telegram_settings
):
    alice, _ = people
    replies = await converse(
        db, telegram_standin, telegram_settings, CHAT,
        "/langue klingon", "/langue EN", "/missions", "/language fr",
    )  # fmt: skip
    assert replies[0].splitlines() == [
        "« klingon » n'est pas une langue de l'agence : choisissez fr ou en.",
        "Écrivez /langue fr ou /langue en.",
    ]
    assert replies[1] == "From now on I write to you in English."
    assert replies[2] == "You have no upcoming mission with the agency."
    assert replies[3] == "Désormais, je vous écris en français."
    assert pool.get_freelancer(db, alice)["lang"] == "fr"


# --- robustness -------------------------------------------------------------------------------


async def test_the_same_update_delivered_twice_is_handled_once(
    db, people, telegram_standin, telegram_settings
):
    alice, _ = people
    async with assistant(db, telegram_settings):
        update_id = telegram_standin.send_user_text(CHAT, "/off 24/12")
        await wait_until(lambda: telegram_standin.messages_to(CHAT))
    # Restarted before confirming it: Telegram delivers it again, twice even.
    telegram_standin.deliver_again(update_id)
    telegram_standin.deliver_again(update_id)
    async with assistant(db, telegram_settings):
        telegram_standin.send_user_text(CHAT, "/missions")  # a later update, to know when
        await wait_until(lambda: len(telegram_standin.messages_to(CHAT)) == 2)
    assert absences(db, alice) == [("2026-12-24", "2026-12-24", None, "freelancer")]
    replies = replies_to(telegram_standin, CHAT)
    assert replies[0].startswith("C'est noté") and replies[1].startswith("Vous n'avez aucune")
    handled = db.execute("SELECT count(*) FROM _telegram_updates").fetchone()[0]
    assert handled == 2


async def test_stickers_photos_documents_long_texts_and_unknown_commands(
    db, people, telegram_standin, telegram_settings
):
    async with assistant(db, telegram_settings):
        telegram_standin.send_user_message(
            CHAT_EN, sticker={"file_id": "s1", "file_unique_id": "u1", "width": 512,
                              "height": 512, "is_animated": False, "is_video": False,
                              "type": "regular"},
        )  # fmt: skip
        telegram_standin.send_user_message(
            CHAT_EN, photo=[{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]
        )
        telegram_standin.send_user_message(
            CHAT_EN, document={"file_id": "d1", "file_unique_id": "u3", "file_name": "cv.pdf"}
        )
        telegram_standin.send_user_text(CHAT_EN, "x" * 4096)  # no form open: silence
        telegram_standin.send_user_text(CHAT_EN, "/fly " + "y" * 4000)
        telegram_standin.send_user_text(CHAT_EN, "/help")  # the last: all before are handled
        await wait_until(lambda: len(telegram_standin.messages_to(CHAT_EN)) == 5)
    replies = replies_to(telegram_standin, CHAT_EN)
    text_only = "I can only read text messages and commands: see /help."
    assert replies[:4] == [text_only] * 3 + ["I do not know this command: see /help."]
    assert replies[4].startswith("I am the agency's assistant.")


async def test_a_chat_not_linked_is_told_to_open_the_invitation(
    db, people, telegram_standin, telegram_settings
):
    hello = "Hello! Open the link of the agency's invitation to connect your Telegram."
    async with assistant(db, telegram_settings):
        for text in ("/missions", "/off 24/12", "/stop", "/langue fr", "/nothing"):
            telegram_standin.send_user_text(STRANGER, text)
        telegram_standin.send_user_message(STRANGER, photo=[{"file_id": "p", "file_unique_id":
                                                             "u", "width": 1, "height": 1}])
        telegram_standin.send_user_text(STRANGER, "/help")
        await wait_until(lambda: len(telegram_standin.messages_to(STRANGER)) == 7)
    replies = replies_to(telegram_standin, STRANGER)
    assert replies[:4] == [hello] * 4
    assert replies[4] == "I do not know this command: see /help."
    assert replies[5] == hello
    assert replies[6].startswith(hello + "\n\nI am the agency's assistant.")
    assert db.execute("SELECT count(*) FROM unavailability").fetchone()[0] == 0


def _poll_buttons(db, freelancer_id, request_id):
    poll = planning.record_poll(db, request_id, freelancer_id, channel="telegram")
    key = callbacks.secret_for(db)
    return poll, {v: callbacks.sign("poll", poll, v, key=key) for v in ("yes", "no", "maybe")}


async def test_a_second_press_changes_the_answer_only_while_the_request_is_open(
    db, people, telegram_standin, telegram_settings
):
    _, bob = people
    open_request, closed_request = make_request(db), make_request(db)
    poll, press = _poll_buttons(db, bob, open_request)
    closed_poll, closed_press = _poll_buttons(db, bob, closed_request)
    planning.answer_poll(db, closed_poll, "yes")
    db.execute("UPDATE requests SET status = 'staffed' WHERE id = ?", [closed_request])
    answered_at = db.execute(
        "SELECT answered_at FROM polls WHERE id = ?", [closed_poll]
    ).fetchone()[0]

    async def pressed(data, count):
        telegram_standin.press_button(CHAT_EN, data)
        await wait_until(lambda: len(telegram_standin.answered_callbacks) == count)
        return telegram_standin.answered_callbacks[-1]

    async with assistant(db, telegram_settings):
        first = await pressed(press["maybe"], 1)
        second = await pressed(press["yes"], 2)
        again = await pressed(press["yes"], 3)
        refused = await pressed(closed_press["no"], 4)
        same = await pressed(closed_press["yes"], 5)
        garbage = await pressed("poll:12:yes:not-a-signature", 6)
    assert [first["text"], second["text"], again["text"]] == [
        "Thank you, noted: maybe.", "Thank you, noted: yes.", "Thank you, noted: yes."
    ]
    assert db.execute("SELECT answer FROM polls WHERE id = ?", [poll]).fetchone()[0] == "yes"
    assert refused["text"] == "This request is closed: your answer (yes) stays as it was."
    assert refused["show_alert"] in (True, "true", "True")
    assert same["text"] == "Thank you, noted: yes."
    assert db.execute(
        "SELECT answer, answered_at FROM polls WHERE id = ?", [closed_poll]
    ).fetchone() == ("yes", answered_at)
    assert garbage["text"] == "This button is not valid (it was changed or has expired)."
