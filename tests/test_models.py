"""Validated records: every problem at once, in the manager's language, row and field named."""

from __future__ import annotations

import re

import pytest

from fmstoolkit import models as m
from fmstoolkit.errors import InvalidInput
from fmstoolkit.models import Contact, Freelancer, Mission, Note, validate, validate_all


def test_every_problem_is_listed_with_its_field():
    with pytest.raises(InvalidInput) as info:
        validate_all(
            (Freelancer, {"name": " ", "daily_rate": -5, "seniority": "guru"}),
            (Contact, {"email": "nope"}),
            row=7,
        )
    fields = {p.field for p in info.value.problems}
    assert {"name", "daily_rate", "seniority", "email"} <= fields
    assert all(p.row == 7 for p in info.value.problems)
    assert "Ligne 7" in info.value.message("fr")


def test_french_sentences_for_common_mistakes():
    with pytest.raises(InvalidInput) as info:
        validate(Mission, {"freelancer_id": 1, "project_id": 1, "start_date": "2026-02-10",
                           "end_date": "2026-02-01", "days": 5, "daily_rate": 500})
    assert "la date de fin est avant la date de début" in info.value.message("fr")
    with pytest.raises(InvalidInput) as info:
        validate(Note, {"mission_id": 1, "author": "Léa", "quality": 6, "communication": 4,
                        "deadlines": 4, "autonomy": 4, "would_rehire": "perhaps"})
    message = info.value.message("fr")
    assert "quality" in message and "would_rehire" in message


def test_telegram_as_preferred_channel_needs_a_chat_id():
    with pytest.raises(InvalidInput) as info:
        validate(Contact, {"email": "a@example.org", "preferred_channel": "telegram"})
    assert "Telegram" in info.value.message("en")
    ok = validate(Contact, {"telegram_chat_id": "42", "preferred_channel": "telegram"})
    assert ok.telegram_chat_id == 42


def test_blank_optional_fields_become_empty_not_errors():
    rec = validate(Freelancer, {"name": "Zoé", "daily_rate": "", "city": "  "})
    assert rec.daily_rate is None and rec.city is None
    assert rec.row(exclude_unset=True) == {"name": "Zoé", "daily_rate": None, "city": None}


def test_every_status_enum_is_the_vocabulary_the_database_accepts(db):
    """One list of words per status: the enum and the schema's CHECK constraint agree."""
    columns = [
        ("skills", "category", m.SkillCategory), ("freelancers", "seniority", m.Seniority),
        ("freelancers", "status", m.FreelancerStatus), ("contacts", "preferred_channel", m.Channel),
        ("requests", "status", m.RequestStatus), ("requests", "outcome", m.RequestOutcome),
        ("missions", "status", m.MissionStatus), ("polls", "answer", m.PollAnswer),
        ("deliverables", "status", m.DeliverableStatus),
        ("offboardings", "status", m.OffboardingStatus),
        ("checklist_items", "status", m.ChecklistStatus), ("feedback", "source", m.FeedbackSource),
        ("notes", "would_rehire", m.Rehire), ("outbox", "status", m.OutboxStatus),
        ("followups", "kind", m.FollowupKind), ("documents", "kind", m.DocumentKind),
        ("documents", "state", m.DocumentState),
    ]  # fmt: skip
    for table, column, enum in columns:
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        found = re.search(rf"CHECK \(({column} IS NULL OR )?{column} IN\s*\(([^)]*)\)", sql)
        assert found, (table, column)
        assert re.findall(r"'([^']*)'", found.group(2)) == [e.value for e in enum], (table, column)


def test_status_groups_are_members_of_their_enum_and_read_as_plain_words():
    assert m.OPEN_REQUEST_STATUSES == ("open", "polling")
    assert m.OPEN_MISSION_STATUSES == ("planned", "active", "ending")
    assert m.OUTBOX_STATUSES == ("pending", "sending", "sent", "dead", "cancelled")
    assert all(isinstance(s, m.MissionStatus) for s in m.WORKED_MISSION_STATUSES)
    assert "polling" in m.OPEN_REQUEST_STATUSES and f"{m.RequestStatus.open}" == "open"
    assert set(m.DECIDED_OUTCOMES) | {m.RequestOutcome.cancelled} == set(m.RequestOutcome)
