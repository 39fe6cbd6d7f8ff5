"""A small agency for the publishing tests: freelancers with contact data, missions, notes (with
French accents), recommendations, feedback, a private end reason, an outbox message and one
freelancer who asked to be forgotten."""

from __future__ import annotations

from typing import Any

from fmstoolkit import pool

#: Every contact value of the agency: none of them may appear in the published file.
CONTACTS = {
    "Alice Martin": {"email": "alice.secret@example.org", "phone": "+33 6 11 22 33 44",
                     "telegram_chat_id": 987654321, "preferred_channel": "telegram"},
    "Bruno Lefèvre": {"email": "bruno.private@example.org", "phone": "+33 7 55 66 77 88"},
    "Chloé Dubois": {"email": "chloe.hidden@example.org", "telegram_chat_id": 555000111},
    "Zoé Oubliée": {"email": "zoe.forgotten@example.org", "phone": "+33 6 99 88 77 66"},
}  # fmt: skip
LINK_TOKEN = "tok_Zx9Qm2LinkToken"
END_REASON = "Budget coupé par le client, confidentiel"
OUTBOX_BODY = "Bonjour Alice, votre lien secret outbox-body-8842"
FORGOTTEN_TEXT = "Zoé a été géniale sur le SEO"


def _skill_id(db, name: str) -> int:
    return db.execute("SELECT id FROM skills WHERE name = ?", [name]).fetchone()[0]


def _project(db, name: str, client: str = "ACME") -> int:
    return db["projects"].insert({"name": name, "client": client, "lead_name": "Claire"}).last_pk


def _mission(db, fid, pid, skill, start, end, rate, status="offboarded") -> int:
    return (
        db["missions"]
        .insert(
            {
                "freelancer_id": fid,
                "project_id": pid,
                "skill_id": _skill_id(db, skill),
                "title": f"{skill} work",
                "start_date": start,
                "end_date": end,
                "days": 10,
                "daily_rate": rate,
                "status": status,
            }
        )
        .last_pk
    )


def _note(db, mission_id, text, rehire="yes", q=5, c=4, d=4, a=5, tags=None) -> int:
    return (
        db["notes"]
        .insert(
            {
                "mission_id": mission_id,
                "author": "Claire Durand",
                "quality": q,
                "communication": c,
                "deadlines": d,
                "autonomy": a,
                "would_rehire": rehire,
                "text": text,
                "tags": tags or '["react"]',
                "created_at": "2025-06-01",
            }
        )
        .last_pk
    )


def make_agency(db) -> dict[str, Any]:
    """Fill ``db``; return the ids the tests need."""
    ids: dict[str, Any] = {}
    alice = pool.add_freelancer(
        db, name="Alice Martin", headline="Développeuse React", city="Lyon",
        seniority="senior", daily_rate=600, skills="frontend:5;backend:3",
        **CONTACTS["Alice Martin"],
    )  # fmt: skip
    bruno = pool.add_freelancer(
        db, name="Bruno Lefèvre", headline="Rédacteur", city="Paris", seniority="confirmed",
        daily_rate=450, skills="frontend:3", **CONTACTS["Bruno Lefèvre"],
    )  # fmt: skip
    chloe = pool.add_freelancer(
        db, name="Chloé Dubois", headline="Front-end", city="Paris", seniority="confirmed",
        daily_rate=500, skills="frontend:4", **CONTACTS["Chloé Dubois"],
    )  # fmt: skip
    zoe = pool.add_freelancer(
        db, name="Zoé Oubliée", headline="Experte SEO", city="Nantes", seniority="senior",
        daily_rate=550, skills="frontend:2", **CONTACTS["Zoé Oubliée"],
    )  # fmt: skip
    db.execute("UPDATE contacts SET telegram_link_token = ? WHERE freelancer_id = ?",
               [LINK_TOKEN, alice])  # fmt: skip
    db.execute("UPDATE freelancers SET status = 'forgotten' WHERE id = ?", [zoe])
    refonte = _project(db, "Refonte site")
    appli = _project(db, "Appli mobile", client="Globex")
    m1 = _mission(db, alice, refonte, "frontend", "2024-03-04", "2024-03-15", 550)
    m2 = _mission(db, alice, appli, "frontend", "2025-05-05", "2025-05-16", 600)
    m3 = _mission(db, bruno, refonte, "frontend", "2025-01-06", "2025-01-17", 450)
    m4 = _mission(db, chloe, appli, "frontend", "2025-09-01", "2025-09-12", 500)
    m5 = _mission(db, zoe, appli, "frontend", "2025-02-03", "2025-02-14", 520)
    m6 = _mission(db, chloe, refonte, "frontend", "2026-12-01", "2026-12-12", 520, "planned")
    _note(db, m1, "Très bonne **réactivité**, code propre.", q=5, c=5, d=4, a=5)
    _note(db, m2, "Autonome, à rappeler pour du React.", q=5, c=4, d=5, a=5)
    _note(db, m3, "Délais _difficiles_ à tenir.", rehire="no", q=3, c=2, d=2, a=3)
    _note(db, m4, "Bonne communication, réactive.", rehire="maybe", q=4, c=4, d=4, a=3)
    _note(db, m5, FORGOTTEN_TEXT, q=5, c=5, d=5, a=5)
    db["recommendations"].insert(
        {"mission_id": m1, "author": "Claire", "text": "Alice a livré une refonte soignée."}
    )
    db["recommendations"].insert({"mission_id": m5, "author": "Claire", "text": FORGOTTEN_TEXT})
    db["feedback"].insert(
        {"mission_id": m1, "source": "interview", "onboarding": 3, "integration": 4,
         "clarity": 2, "suggestions": "Documentation incomplète à l'arrivée"}
    )  # fmt: skip
    db["offboardings"].insert({"mission_id": m1, "status": "closed", "end_reason": END_REASON})
    db["outbox"].insert(
        {"dedupe_key": "reco:1", "freelancer_id": alice, "kind": "recommendation",
         "subject": "Votre recommandation", "body": OUTBOX_BODY}
    )  # fmt: skip
    ids.update(alice=alice, bruno=bruno, chloe=chloe, zoe=zoe, refonte=refonte, appli=appli,
               missions=[m1, m2, m3, m4, m5, m6])  # fmt: skip
    return ids


def secret_values() -> list[str]:
    """Every private value of the agency, as it could appear in a file."""
    values = [LINK_TOKEN, END_REASON, OUTBOX_BODY]
    for contact in CONTACTS.values():
        values += [str(v) for k, v in contact.items() if k != "preferred_channel"]
    return values
