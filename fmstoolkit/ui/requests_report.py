"""The request ledger over a period, as the planning notebook shows it: how many requests were
staffed from the network, outside or not at all, and how long staffing took."""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as w

from .. import clock, planning
from ..i18n import N_, _, format_date
from ..i18n_labels import status_label
from .common import database

#: The header of each column, in words (no field name reaches the screen).
HEADERS = {
    "id": N_("No."), "project": N_("Project"), "skills": N_("Skills"),
    "start_date": N_("Start"), "status": N_("Status"), "outcome": N_("Outcome"),
    "filled": N_("Roles filled"), "polls": N_("Freelancers asked"), "answers": N_("Answers"),
    "time_to_staff_days": N_("Days to staff"),
}  # fmt: skip


def _cell(row: dict, column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if column == "status":
        return status_label("request", value)
    if column == "outcome":
        return status_label("outcome", value)
    if column == "start_date":
        return format_date(value)
    return str(value)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def requests_report_html(db=None, *, days: int = 90, start=None, end=None) -> w.HTML:
    """The request ledger over a period (default: the last ``days`` days up to today plus the
    coming month): fill rate, time to staff, and one line per request."""
    db = database(db)
    today = clock.today()
    start = start or today - dt.timedelta(days=days)
    end = end or today + dt.timedelta(days=30)
    data = planning.requests_report(db, start=start, end=end)
    times = data["time_to_staff_days"] or {}
    title = _("Requests from {start} to {end}").format(
        start=format_date(data["from"]), end=format_date(data["to"])
    )
    summary = _(
        "{requests} requests · staffed {staffed} (network {network}, outside {outside}) · "
        "unfilled {unfilled} · open {open} · fill rate {fill_rate} (network {network_rate}) · "
        "median time to staff {median} days"
    ).format(
        requests=data["requests"], staffed=data["staffed"], network=data["network"],
        outside=data["outside"], unfilled=data["unfilled"], open=data["open"] + data["polling"],
        fill_rate=_percent(data["fill_rate"]), network_rate=_percent(data["network_fill_rate"]),
        median=times.get("median", "—"),
    )
    head = f"<h4>{html.escape(title)}</h4><p>{html.escape(summary)}</p>"
    cols = ("id", "project", "skills", "start_date", "status", "outcome", "filled", "polls",
            "answers", "time_to_staff_days")  # fmt: skip
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(_cell(r, c))}</td>" for c in cols)
        + "</tr>"
        for r in data["rows"]
    )
    header = "".join(f"<th>{html.escape(_(HEADERS[c]))}</th>" for c in cols)
    return w.HTML(head + f"<table><tr>{header}</tr>{rows}</table>")
