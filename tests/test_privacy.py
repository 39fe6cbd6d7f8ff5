"""A freelancer's personal data: exported whole on request, erased on request."""

from __future__ import annotations

import json

import pytest

from fmstoolkit import pool, privacy
from fmstoolkit.errors import InvalidState


@pytest.fixture
def freelancer(db):
    fid = pool.add_freelancer(
        db, name="Hélène Dupré", email="helene@example.org", phone="+33 6 11 22 33 44",
        telegram_chat_id=5551234, preferred_channel="telegram", skills="seo:4", city="Lyon",
        daily_rate=500,
    )
    pid = db["projects"].insert({"name": "Refonte"}).last_pk
    mid = db["missions"].insert(
        {"freelancer_id": fid, "project_id": pid, "start_date": "2026-01-05",
         "end_date": "2026-01-09", "days": 5, "daily_rate": 500, "status": "offboarded"}
    ).last_pk
    db["notes"].insert(
        {"mission_id": mid, "author": "Léa", "quality": 5, "communication": 4, "deadlines": 5,
         "autonomy": 4, "would_rehire": "yes", "text": "Hélène Dupré a été parfaite."}
    )
    db["recommendations"].insert({"mission_id": mid, "text": "Je recommande Hélène Dupré."})
    pool.add_to_list(db, "SEO", fid)
    return fid


def test_export_holds_everything_including_contacts(db, freelancer):
    data = privacy.export(db, freelancer)
    assert data["contact"]["email"] == "helene@example.org"
    assert data["freelancer"]["name"] == "Hélène Dupré"
    assert len(data["missions"]) == 1 and len(data["notes"]) == 1
    assert data["lists"][0]["name"] == "SEO"
    json.dumps(data)  # JSON-ready


def test_forget_erases_what_identifies_and_keeps_anonymous_history(db, freelancer):
    erased = privacy.forget(db, freelancer)
    assert erased["contacts"] == 1 and erased["recommendations"] == 1
    dump = "\n".join(str(row) for t in db.table_names() for row in db[t].rows)
    for value in ("Hélène", "helene@example.org", "5551234", "11 22 33 44"):
        assert value not in dump
    row = pool.get_freelancer(db, freelancer)
    assert row["status"] == "forgotten" and row["opted_out_at"]
    assert db.execute("SELECT quality FROM notes").fetchone()[0] == 5  # benchmarks stay true
    assert privacy.forget(db, freelancer) == {}  # twice is harmless


def test_forget_is_refused_during_a_mission(db, freelancer):
    db.execute("UPDATE missions SET status = 'active'")
    with pytest.raises(InvalidState) as info:
        privacy.forget(db, freelancer)
    assert "2026-01-05" in info.value.message("en")
    assert pool.get_contact(db, freelancer)["email"] == "helene@example.org"
