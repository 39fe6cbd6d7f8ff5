"""The home app, "Aujourd'hui": where a manager starts the day.

Short lists, each with a link into the app that acts on it: the offboardings due (the
offboarding app), the invoices unpaid more than ``FMS_INVOICE_PAYMENT_DAYS`` after their
receipt (the paperwork app, which pays them, and the offboarding app, which approves them), the
open requests with the answers received so far (the planning app), the questions still
unanswered, the missions starting soon without a signed contract or NDA (the paperwork app),
the messages waiting or failed (the outbox panel of the planning app), and the collaboration
notes in Datasette. The reads are :mod:`fmstoolkit.today`'s; nothing here
writes. Links use ``FMS_APPS_PORT`` and ``FMS_DATASETTE_PORT``, the ports ``make run`` starts.
"""

from __future__ import annotations

import html

import ipywidgets as w
import sqlite_utils

from .. import apps_server, clock, contracts, today
from ..config import get_settings
from ..i18n import N_, current_lang, format_date, format_money, ngettext
from ..i18n_labels import status_label
from ..notify import outbox
from .common import database, translate

TEXTS = {
    "title": N_("Today, {date}"),
    "refresh": N_("Refresh"),
    "due": N_("Offboardings due"),
    "due_none": N_("No mission to offboard this week."),
    "due_row": N_("{freelancer} · {project} · ends {end}"),
    "due_late": N_("{freelancer} · {project} · ended {end}"),
    "unpaid": N_("Invoices unpaid more than {days} days after their receipt"),
    "unpaid_none": N_("No invoice waits for its payment past the limit."),
    "unpaid_row": N_("Mission #{id} · {project} · invoice {number} · {amount} · received {days} "
                     "days ago"),
    "open": N_("Open requests"),
    "open_none": N_("No open request."),
    "open_row": N_("Request {id} · {project} · {skills} · starts {start} · {status}"),
    "answers": N_("yes {yes} · maybe {maybe} · no {no} · waiting {waiting}"),
    "polls": N_("Questions without an answer"),
    "polls_none": N_("Every freelancer asked has answered."),
    "poll_row": N_("{freelancer} · request {request} ({project}) · asked on {asked}"),
    "contracts": N_("Contracts and NDAs to sign"),
    "contracts_none": N_("Every mission starting soon has its contract and NDA signed."),
    "contracts_row": N_("{freelancer} · {project} · starts {start} · not signed: {missing}"),
    "outbox": N_("Messages to freelancers"),
    "outbox_row": N_("{pending} waiting · {dead} failed for good · {sent} sent"),
    "open_planning": N_("Open the planning app"),
    "open_offboarding": N_("Open the offboarding app"),
    "open_paperwork": N_("Open the paperwork app"),
    "open_outbox": N_("See the messages (planning app, at the bottom)"),
    "notes": N_("Collaboration notes (Datasette)"),
    "notes_text": N_("Past missions, notes and daily rates, for the project leads."),
}


def say(key: str, lang: str, **params) -> str:
    return html.escape(translate(TEXTS, key, lang, **params))


def _link(url: str, key: str, lang: str) -> str:
    return f'<a href="{html.escape(url)}" target="_blank">{say(key, lang)} →</a>'


def _section(title: str, items: list[str], empty: str, link: str, more: int = 0) -> str:
    body = "".join(f"<li>{i}</li>" for i in items) if items else f"<li><i>{empty}</i></li>"
    extra = f"<li>… +{more}</li>" if more > 0 else ""
    return (
        f'<div class="fms-home-section"><h3>{title}</h3><ul>{body}{extra}</ul>'
        f"<p>{link}</p></div>"
    )


