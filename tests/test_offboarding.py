import datetime as dt
import json

import pytest
from offboarding_fixtures import (
    FEEDBACK,
    NOTE,
    RECOMMENDATION,
    full_answers,
    full_checklist,
    make_mission,
    today,
)

from fmstoolkit import config, followups, offboarding, pool
from fmstoolkit.errors import InvalidInput, InvalidState, NotFound

TABLES = (
    "offboardings",
    "checklist_items",
    "invoices",
    "feedback",
    "recommendations",
    "notes",
    "list_members",
    "followups",
)


def counts(db):
    return {t: db[t].count for t in TABLES} | {
        "deliverables_pending": db.execute(
            "SELECT count(*) FROM deliverables WHERE status = 'pending'"
        ).fetchone()[0],
        "missions_offboarded": db.execute(
            "SELECT count(*) FROM missions WHERE status = 'offboarded'"
        ).fetchone()[0],
    }


def complete_steps(db, m, checklist=None):
    offboarding.save_checklist(
        db, m["mission_id"], checklist or full_checklist(m["deliverables"]), today=today()
    )
    offboarding.save_feedback(db, m["mission_id"], FEEDBACK)
    offboarding.save_recommendation(db, m["mission_id"], RECOMMENDATION)
    offboarding.save_note(db, m["mission_id"], NOTE, today=today())


# --- due missions --------------------------------------------------


def test_due_lists_ended_and_soon_ending_missions_oldest_first_with_what_is_missing(db):
    late = make_mission(db, name="Late", start="2026-02-02", end="2026-02-27")
    soon = make_mission(db, name="Soon", start="2026-03-02", end="2026-03-20")
    make_mission(db, name="Later", start="2026-03-02", end="2026-05-29")
    make_mission(db, name="Cancelled", end="2026-03-13", status="cancelled")
    make_mission(db, name="Done", end="2026-03-13", status="offboarded")
    rows = offboarding.due(db, within=7, today=today())
    assert [r["mission_id"] for r in rows] == [late["mission_id"], soon["mission_id"]]
    assert rows[0]["freelancer"] == "Late"
    assert rows[0]["days_left"] == -17 and rows[1]["days_left"] == 4
    assert rows[0]["missing"] == [
        *offboarding.CHECKLIST_ITEMS,
        "feedback",
        "recommendation",
        "note",
    ]
    # what is done disappears from "missing"
    offboarding.save_feedback(db, late["mission_id"], FEEDBACK)
    row = offboarding.due(db, within=7, today=today())[0]
    assert "feedback" not in row["missing"] and "note" in row["missing"]
    # a wider window brings the later mission in
    assert len(offboarding.due(db, within=90, today=today())) == 3


def test_a_closed_offboarding_is_no_longer_due(db):
    m = make_mission(db)
    offboarding.apply_answers(db, m["mission_id"], full_answers(m["deliverables"]), today=today())
    assert offboarding.due(db, within=30, today=today()) == []


# --- opening and the checklist --------------------------------------------------


def test_opening_creates_the_pending_checklist_and_marks_an_ended_mission_ending(db):
    m = make_mission(db)
    row = offboarding.open_offboarding(db, m["mission_id"], today=today())
    assert row["status"] == "opened"
    items = offboarding.checklist(db, m["mission_id"])
    assert list(items) == list(offboarding.CHECKLIST_ITEMS)
    assert {i["status"] for i in items.values()} == {"pending"}
    assert db["checklist_items"].count == 8
    assert offboarding.get_mission(db, m["mission_id"])["status"] == "ending"
    offboarding.open_offboarding(db, m["mission_id"], today=today())  # again: nothing new
    assert db["checklist_items"].count == 8 and db["offboardings"].count == 1


def test_a_mission_still_running_stays_active_when_opened_early(db):
    m = make_mission(db, end="2026-03-20")
    offboarding.open_offboarding(db, m["mission_id"], today=today())
    assert offboarding.get_mission(db, m["mission_id"])["status"] == "active"


