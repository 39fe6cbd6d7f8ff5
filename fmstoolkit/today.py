"""What a manager has to look at today (the home app, "Aujourd'hui"): pure reads.

Offboardings due, invoices unpaid past ``FMS_INVOICE_PAYMENT_DAYS``, open requests with the
answers received so far, questions still unanswered, missions starting soon without a signed
contract or NDA.
The outbox's counts come from the outbox itself (``notify.outbox.counts``); nothing here writes.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from . import contracts, offboarding, payments, planning
from .models.enums import OPEN_REQUEST_STATUSES


def offboardings_due(db: sqlite_utils.Database, within: int = 7) -> list[dict[str, Any]]:
    """Missions ended or ending within ``within`` days whose offboarding is not closed."""
    return offboarding.due(db, within=within)


def unpaid_invoices(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Invoices still unpaid more than ``FMS_INVOICE_PAYMENT_DAYS`` after their receipt,
    oldest first (:func:`fmstoolkit.payments.overdue`)."""
    return payments.overdue(db)


def open_requests(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Open requests, soonest start first, each with ``yes``, ``maybe``, ``no`` and ``waiting``
    (asked, no answer yet) and ``skill_labels`` (the roles' skills: ``{"fr": [...], "en": [...]}``).
    """
    rows = planning.list_requests(db, status=OPEN_REQUEST_STATUSES)
    answers: dict[int, dict[str, int]] = {}
    for row in db.query(
        "SELECT request_id, coalesce(answer, 'waiting') AS answer, count(*) AS n FROM polls "
        "GROUP BY request_id, coalesce(answer, 'waiting')"
    ):
        answers.setdefault(row["request_id"], {})[row["answer"]] = row["n"]
    labels: dict[int, dict[str, list[str]]] = {}
    for row in db.query(
        "SELECT q.request_id, s.label_fr, s.label_en FROM request_roles q "
        "JOIN skills s ON s.id = q.skill_id ORDER BY q.id"
    ):
        got = labels.setdefault(row["request_id"], {"fr": [], "en": []})
        got["fr"].append(row["label_fr"])
        got["en"].append(row["label_en"])
    for row in rows:
        row["skill_labels"] = labels.get(row["id"], {"fr": [], "en": []})
        got = answers.get(row["id"], {})
        row.update({k: got.get(k, 0) for k in ("yes", "maybe", "no", "waiting")})
    return sorted(rows, key=lambda r: (r["start_date"], r["id"]))


def unanswered_polls(db: sqlite_utils.Database, limit: int = 20) -> list[dict[str, Any]]:
    """Availability questions of open requests still without an answer, oldest first."""
    marks = ", ".join("?" for _ in OPEN_REQUEST_STATUSES)
    return list(
        db.query(
            "SELECT p.id, p.request_id, p.asked_at, p.channel, f.name AS freelancer, "
            "pr.name AS project FROM polls p JOIN freelancers f ON f.id = p.freelancer_id "
            "JOIN requests r ON r.id = p.request_id JOIN projects pr ON pr.id = r.project_id "
            f"WHERE p.answer IS NULL AND r.status IN ({marks}) ORDER BY p.asked_at, p.id LIMIT ?",
            [*OPEN_REQUEST_STATUSES, limit],
        )
    )


def contracts_due(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Missions starting within ``FMS_CONTRACT_WARNING_DAYS`` days whose contract or NDA is not
    signed (:func:`fmstoolkit.contracts.due`)."""
    return contracts.due(db)