def home_html(db: sqlite_utils.Database, lang: str | None = None, limit: int = 8) -> str:
    """The home page's lists as HTML, in ``lang`` (every value escaped, words translated)."""
    lang = current_lang(lang)
    planning_url = apps_server.app_url("planning")
    offboarding_url = apps_server.app_url("offboarding")
    paperwork_link = _link(apps_server.app_url("paperwork"), "open_paperwork", lang)

    due = today.offboardings_due(db)
    due_items = [
        say("due_row" if row["days_left"] >= 0 else "due_late", lang,
           freelancer=row["freelancer"], project=row["project"],
           end=format_date(row["end_date"], lang))
        for row in due[:limit]
    ]  # fmt: skip
    unpaid = today.unpaid_invoices(db)
    unpaid_items = [
        say("unpaid_row", lang, id=row["mission_id"], project=row["project"],
            number=row["invoice_number"] or "—", amount=format_money(row["amount"], lang),
            days=row["days"])
        for row in unpaid[:limit]
    ]  # fmt: skip
    requests = today.open_requests(db)
    open_items = [
        say("open_row", lang, id=row["id"], project=row["project"],
           skills=", ".join(row["skill_labels"][lang]), start=format_date(row["start_date"], lang),
           status=status_label("request", row["status"], lang))
        + "<br><small>" + say("answers", lang, **{k: row[k] for k in ("yes", "maybe", "no",
                                                                       "waiting")}) + "</small>"
        for row in requests[:limit]
    ]  # fmt: skip
    polls = today.unanswered_polls(db, limit=limit)
    poll_items = [
        say("poll_row", lang, freelancer=row["freelancer"], request=row["request_id"],
           project=row["project"], asked=format_date(row["asked_at"], lang))
        for row in polls
    ]  # fmt: skip
    unsigned = today.contracts_due(db)
    contract_items = [
        say("contracts_row", lang, freelancer=row["freelancer"], project=row["project"],
           start=format_date(row["start_date"], lang),
           missing=contracts.missing_words(row["missing"], lang))
        for row in unsigned[:limit]
    ]  # fmt: skip
    counts = outbox.counts(db)
    outbox_items = [say("outbox_row", lang, pending=counts["pending"] + counts["sending"],
                       dead=counts["dead"], sent=counts["sent"])]  # fmt: skip
    header = html.escape(
        ngettext("{n} offboarding due", "{n} offboardings due", len(due), lang).format(n=len(due))
        + " · "
        + ngettext("{n} open request", "{n} open requests", len(requests), lang).format(
            n=len(requests))
    )  # fmt: skip
    return "".join([
        f"<p><b>{header}</b></p>",
        _section(say("due", lang), due_items, say("due_none", lang),
                 _link(offboarding_url, "open_offboarding", lang), len(due) - limit),
        _section(say("unpaid", lang, days=get_settings().invoice_payment_days), unpaid_items,
                 say("unpaid_none", lang),
                 f'{paperwork_link} · {_link(offboarding_url, "open_offboarding", lang)}',
                 len(unpaid) - limit),
        _section(say("open", lang), open_items, say("open_none", lang),
                 _link(planning_url, "open_planning", lang), len(requests) - limit),
        _section(say("polls", lang), poll_items, say("polls_none", lang),
                 _link(planning_url, "open_planning", lang)),
        _section(say("contracts", lang), contract_items, say("contracts_none", lang),
                 paperwork_link, len(unsigned) - limit),
        _section(say("outbox", lang), outbox_items, "", _link(planning_url, "open_outbox", lang)),
        _section(say("notes", lang), [say("notes_text", lang)], "",
                 _link(apps_server.datasette_url("notes"), "notes", lang)),
    ])  # fmt: skip


class HomeApp(w.VBox):
    """The home page with a Refresh button."""

    def __init__(self, db: sqlite_utils.Database, lang: str | None = None) -> None:
        self.db, self.lang = db, current_lang(lang)
        self.title = w.HTML()
        self.body = w.HTML()
        self.refresh_button = w.Button(description=say("refresh", self.lang), icon="refresh",
                                       layout=w.Layout(width="auto"))  # fmt: skip
        self.refresh_button.on_click(lambda _b: self.refresh())
        super().__init__([w.HBox([self.title, self.refresh_button]), self.body])
        self.refresh()

    def refresh(self) -> None:
        from_clock = format_date(today_date(), self.lang)
        self.title.value = f"<h2>{say('title', self.lang, date=from_clock)}</h2>"
        self.body.value = home_html(self.db, self.lang)


def today_date():
    """The agency's day (the one clock)."""
    return clock.today()


def app(db=None, lang: str | None = None) -> HomeApp:
    """The home app on ``db`` (default: ``FMS_DB``)."""
    return HomeApp(database(db), lang)