def test_partial_checklist_is_saved_and_the_rest_stays_missing(db):
    m = make_mission(db)
    out = offboarding.save_checklist(
        db,
        m["mission_id"],
        {
            "objectives": "yes",
            "confidentiality": "done",
            "accesses": "done",
            "accesses_systems": "GitLab",
        },  # fmt: skip
        today=today(),
    )
    assert out["status"] == "opened"
    items = offboarding.checklist(db, m["mission_id"])
    assert items["objectives"]["status"] == "done" and items["objectives"]["value"] == "yes"
    assert items["accesses"]["value"] == "GitLab"
    assert items["handover"]["status"] == "pending"
    keys = offboarding.missing_keys(db, m["mission_id"])
    assert "objectives" not in keys and "confidentiality" not in keys
    assert {"deliverables", "handover", "equipment", "invoice_received"} <= set(keys)


def test_objectives_partly_needs_a_comment_and_nothing_is_written_without_it(db):
    m = make_mission(db)
    before = counts(db)
    with pytest.raises(InvalidInput) as err:
        offboarding.save_checklist(
            db, m["mission_id"], full_checklist(m["deliverables"], objectives="partly")
        )
    assert [p.field for p in err.value.problems] == ["objectives_comment"]
    assert "what was not met" in err.value.message()
    assert counts(db) == before
    offboarding.save_checklist(
        db,
        m["mission_id"],
        full_checklist(
            m["deliverables"], objectives="partly", objectives_comment="SEO audit not done"
        ),
    )
    item = offboarding.checklist(db, m["mission_id"])["objectives"]
    assert (item["status"], item["value"], item["comment"]) == (
        "done",
        "partly",
        "SEO audit not done",
    )


def test_not_applicable_needs_a_reason(db):
    m = make_mission(db)
    with pytest.raises(InvalidInput) as err:
        offboarding.save_checklist(
            db, m["mission_id"], full_checklist(m["deliverables"], equipment_comment=None)
        )
    assert [p.field for p in err.value.problems] == ["equipment_comment"]
    offboarding.save_checklist(db, m["mission_id"], full_checklist(m["deliverables"]))
    item = offboarding.checklist(db, m["mission_id"])["equipment"]
    assert item["status"] == "not_applicable" and item["comment"] == "used her own laptop"


def test_handover_says_to_whom_and_where_and_accesses_which_systems(db):
    m = make_mission(db)
    with pytest.raises(InvalidInput) as err:
        offboarding.save_checklist(
            db,
            m["mission_id"],
            full_checklist(m["deliverables"], handover_doc="", accesses_systems=None),
        )
    assert {p.field for p in err.value.problems} == {"handover_doc", "accesses_systems"}
    offboarding.save_checklist(db, m["mission_id"], full_checklist(m["deliverables"]))
    item = offboarding.checklist(db, m["mission_id"])["handover"]
    assert item["value"] == "Claire Durand — https://wiki.example.org/handover"
    values = offboarding.checklist_values(db, m["mission_id"])
    assert values["handover_to"] == "Claire Durand"
    assert values["handover_doc"] == "https://wiki.example.org/handover"


def test_deliverables_are_updated_and_one_sent_back_blocks_closing(db):
    m = make_mission(db)
    first, second = m["deliverables"]
    answers = full_checklist(m["deliverables"])
    answers[f"deliverable_{second}"] = "changes_requested"
    complete_steps(db, m, answers)
    statuses = dict(db.execute("SELECT id, status FROM deliverables").fetchall())
    assert statuses == {first: "accepted", second: "changes_requested"}
    assert offboarding.checklist(db, m["mission_id"])["deliverables"]["status"] == "pending"
    with pytest.raises(InvalidState) as err:
        offboarding.close(db, m["mission_id"], today=today())
    assert [p.field for p in err.value.problems] == [f"deliverable_{second}"]
    assert "'Code source' was sent back for changes" in err.value.message()
    # accepted once fixed: closing works
    answers[f"deliverable_{second}"] = "accepted"
    offboarding.save_checklist(db, m["mission_id"], answers)
    assert offboarding.close(db, m["mission_id"], today=today())["status"] == "closed"


