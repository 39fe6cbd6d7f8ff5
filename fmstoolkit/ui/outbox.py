"""The outbox in a notebook: what was queued for freelancers, what was sent, what failed.

A small panel (ipywidgets) under the planning and offboarding apps: the latest messages with
their status, a "Refresh" button and a "Send now" button that drains what is due through the
configured channels (``notify.dispatcher.drain``). It reads ``outbox.list_messages``, which
returns the freelancer's name and never an address, so nothing personal reaches the notebook.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import sqlite_utils

from ..db import open_db
from ..errors import FmsError
from ..i18n import N_, _
from ..notify import dispatcher, outbox

COLUMNS = ("id", "freelancer", "kind", "channel", "status", "attempts", "sent_at", "last_error")
LABELS = {
    "title": N_("Messages to freelancers"),
    "refresh": N_("Refresh"),
    "send": N_("Send now"),
    "empty": N_("No message queued."),
    "summary": N_("{sent} sent, {retry} to retry, {dead} dead, {cancelled} cancelled"),
}


def label(key: str) -> str:
    """The text ``LABELS[key]`` in the settings' language (``FMS_LANG``)."""
    return _(LABELS[key])


def messages_html(rows: list[dict[str, Any]]) -> str:
    """The messages as an HTML table (escaped), newest first."""
    if not rows:
        return f"<p>{html.escape(label('empty'))}</p>"
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r.get(c) or ''))}</td>" for c in COLUMNS) + "</tr>"
        for r in rows
    )
    return f'<table class="fms-outbox"><tr>{head}</tr>{body}</table>'


class OutboxPanel(w.VBox):
    """The latest messages, with Refresh and Send now."""

    def __init__(self, db: sqlite_utils.Database, limit: int = 15) -> None:
        self.db, self.limit = db, limit
        self.table = w.HTML()
        self.message = w.HTML()
        self.refresh_button = w.Button(description=label("refresh"), icon="refresh")
        self.send_button = w.Button(description=label("send"), icon="paper-plane",
                                    button_style="primary")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.send_button.on_click(lambda _b: self.send())
        super().__init__([
            w.HTML(f"<h4>{html.escape(label('title'))}</h4>"),
            w.HBox([self.refresh_button, self.send_button]),
            self.message,
            self.table,
        ])
        self.refresh()

    def refresh(self) -> None:
        rows = outbox.list_messages(self.db, limit=self.limit)
        counts = outbox.counts(self.db)
        summary = ", ".join(f"{status} {n}" for status, n in counts.items() if n)
        head = f"<p>{html.escape(summary)}</p>" if summary else ""
        self.table.value = head + messages_html(rows)

    def send(self) -> dict[str, Any] | None:
        try:
            result = dispatcher.drain(self.db)
        except FmsError as exc:
            self.message.value = f'<span style="color:#b00">{html.escape(exc.message())}</span>'
            return None
        counts = {key: result.get(key, 0) for key in ("sent", "retry", "dead", "cancelled")}
        self.message.value = html.escape(label("summary").format(**counts))
        self.refresh()
        return result


def outbox_panel(db: sqlite_utils.Database | None = None, limit: int = 15) -> OutboxPanel:
    """The panel on the settings' database (``FMS_DB``) unless a database is given."""
    return OutboxPanel(db or open_db(), limit=limit)
