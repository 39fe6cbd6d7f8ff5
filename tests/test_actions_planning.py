"""The planning and freelancer actions: what `fms ask|assign|mission ...`, the planning app's
buttons and the Telegram assistant all run, with the messages they queue."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from notify_fixtures import make_freelancer
from planning_fixtures import freelancer

from fmstoolkit import planning, pool
from fmstoolkit.actions import freelancers as freelancer_actions
from fmstoolkit.actions import planning as actions
from fmstoolkit.cli import cli
from fmstoolkit.errors import NotFound
from fmstoolkit.notify import dispatcher, outbox
from fmstoolkit.ui.planning import PlanningApp


def request(db, **kw) -> int:
    args = {"project": "Site", "skill": "web developer", "start": "2026-12-07", "days": 5} | kw
    return planning.create_request(db, **args)["id"]


class Recorder:
    """A channel that keeps what it is given (the tests of the real channels are elsewhere)."""

    def __init__(self) -> None:
        self.sent = []

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        return None

    async def send(self, message) -> str:
        self.sent.append(message)
        return f"id-{len(self.sent)}"


def test_asking_records_a_poll_per_person_and_queues_by_their_channel(db):
    req = request(db)
    ana = make_freelancer(db, "Ana Dupont", email="ana@example.org", chat_id=4242)
    bob = make_freelancer(db, "Bob Leroy", email="bob@example.org")
    rows = actions.ask_availability(db, req, freelancer_ids=[ana, bob, ana])
    assert [(r["freelancer"], r["channel"], r["status"]) for r in rows] == [
        ("Ana Dupont", "telegram", "pending"), ("Bob Leroy", "email", "pending")]
    assert planning.get_request(db, req)["status"] == "polling"
    again = actions.ask_availability(db, req, freelancer_ids=[bob])
    assert again[0]["message_id"] == rows[1]["message_id"]  # asked once, queued once
    assert outbox.counts(db)["pending"] == 2


def test_asking_is_all_or_nothing(db):
    req = request(db)
    ana = make_freelancer(db, "Ana Dupont", email="ana@example.org")
    with pytest.raises(NotFound):
        actions.ask_availability(db, req, freelancer_ids=[ana, 999])
    assert db["polls"].count == 0 and db["outbox"].count == 0


def test_an_opted_out_freelancer_is_polled_but_sent_nothing(db):
    req = request(db)
    gone = make_freelancer(db, "Gaston Lagaffe", email="gaston@example.org")
    freelancer_actions.opt_out(db, gone)
    (row,) = actions.ask_availability(db, req, freelancer_ids=[gone])
    assert row["status"] == "cancelled" and "opted out" in row["note"]


def test_the_notebook_and_the_command_line_ask_the_same_way(db, db_path):
    req = request(db)
    ana = freelancer(db, "Ana Dupont", email="ana@example.org", telegram_chat_id=4242,
                     preferred_channel="telegram")
    bob = freelancer(db, "Bob Leroy", email="bob@example.org")
    app = PlanningApp(db, lang="en")
    app.open_request(req)
    app.select(ana)
    app.ask_availability()
    assert "Availability asked to Ana Dupont" in app.ask_message.value
    result = CliRunner().invoke(cli, ["ask", str(req), "--freelancer", str(bob), "--json"])
    assert result.exit_code == 0, result.output
    polls = {p["freelancer_id"]: p["channel"] for p in planning.polls_for(db, req)}
    assert polls == {ana: "telegram", bob: "email"}  # the notebook no longer says "manager"


def test_assigning_books_the_mission_and_queues_its_confirmation(db):
    req = request(db)
    ana = freelancer(db, "Ana Dupont", email="ana@example.org")
    mission = actions.assign_and_confirm(db, req, ana)
    assert mission["request_status"] == "staffed"
    message = outbox.get(db, mission["confirmation_id"])
    assert message["kind"] == "mission_confirmation" and message["freelancer_id"] == ana
    moved = actions.move_mission(db, mission["id"], "2026-12-14")
    assert moved["confirmation_id"] != mission["confirmation_id"]  # new dates, new confirmation
    assert "14 December 2026" in outbox.get(db, moved["confirmation_id"])["subject"]


def test_cancelling_withdraws_the_unsent_confirmation_and_tells_the_freelancer(db):
    req = request(db)
    ana = freelancer(db, "Ana Dupont", email="ana@example.org", lang="fr")
    mission = actions.assign_and_confirm(db, req, ana)
    cancelled = actions.cancel_mission(db, mission["id"], reason="le client a reporté le projet")
    assert cancelled["status"] == "cancelled"
    assert outbox.get(db, mission["confirmation_id"])["status"] == "cancelled"
    notice = outbox.get(db, cancelled["cancellation_id"])
    assert notice["subject"].startswith("Mission annulée : Site")
    assert "Motif : le client a reporté le projet" in notice["body"]
    assert planning.get_request(db, req)["status"] != "staffed"  # the role is open again


def test_opting_out_cancels_what_is_still_waiting(db):
    req = request(db)
    ana = freelancer(db, "Ana Dupont", email="ana@example.org")
    (row,) = actions.ask_availability(db, req, freelancer_ids=[ana])
    result = freelancer_actions.opt_out(db, ana)
    assert result["cancelled"] == [row["message_id"]]
    assert outbox.get(db, row["message_id"])["status"] == "cancelled"
    assert freelancer_actions.opt_out(db, ana, False)["cancelled"] == []
    assert pool.get_freelancer(db, ana)["opted_out_at"] is None


def test_sending_a_question_records_the_channel_it_went_through(db):
    req = request(db)
    ana = make_freelancer(db, "Ana Dupont", email="ana@example.org", chat_id=4242)
    (row,) = actions.ask_availability(db, req, freelancer_ids=[ana])
    summary = dispatcher.drain(db, channels={"email": Recorder()})  # no Telegram configured
    assert summary["sent"] == 1
    (poll,) = planning.polls_for(db, req)
    assert poll["channel"] == "email"


def test_a_telegram_link_connects_the_chat_to_one_freelancer_only(db):
    ana = make_freelancer(db, "Ana Dupont", email="ana@example.org")
    bob = make_freelancer(db, "Bob Leroy", email="bob@example.org", chat_id=77)
    db.execute("UPDATE contacts SET telegram_link_token = 'tok_ana' WHERE freelancer_id = ?", [ana])
    assert freelancer_actions.link_telegram_chat(db, "tok_ana", 77)["id"] == ana
    assert pool.get_contact(db, bob)["telegram_chat_id"] is None
    contact = pool.get_contact(db, ana)
    assert (contact["telegram_chat_id"], contact["preferred_channel"]) == (77, "telegram")
    assert freelancer_actions.link_telegram_chat(db, "tok_ana", 78) is None  # used up
    freelancer_actions.close_telegram_chat(db, ana)
    assert outbox.telegram_open(outbox.contact_of(db, ana)) is False
    freelancer_actions.reopen_telegram_chat(db, 77)
    assert outbox.telegram_open(outbox.contact_of(db, ana)) is True