def test_unknown_deliverable_or_verdict_is_refused(db):
    m = make_mission(db)
    other = make_mission(db, name="Other")
    bad = full_checklist(m["deliverables"])
    bad[f"deliverable_{other['deliverables'][0]}"] = "accepted"
    bad[f"deliverable_{m['deliverables'][0]}"] = "great"
    with pytest.raises(InvalidInput) as err:
        offboarding.save_checklist(db, m["mission_id"], bad)
    fields = {p.field for p in err.value.problems}
    assert fields == {
        f"deliverable_{other['deliverables'][0]}",
        f"deliverable_{m['deliverables'][0]}",
    }


def test_a_mission_without_deliverables_has_that_item_not_applicable(db):
    m = make_mission(db, deliverables=())
    offboarding.save_checklist(db, m["mission_id"], full_checklist([]))
    item = offboarding.checklist(db, m["mission_id"])["deliverables"]
    assert item["status"] == "not_applicable" and "no deliverables" in item["comment"]


# --- the invoice --------------------------------------------------


def test_expected_invoice_amount_skips_weekends_and_public_holidays(db):
    # 2026-04-27 .. 2026-05-08: ten weekdays, two French holidays (1 and 8 May)
    m = make_mission(db, start="2026-04-27", end="2026-05-08", rate=600)
    out = offboarding.save_checklist(
        db,
        m["mission_id"],
        full_checklist(
            m["deliverables"],
            invoice_amount=4800,
            invoice_daily_rate=600,
            invoice_days=8,
            invoice_last_day="2026-05-07",
        ),
    )
    check = out["invoice_check"]
    assert check["working_days"] == 8 and check["expected_amount"] == 4800
    assert check["warnings"] == []
    inv = offboarding.invoice(db, m["mission_id"])
    assert (inv["amount"], inv["daily_rate"], inv["days"]) == (4800, 600, 8)
    assert inv["checked_at"] and inv["paid_at"] == "2026-03-20"


def test_the_country_setting_changes_the_expected_amount(db, monkeypatch):
    monkeypatch.setenv("FMS_COUNTRY", "DE")  # 8 May is no holiday in Germany
    config.reload_settings()
    m = make_mission(db, start="2026-04-27", end="2026-05-08", rate=600)
    check = offboarding.get_offboarding(db, m["mission_id"])["invoice_check"]
    assert check["working_days"] == 9 and check["expected_amount"] == 5400


def test_invoice_warnings_for_another_rate_days_after_the_end_and_the_amount(db):
    m = make_mission(db)  # 10 working days x 500
    out = offboarding.save_checklist(
        db,
        m["mission_id"],
        full_checklist(
            m["deliverables"],
            invoice_amount=6050,
            invoice_daily_rate=550,
            invoice_days=11,
            invoice_last_day="2026-03-16",
        ),
    )
    warnings = out["invoice_check"]["warnings"]
    assert len(warnings) == 3
    assert "daily rate (€550) differs from the agreed one (€500)" in warnings[0]
    assert "after the mission's end on" in warnings[1]
    assert "differs from the expected €5,000" in warnings[2]
    # a warning does not block: the step is saved and shown again later
    shown = offboarding.get_offboarding(db, m["mission_id"])["invoice_check"]["warnings"]
    assert shown == warnings


