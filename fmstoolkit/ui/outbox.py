"""The outbox in a notebook: what was queued for freelancers, what was sent, what failed.

A small panel (ipywidgets) under the planning and offboarding apps: the latest messages with
their status, a "Refresh" button and a "Send now" button that drains what is due through the
configured channels (``notify.dispatcher.drain``). It reads ``outbox.list_messages``, which
returns the freelancer's name and never an address, so nothing personal reaches the notebook.
"""

from __future__ import annotations

import html
import socket
from typing import Any

import ipywidgets as w
import sqlite_utils

from ..config import get_settings
from ..db import open_db
from ..errors import FmsError
from ..i18n import N_, _, format_date
from ..i18n_labels import status_label
from ..notify import dispatcher, outbox

WARNING_STYLE = "color:#8a5a00"
COLUMNS = ("id", "freelancer", "kind", "channel", "status", "attempts", "sent_at", "last_error")
#: The header of each column, in words (no field name reaches the screen).
HEADERS = {
    "id": N_("No."), "freelancer": N_("Freelancer"), "kind": N_("Message"),
    "channel": N_("Channel"), "status": N_("Status"), "attempts": N_("Attempts"),
    "sent_at": N_("Sent on"), "last_error": N_("Last error"),
}  # fmt: skip
#: What each kind of message is, in words.
KINDS = {
    "availability_question": N_("Availability question"),
    "availability_check": N_("Availability check"),
    "mission_confirmation": N_("Mission confirmation"),
    "mission_cancellation": N_("Mission cancellation"),
    "feedback_request": N_("Feedback request"),
    "recommendation": N_("Recommendation"),
    "alumni_checkin": N_("Alumni check-in"),
    "telegram_invitation": N_("Telegram invitation"),
    "contract": N_("Contract and NDA to sign"),
}
LABELS = {
    "title": N_("Messages to freelancers"),
    "refresh": N_("Refresh"),
    "send": N_("Send now"),
    "empty": N_("No message queued."),
    "summary": N_("{sent} sent, {retry} to retry, {dead} dead, {cancelled} cancelled"),
    "no_smtp": N_("No mail server answers at {host}:{port}, so e-mails stay in the queue: set "
                  "FMS_SMTP_HOST and FMS_SMTP_PORT (in the environment or the .env file) to the "
                  "agency's mail server."),
}


def label(key: str) -> str:
    """The text ``LABELS[key]`` in the settings' language (``FMS_LANG``)."""
    return _(LABELS[key])


def cell(row: dict[str, Any], column: str) -> str:
    """One cell in words: statuses, kinds and channels translated, dates as people write them."""
    value = row.get(column)
    if value in (None, ""):
        return ""
    if column == "status":
        return status_label("outbox", value)
    if column == "channel":
        return status_label("channel", value)
    if column == "kind":
        return _(KINDS[value]) if value in KINDS else str(value)
    if column == "sent_at":
        return format_date(value)
    return str(value)


def messages_html(rows: list[dict[str, Any]]) -> str:
    """The messages as an HTML table (escaped), newest first."""
    if not rows:
        return f"<p>{html.escape(label('empty'))}</p>"
    head = "".join(f"<th>{html.escape(_(HEADERS[c]))}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell(r, c))}</td>" for c in COLUMNS) + "</tr>"
        for r in rows
    )
    return f'<table class="fms-outbox"><tr>{head}</tr>{body}</table>'


def no_mail_server() -> str:
    """The sentence, as HTML, when no mail server answers at FMS_SMTP_HOST:FMS_SMTP_PORT (the
    e-mails would fail with "Connect call failed"); empty when one answers."""
    settings = get_settings()
    try:
        socket.create_connection((settings.smtp_host, settings.smtp_port), timeout=1).close()
        return ""
    except OSError:
        text = _(LABELS["no_smtp"]).format(host=settings.smtp_host, port=settings.smtp_port)
        return f'<br><span style="{WARNING_STYLE}">⚠ {html.escape(text)}</span>'


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
        summary = ", ".join(f"{status_label('outbox', status)} {n}"
                            for status, n in counts.items() if n)
        head = f"<p>{html.escape(summary)}</p>" if summary else ""
        self.table.value = head + messages_html(rows)

    def send(self) -> dict[str, Any] | None:
        warning = no_mail_server()
        try:
            result = dispatcher.drain(self.db)
        except FmsError as exc:
            self.message.value = f'<span style="color:#b00">{html.escape(exc.message())}</span>'
            return None
        counts = {key: result.get(key, 0) for key in ("sent", "retry", "dead", "cancelled")}
        self.message.value = html.escape(label("summary").format(**counts)) + warning
        self.refresh()
        return result


def outbox_panel(db: sqlite_utils.Database | None = None, limit: int = 15) -> OutboxPanel:
    """The panel on the settings' database (``FMS_DB``) unless a database is given."""
    return OutboxPanel(db or open_db(), limit=limit)
