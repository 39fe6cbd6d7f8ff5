"""The manager's side of the real ``fms assistant`` process, end to end (the Bot API stand-in,
aiosmtpd): linking the manager's chat (bad and reused tokens), the digest by e-mail and on
Telegram, the requalification alert once across a restart, and a request staffed by two
presses (the freelancer's yes, the manager's Assign), forged and foreign Assign presses refused.
"""

from __future__ import annotations

import datetime as dt

import pytest
import test_assistant
from notify_fixtures import make_freelancer
from planning_fixtures import past_mission
from test_actions_planning import request
from test_assistant import wait_for

from fmstoolkit import clock, manager_chat, planning, pool
from fmstoolkit.actions import planning as actions
from fmstoolkit.notify import outbox

pytest_plugins = ["telegram_standin"]
pytestmark = pytest.mark.real_clock  # another process: the machine's clock

#: The fixtures of the assistant's tests: an SMTP server, the real process.
inbox = test_assistant.inbox
start_assistant = test_assistant.start_assistant

BOSS = 990001
ANA = 990002
BOB = 990003


@pytest.fixture
def manager_env():
    return {"FMS_MANAGER_EMAIL": "boss@agency.example", "FMS_DIGEST_HOUR": "0"}


def replies_to(standin, chat) -> list[str]:
    return [m.text for m in standin.messages_to(chat)]


def alerts(standin) -> list[str]:
    return [c.get("text") or "" for c in standin.answered_callbacks]


def test_the_manager_links_their_chat_once_with_the_invitation(
    db, inbox, telegram_standin, telegram_settings, start_assistant
):
    token = manager_chat.new_invitation(db)
    assistant = start_assistant()
    wait_for(lambda: "long polling" in assistant.text(), "the assistant to start")
    telegram_standin.send_user_text(BOSS, "/start mgr_not-a-real-token")
    wait_for(lambda: replies_to(telegram_standin, BOSS), "the answer to a bad token")
    assert "not valid" in replies_to(telegram_standin, BOSS)[0]
    assert manager_chat.chat_id(db) is None
    telegram_standin.send_user_text(BOSS, f"/start {token}")
    wait_for(lambda: len(replies_to(telegram_standin, BOSS)) == 2, "the link")
    assert "now the manager's" in replies_to(telegram_standin, BOSS)[1]
    telegram_standin.send_user_text(ANA, f"/start {token}")  # the same link, another chat
    wait_for(lambda: replies_to(telegram_standin, ANA), "the answer to a reused token")
    assert "used already" in replies_to(telegram_standin, ANA)[0]
    assert manager_chat.chat_id(db) == BOSS
    assert assistant.stop() == 0
    log = assistant.text()
    assert token not in log and "Traceback" not in log


def test_digest_by_email_and_the_requalification_alert_once(
    db, inbox, start_assistant, manager_env
):
    today = clock.today()
    zoe = make_freelancer(db, "Zoé Durand", email="zoe@example.org")
    planning.confirm_availability(db, zoe)
    past_mission(db, zoe, (today - dt.timedelta(days=250)).isoformat(),
                 (today - dt.timedelta(days=3)).isoformat(), status="ending")  # fmt: skip
    assistant = start_assistant(**manager_env)
    wait_for(lambda: len(inbox.messages) == 3, "the digest, the alert and the feedback request")
    to_boss = [m for m, (_, rcpt) in zip(inbox.messages, inbox.envelopes, strict=True)
               if rcpt == ["boss@agency.example"]]  # fmt: skip
    subjects = sorted(str(m["Subject"]) for m in to_boss)
    assert subjects[0].startswith("Requalification risk: Zo") and "digest" in subjects[1]
    digest = next(m for m in to_boss if "digest" in str(m["Subject"]))
    body = digest.get_body(("plain",)).get_content()
    assert "Offboardings overdue:" in body and "3 days ago" in body
    assert digest.get_body(("html",)) is not None
    assert "zoe@example.org" not in body
    assert assistant.stop() == 0
    again = start_assistant(**manager_env)  # restarted: the rules again, nothing twice
    wait_for(lambda: "manager: 0 requalification" in again.text() or
             "manager: 1 requalification" in again.text(), "the manager's rules")  # fmt: skip
    assert again.stop() == 0
    assert len(inbox.messages) == 3
    assert "Zoé" not in assistant.text() + again.text()