def test_an_invoice_received_needs_its_amount_and_cannot_be_paid_before_received(db):
    m = make_mission(db)
    with pytest.raises(InvalidInput) as err:
        offboarding.save_checklist(
            db,
            m["mission_id"],
            full_checklist(m["deliverables"], invoice_amount=None) | {"invoice_received": "done"},
        )
    assert [p.field for p in err.value.problems] == ["invoice_amount"]
    with pytest.raises(InvalidInput) as err:
        offboarding.save_checklist(
            db,
            m["mission_id"],
            full_checklist(m["deliverables"], invoice_received="pending"),
        )
    assert [p.field for p in err.value.problems] == ["invoice_paid"]


# --- feedback, recommendation, note --------------------------------------------------------------


def test_feedback_from_the_interview_and_from_the_freelancer_are_both_kept(db):
    m = make_mission(db)
    offboarding.save_feedback(db, m["mission_id"], FEEDBACK)
    offboarding.save_feedback(db, m["mission_id"], FEEDBACK | {"onboarding": 5})  # replaces
    offboarding.save_feedback(
        db,
        m["mission_id"],
        {"source": "freelancer", "onboarding": 2, "integration": 3, "clarity": 4},  # fmt: skip
    )
    rows = offboarding.feedback_of(db, m["mission_id"])
    assert [(r["source"], r["onboarding"]) for r in rows] == [("interview", 5), ("freelancer", 2)]


def test_ratings_are_checked_field_by_field(db):
    m = make_mission(db)
    with pytest.raises(InvalidInput) as err:
        offboarding.save_feedback(db, m["mission_id"], FEEDBACK | {"clarity": 7})
    assert [p.field for p in err.value.problems] == ["clarity"]
    with pytest.raises(InvalidInput) as err:
        offboarding.save_note(db, m["mission_id"], NOTE | {"would_rehire": "never", "quality": 0})
    assert {p.field for p in err.value.problems} == {"would_rehire", "quality"}
    assert db["feedback"].count == 0 and db["notes"].count == 0


def test_the_end_reason_is_kept_private_apart_from_the_note(db):
    m = make_mission(db)
    offboarding.save_note(db, m["mission_id"], NOTE, today=today())
    note = db.execute("SELECT * FROM notes").fetchone()
    assert "Budget" not in json.dumps(note)
    assert offboarding.note_of(db, m["mission_id"])["tags"] == ["react", "autonome"]
    assert json.loads(db["notes"].get(1)["tags"]) == ["react", "autonome"]
    row = db["offboardings"].get(m["mission_id"])
    assert row["end_reason"] == "Budget du client réduit"
    assert "end_reason" not in db["notes"].columns_dict


def test_status_follows_the_lifecycle(db):
    m = make_mission(db)
    mid = m["mission_id"]
    seen = [offboarding.open_offboarding(db, mid)["status"]]
    # feedback first: the status waits for the checklist
    assert offboarding.save_feedback(db, mid, FEEDBACK)["status"] == "opened"
    seen.append(offboarding.save_checklist(db, mid, full_checklist(m["deliverables"]))["status"])
    assert seen == ["opened", "feedback_in"]
    assert offboarding.save_recommendation(db, mid, RECOMMENDATION)["status"] == (
        "recommendation_written"
    )
    assert offboarding.save_note(db, mid, NOTE)["status"] == "note_written"
    assert offboarding.close(db, mid, today=today())["status"] == "closed"
    assert db["offboardings"].get(mid)["status"] == "closed"


# --- closing --------------------------------------------------


def test_closing_is_refused_with_exactly_what_is_missing(db):
    m = make_mission(db)
    offboarding.save_checklist(
        db,
        m["mission_id"],
        full_checklist(m["deliverables"], handover="pending", invoice_paid="pending"),
    )
    offboarding.save_note(db, m["mission_id"], NOTE)
    before = counts(db)
    with pytest.raises(InvalidState) as err:
        offboarding.close(db, m["mission_id"], ["React"], today=today())
    assert [p.field for p in err.value.problems] == [
        "handover",
        "invoice_paid",
        "feedback",
        "recommendation",
    ]
    text = err.value.message()
    assert "cannot be closed yet" in text and "knowledge handed over" in text
    assert counts(db) == before
    assert offboarding.get_mission(db, m["mission_id"])["status"] != "offboarded"


