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

from ..config import get_settings
from ..errors import FmsError
from ..notify import outbox

COLUMNS = ("id", "freelancer", "kind", "channel", "status", "attempts", "sent_at", "last_error")
LABELS = {
    "fr": {"title": "Messages aux freelances", "refresh": "Actualiser",
           "send": "Envoyer maintenant", "empty": "Aucun message en file.",
           "sent": "envoyé(s)", "retry": "à réessayer",
           "dead": "en échec", "cancelled": "annulé(s)"},
    "en": {"title": "Messages to freelancers", "refresh": "Refresh", "send": "Send now",
           "empty": "No message queued.", "sent": "sent", "retry": "to retry", "dead": "dead",
           "cancelled": "cancelled"},
}


def _labels() -> dict[str, str]:
    return LABELS["fr" if get_settings().lang == "fr" else "en"]


def messages_html(rows: list[dict[str, Any]]) -> str:
    """The messages as an HTML table (escaped), newest first."""
    if not rows:
        return f"<p>{html.escape(_labels()['empty'])}</p>"
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
        labels = _labels()
        self.table = w.HTML()
        self.message = w.HTML()
        self.refresh_button = w.Button(description=labels["refresh"], icon="refresh")
        self.send_button = w.Button(description=labels["send"], icon="paper-plane",
                                    button_style="primary")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.send_button.on_click(lambda _: self.send())
        super().__init__([
            w.HTML(f"<h4>{html.escape(labels['title'])}</h4>"),
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
        from ..notify import dispatcher

        labels = _labels()
        try:
            result = dispatcher.drain(self.db)
        except FmsError as exc:
            self.message.value = f'<span style="color:#b00">{html.escape(exc.message())}</span>'
            return None
        parts = [
            f"{result.get(key, 0)} {labels[name]}"
            for key, name in (("sent", "sent"), ("retry", "retry"), ("dead", "dead"),
                              ("cancelled", "cancelled"))
        ]
        self.message.value = html.escape(", ".join(parts))
        self.refresh()
        return result


def outbox_panel(db: sqlite_utils.Database | None = None, limit: int = 15) -> OutboxPanel:
    """The panel on the settings' database (``FMS_DB``) unless a database is given."""
    from ..db import open_db

    return OutboxPanel(db or open_db(), limit=limit)