def test_a_request_is_staffed_by_two_presses(
    db, inbox, telegram_standin, telegram_settings, start_assistant, manager_env
):
    """The question reaches Ana and Bob; Ana presses yes; the manager's chat gets her answer
    with Assign / Wait; a forged and a foreign Assign are refused; the manager's Assign creates
    the mission, Ana's confirmation goes out, Bob is told the role is filled. The digest goes
    to the manager's chat too (Telegram form)."""
    manager_chat.link(db, manager_chat.new_invitation(db), BOSS)
    ana, bob = (
        pool.add_freelancer(db, name=name, daily_rate=500, skills="web developer:4",
                            email=f"{name[:3].lower()}@example.org", telegram_chat_id=chat,
                            preferred_channel="telegram")
        for name, chat in (("Ana Dupont", ANA), ("Bob Leroy", BOB))
    )  # fmt: skip
    for fid in (ana, bob):
        planning.confirm_availability(db, fid)
    req = request(db, start=(clock.today() + dt.timedelta(days=14)).isoformat())
    assistant = start_assistant(**manager_env)
    wait_for(lambda: "long polling" in assistant.text(), "the assistant to start")
    wait_for(lambda: "manager: 0 requalification alerts, digest not due" in assistant.text()
             or telegram_standin.messages_to(BOSS), "the first manager run")  # fmt: skip
    polls = {r["freelancer_id"]: r["poll_id"]
             for r in actions.ask_availability(db, req, freelancer_ids=[ana, bob])}  # fmt: skip
    wait_for(lambda: telegram_standin.messages_to(ANA) and telegram_standin.messages_to(BOB),
             "the questions")  # fmt: skip
    yes = telegram_standin.messages_to(ANA)[0].reply_markup["inline_keyboard"][0][0]
    telegram_standin.press_button(ANA, yes["callback_data"])
    staffing = lambda: [m for m in telegram_standin.messages_to(BOSS)  # noqa: E731
                        if m.reply_markup]  # fmt: skip
    wait_for(staffing, "Ana's yes in the manager's chat")
    (sent,) = staffing()
    assert "Ana Dupont" in sent.text and "In the ranking: #" in sent.text
    assign, wait = sent.reply_markup["inline_keyboard"][0]
    assert (assign["text"], wait["text"]) == ("Assign", "Wait")
    forged = assign["callback_data"].rsplit(":", 1)[0] + ":AAAAAAAAAAAAAAAA"
    telegram_standin.press_button(BOSS, forged)
    telegram_standin.press_button(ANA, assign["callback_data"])  # a freelancer's press
    telegram_standin.press_button(BOSS, wait["callback_data"])
    wait_for(lambda: len(alerts(telegram_standin)) >= 4, "the three presses answered")
    assert any("not valid" in a for a in alerts(telegram_standin))
    assert any("for the agency's manager" in a for a in alerts(telegram_standin))
    assert any("wait for other answers" in a for a in alerts(telegram_standin))
    assert db["missions"].count == 0
    telegram_standin.press_button(BOSS, assign["callback_data"], message_id=sent.message_id)
    wait_for(lambda: db["missions"].count == 1, "the mission")
    telegram_standin.press_button(BOSS, assign["callback_data"], message_id=sent.message_id)
    wait_for(lambda: any("already filled" in a or "cannot be staffed" in a
                         for a in alerts(telegram_standin)), "the second Assign refused")
    assert db["missions"].count == 1
    (mission,) = db.query("SELECT freelancer_id, request_id FROM missions")
    assert mission == {"freelancer_id": ana, "request_id": req}
    wait_for(lambda: len(telegram_standin.messages_to(BOB)) == 2, "Bob told")
    assert "has been filled" in telegram_standin.messages_to(BOB)[1].text
    wait_for(lambda: any("confirm" in (m.text or "").lower()
                         for m in telegram_standin.messages_to(ANA)[1:]), "Ana's confirmation")
    # The stand-in has the message before the outbox records it sent: wait for the record.
    wanted = {"mission_confirmation", "role_filled", "staffing_answer"}
    wait_for(lambda: wanted <= {m["kind"] for m in outbox.list_messages(db, status="sent")},
             "the three messages recorded sent")  # fmt: skip
    assert polls[bob] and assistant.stop() == 0
    assert "Ana" not in assistant.text() and "Traceback" not in assistant.text()
