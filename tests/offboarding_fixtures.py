"""Small offboarding databases for the tests: freelancers, projects, missions, deliverables.

Rows are inserted directly (with the pool for freelancers) so these tests do not depend on the
planning module's mission API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fmstoolkit import offboarding, pool


def make_project(db, name: str = "Refonte site") -> int:
    row = db.execute("SELECT id FROM projects WHERE name = ?", [name]).fetchone()
    if row:
        return row[0]
    return db["projects"].insert({"name": name, "client": "ACME", "lead_name": "Claire"}).last_pk


def make_mission(
    db,
    *,
    name: str = "Alice Martin",
    freelancer_id: int | None = None,
    project: str = "Refonte site",
    start: str = "2026-03-02",
    end: str = "2026-03-13",
    rate: int = 500,
    status: str = "active",
    deliverables: tuple[str, ...] = ("Maquettes", "Code source"),
) -> dict[str, Any]:
    if freelancer_id is None:
        freelancer_id = pool.add_freelancer(db, name=name, daily_rate=rate)
    project_id = make_project(db, project)
    mission_id = (
        db["missions"]
        .insert(
            {
                "freelancer_id": freelancer_id,
                "project_id": project_id,
                "title": "Front-end",
                "start_date": start,
                "end_date": end,
                "days": 10,
                "daily_rate": rate,
                "status": status,
            }
        )
        .last_pk
    )
    ids = [offboarding.add_deliverable(db, mission_id, t) for t in deliverables]
    return {"mission_id": mission_id, "freelancer_id": freelancer_id, "deliverables": ids}


def full_checklist(deliverable_ids: list[int], **overrides: Any) -> dict[str, Any]:
    """A checklist where every item is done (invoice matching 10 working days x 500 €)."""
    values: dict[str, Any] = {
        "objectives": "yes",
        "handover": "done",
        "handover_to": "Claire Durand",
        "handover_doc": "https://wiki.example.org/handover",
        "accesses": "done",
        "accesses_systems": "GitLab, Slack",
        "equipment": "not_applicable",
        "equipment_comment": "used her own laptop",
        "invoice_received": "done",
        "invoice_amount": 5000,
        "invoice_daily_rate": 500,
        "invoice_days": 10,
        "invoice_last_day": "2026-03-13",
        "invoice_paid": "done",
        "invoice_paid_on": "2026-03-20",
        "confidentiality": "done",
    }
    values |= {f"deliverable_{d}": "accepted" for d in deliverable_ids}
    return values | overrides


FEEDBACK = {
    "onboarding": 3,
    "integration": 4,
    "clarity": 2,
    "suggestions": "La documentation était incomplète et les accès VPN sont arrivés tard.",
}
RECOMMENDATION = {"text": "Alice a livré une refonte soignée, dans les temps.", "author": "Claire"}
NOTE = {
    "author": "Claire Durand",
    "quality": 5,
    "communication": 4,
    "deadlines": 4,
    "autonomy": 5,
    "would_rehire": "yes",
    "text": "Très autonome, à rappeler pour du React.",
    "tags": ["react", "autonome"],
    "end_reason": "Budget du client réduit",
}


def full_answers(deliverable_ids: list[int], lists: list[str] | None = None) -> dict[str, Any]:
    return {
        "checklist": full_checklist(deliverable_ids),
        "feedback": dict(FEEDBACK),
        "recommendation": dict(RECOMMENDATION),
        "note": dict(NOTE),
        "closing": {"lists": lists or []},
    }


def today() -> dt.date:
    return dt.date(2026, 3, 16)


SUGGESTIONS = [
    "La documentation du projet était incomplète.",
    "Les accès VPN et GitLab sont arrivés au bout de trois jours.",
    "A buddy in the team would have helped the first week.",
    "Le brief manquait de clarté sur le périmètre.",
    "Laptop delivered late; I used my own equipment.",
    "Plus de points réguliers avec le chef de projet.",
    None,
]


def build_demo(db, freelancers: int = 60, seed: int = 1) -> None:
    """The demo agency (``fmstoolkit.demo``) for the notebook test."""
    from fmstoolkit import demo

    demo.generate(db, freelancers=freelancers, seed=seed)