def test_closing_offboards_adds_to_lists_makes_alumni_and_schedules_the_checkin(db):
    m = make_mission(db)
    complete_steps(db, m)
    result = offboarding.close(db, m["mission_id"], ["Rehire first for React"], today=today())
    assert result["alumni"] is True
    assert result["checkin_date"] == "2026-06-14"  # 90 days later
    assert offboarding.get_mission(db, m["mission_id"])["status"] == "offboarded"
    row = db["offboardings"].get(m["mission_id"])
    assert row["status"] == "closed" and row["closed_at"] == "2026-03-16"
    assert pool.get_freelancer(db, m["freelancer_id"])["status"] == "alumni"
    members = pool.list_members(db, "rehire first for react")
    assert [x["id"] for x in members] == [m["freelancer_id"]]
    due = followups.due(db, "2026-06-14")
    assert [(f["kind"], f["mission_id"]) for f in due] == [("alumni_checkin", m["mission_id"])]
    assert followups.due(db, "2026-06-13") == []
    # closed: nothing can change any more
    with pytest.raises(InvalidState):
        offboarding.save_note(db, m["mission_id"], NOTE)
    with pytest.raises(InvalidState):
        offboarding.close(db, m["mission_id"])


def test_the_checkin_delay_is_a_setting(db, monkeypatch):
    monkeypatch.setenv("FMS_ALUMNI_CHECKIN_DAYS", "30")
    config.reload_settings()
    m = make_mission(db)
    complete_steps(db, m)
    assert offboarding.close(db, m["mission_id"], today=today())["checkin_date"] == "2026-04-15"


def test_a_freelancer_with_another_mission_under_way_does_not_become_alumni(db):
    m = make_mission(db)
    make_mission(
        db, freelancer_id=m["freelancer_id"], project="Autre", start="2026-03-16",
        end="2026-04-30",
    )  # fmt: skip
    complete_steps(db, m)
    assert offboarding.close(db, m["mission_id"], today=today())["alumni"] is False
    assert pool.get_freelancer(db, m["freelancer_id"])["status"] == "active"


def test_the_domain_close_neither_publishes_nor_queues(db, tmp_path):
    """Republishing and the recommendation are the action's (tests/test_actions_offboarding.py)."""
    m = make_mission(db)
    complete_steps(db, m)
    result = offboarding.close(db, m["mission_id"], today=today())
    assert "publish" not in result
    assert not (tmp_path / "notes.db").exists()
    assert db["offboardings"].get(m["mission_id"])["published_at"] is None
    assert db["outbox"].count == 0


def test_record_publish_keeps_the_outcome_on_the_offboarding(db):
    m = make_mission(db)
    complete_steps(db, m)
    offboarding.close(db, m["mission_id"], today=today())
    offboarding.record_publish(db, m["mission_id"], error="disk full")
    row = db["offboardings"].get(m["mission_id"])
    assert row["publish_error"] == "disk full" and row["published_at"] is None
    offboarding.record_publish(db, m["mission_id"], published_at="2026-03-16 10:00:00")
    row = db["offboardings"].get(m["mission_id"])
    assert row["publish_error"] is None and row["published_at"] == "2026-03-16 10:00:00"
    with pytest.raises(NotFound):
        offboarding.record_publish(db, make_mission(db, name="Bob")["mission_id"])


# --- the whole offboarding from answers --------------------------------------------------


def test_apply_answers_closes_the_whole_offboarding_in_one_go(db):
    m = make_mission(db)
    result = offboarding.apply_answers(
        db, m["mission_id"], full_answers(m["deliverables"], ["React"]), today=today()
    )
    assert result["status"] == "closed" and result["lists"] == ["React"]
    data = offboarding.get_offboarding(db, m["mission_id"])
    assert data["missing"] == [] and data["status"] == "closed"
    assert data["note"]["would_rehire"] == "yes"
    assert data["recommendation"]["text"].startswith("Alice a livré")
    assert data["end_reason"] == "Budget du client réduit"


