"""The final invoice of a mission: the saved invoice row and its check against the mission.

Expected amount = working days between the mission's dates x the agreed daily rate. Working days
come from :func:`fmstoolkit.planning.working_days` (the ``holidays`` package), so the expected
amount follows the agency's public holidays. The check warns, it never blocks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from ..errors import Problem
from ..i18n import Day, Money
from ..models import ChecklistAnswers
from ..planning import working_days


def invoice(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any] | None:
    """The latest invoice recorded for a mission, or None."""
    rows = list(
        db.query(
            "SELECT * FROM invoices WHERE mission_id = ? ORDER BY id DESC LIMIT 1", [mission_id]
        )
    )
    return rows[0] if rows else None


def check_invoice(
    mission: dict[str, Any],
    amount: int | None,
    daily_rate: int | None = None,
    last_billed_day: dt.date | str | None = None,
) -> dict[str, Any]:
    """Compare an invoice with the mission: expected amount = working days between the mission
    dates x agreed daily rate. Returns the figures and the warnings (sentences in the settings'
    language, without field names)."""
    start = dt.date.fromisoformat(mission["start_date"])
    end = dt.date.fromisoformat(mission["end_date"])
    days = len(working_days(start, end))
    expected = days * mission["daily_rate"]
    warnings: list[Problem] = []
    if daily_rate is not None and daily_rate != mission["daily_rate"]:
        warnings.append(
            Problem(
                "the invoice's daily rate ({rate}) differs from the agreed one ({agreed})",
                field="invoice_daily_rate",
                params={"rate": Money(daily_rate), "agreed": Money(mission["daily_rate"])},
            )
        )
    if last_billed_day is not None:
        last = (
            dt.date.fromisoformat(last_billed_day)
            if isinstance(last_billed_day, str)
            else last_billed_day
        )
        if last > end:
            warnings.append(
                Problem(
                    "the invoice bills days up to {last}, after the mission's end on {end}",
                    field="invoice_last_day",
                    params={"last": Day(last), "end": Day(end)},
                )
            )
    if amount is not None and amount != expected:
        warnings.append(
            Problem(
                "the amount ({amount}) differs from the expected {expected} ({days} working "
                "days x {rate})",
                field="invoice_amount",
                params={
                    "amount": Money(amount),
                    "expected": Money(expected),
                    "days": days,
                    "rate": Money(mission["daily_rate"]),
                },
            )
        )
    return {
        "working_days": days,
        "agreed_rate": mission["daily_rate"],
        "expected_amount": expected,
        "amount": amount,
        "warnings": [w.what() for w in warnings],  # in words: no field names
    }


def write_invoice(
    db: sqlite_utils.Database, mission_id: int, a: ChecklistAnswers, today: dt.date
) -> None:
    """Record (or update) the invoice typed in the checklist; nothing when no amount is given.

    Called inside the checklist's transaction."""
    if a.invoice_amount is None:
        return
    inv = invoice(db, mission_id)
    row = {
        "mission_id": mission_id,
        "amount": a.invoice_amount,
        "daily_rate": a.invoice_daily_rate,
        "days": a.invoice_days,
        "last_billed_day": a.invoice_last_day.isoformat() if a.invoice_last_day else None,
        "received_at": (inv or {}).get("received_at") or today.isoformat(),
        "checked_at": today.isoformat() if a.invoice_received == "done" else None,
        "paid_at": ((a.invoice_paid_on or today).isoformat() if a.invoice_paid == "done" else None),
    }
    if inv:
        db["invoices"].update(inv["id"], row)
    else:
        db["invoices"].insert(row)