def test_apply_answers_accepts_a_filled_template_shape(db):
    m = make_mission(db)
    answers = full_answers(m["deliverables"])
    wrapped = {
        section: {k: {"type": "x", "value": v} for k, v in values.items()}
        for section, values in answers.items()
    }
    assert offboarding.apply_answers(db, m["mission_id"], wrapped)["status"] == "closed"


def test_incomplete_answers_are_refused_with_the_list_and_nothing_is_written(db):
    m = make_mission(db)
    answers = full_answers(m["deliverables"])
    answers["checklist"]["handover"] = "pending"
    answers["checklist"][f"deliverable_{m['deliverables'][1]}"] = "changes_requested"
    del answers["recommendation"]
    answers["note"]["quality"] = 6
    answers["surprise"] = {}
    answers["mission_id"] = m["mission_id"] + 1
    before = counts(db)
    with pytest.raises(InvalidInput) as err:
        offboarding.apply_answers(db, m["mission_id"], answers, today=today())
    fields = [p.field for p in err.value.problems]
    assert fields == [
        "surprise",
        "mission_id",
        "recommendation.text",
        "note.quality",
        "checklist.handover",
        f"checklist.deliverable_{m['deliverables'][1]}",
    ]
    assert "nothing was written" in err.value.message()
    assert counts(db) == before


# --- onboarding feedback trends --------------------------------------------------


def test_feedback_trends_by_month_and_quarter_with_recurring_themes(db, frozen_clock):
    texts = [
        ("2026-01-10", 2, "Documentation absente, accès VPN donnés au bout d'une semaine."),
        ("2026-01-25", 4, "Better onboarding docs and a buddy would help."),
        ("2026-02-14", 5, None),
        ("2026-04-02", 3, "Le brief n'était pas clair ; les accès arrivent tard."),
    ]
    for i, (day, rating, text) in enumerate(texts):
        m = make_mission(db, name=f"F{i}")
        frozen_clock.move_to(dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.UTC))
        offboarding.save_feedback(
            db,
            m["mission_id"],
            {
                "onboarding": rating,
                "integration": 4,
                "clarity": 3,
                "suggestions": text,
            },  # fmt: skip
        )
    data = offboarding.feedback_trends(db)
    assert [(p["period"], p["responses"], p["onboarding"]) for p in data["periods"]] == [
        ("2026-01", 2, 3.0),
        ("2026-02", 1, 5.0),
        ("2026-04", 1, 3.0),
    ]
    themes = {t["theme"]: t["count"] for t in data["themes"]}
    assert themes["accesses"] == 2 and themes["documentation"] == 2
    assert themes["welcome"] == 1 and themes["brief"] == 1
    assert data["themes"][0]["count"] == 2 and data["suggestions"] == 3
    quarters = offboarding.feedback_trends(db, by="quarter")["periods"]
    assert [(p["period"], p["responses"]) for p in quarters] == [("2026-Q1", 3), ("2026-Q2", 1)]
    with pytest.raises(InvalidInput):
        offboarding.feedback_trends(db, by="week")


def test_themes_ignore_case_and_accents():
    assert offboarding.themes_of("ACCÈS au Wiki") == {"accesses", "documentation"}
    assert offboarding.themes_of("") == set()


def test_due_lists_every_one_of_many_missions(db):
    fid = pool.add_freelancer(db, name="Many")
    for i in range(300):
        make_mission(db, freelancer_id=fid, project=f"P{i % 20}", end="2026-03-13",
                     deliverables=())  # fmt: skip
    rows = offboarding.due(db, today=today())
    assert len(rows) == 300
