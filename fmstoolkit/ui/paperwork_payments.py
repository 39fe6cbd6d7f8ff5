"""The paperwork app's payments: the invoices to pay, the SEPA file, the bank's confirmation.

The approved invoices not paid nor in a transfer file yet (:func:`fmstoolkit.payments.payable`)
with their net to pay; those unpaid more than ``FMS_INVOICE_PAYMENT_DAYS`` after their receipt
(:func:`fmstoolkit.payments.overdue`) are flagged in the warnings' colour, and so is a
freelancer without an IBAN (recorded here, checked by the library, never shown back). "Export
the SEPA file" calls :func:`fmstoolkit.payments.export_transfers`, the function of ``fms
payments export``, writing the file into ``<FMS_DOCUMENTS_DIR>/sepa/`` (readable by its owner
only), and offers it for download in the browser: a ``data:`` link, since Voila serves no file
and ipywidgets has no download widget. The file holds the freelancers' IBANs, so the link says
so and is taken away at the next action (the link *is* the file's content, kept in the page's
widget state while shown). Not on a timer: a thread that clears it would outlive a closed page
and fire into a kernel that may be doing something else. "Confirm paid" reads the file uploaded back
(:func:`fmstoolkit.payments.confirm_transfer_data`, ``fms payments confirm``). Refusals (no agency
account set, a freelancer without an IBAN...) are the library's sentences beside the button.

Nothing here prints an IBAN: the lists say only whether one is recorded, and the IBAN box is
emptied as soon as its button is pressed.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
import sqlite_utils

from .. import clock, payments
from ..config import get_settings
from ..errors import FmsError
from ..i18n import N_, current_lang, format_cents, format_date, ngettext
from .common import (
    database,
    done_html,
    download_link,
    error_html,
    translate,
    upload_content,
    why,
)
from .forms import HELP_STYLE, WARNING_STYLE

TEXTS = {
    "payable": N_("Approved invoices waiting for payment"),
    "payable_none": N_("No approved invoice is waiting for payment."),
    "row": N_("Mission #{id} · {name} · {project} · invoice {number} · {amount} · received on "
              "{day}"),
    "late": N_("unpaid {days} days after its receipt"),
    "no_iban": N_("no IBAN recorded: record it below, the export needs it"),
    "overdue": N_("Invoices unpaid more than {days} days after their receipt"),
    "overdue_row": N_("Mission #{id} · {project} · invoice {number} · {amount} · received {days} "
                      "days ago · {state}"),
    "state_file": N_("in a transfer file, not confirmed paid"),
    "state_payable": N_("approved, to put in the next transfer file"),
    "state_unchecked": N_("not approved yet (the offboarding checklist)"),
    "in_payment": N_("In a transfer file, waiting for the bank"),
    "in_payment_row": N_("Mission #{id} · {name} · {project} · invoice {number} · {amount}"),
    "freelancer": N_("Freelancer"),
    "iban": N_("IBAN"),
    "bic": N_("BIC (optional)"),
    "record_iban": N_("Record the bank details"),
    "need_freelancer": N_("Pick the freelancer first."),
    "need_iban": N_("Type the IBAN first."),
    "iban_recorded": N_("Bank details of {name} recorded (account in {country})."),
    "bic_unknown": N_("The bank's BIC is not known: give it in the BIC box."),
    "until": N_("Received up to"),
    "export": N_("Export the SEPA file"),
    "download": N_("Download the SEPA file"),
    "private": N_("This file holds the freelancers' IBANs: keep it private. The link disappears "
                  "at your next action; the file stays in {folder}."),
    "upload": N_("Transfer file (XML)"),
    "upload_help": N_("Once the bank has paid: give the file exported here, and the day paid."),
    "received": N_("{name} ready: press Confirm paid."),
    "paid_on": N_("Paid on"),
    "confirm": N_("Confirm paid"),
    "need_file": N_("Give the transfer file first (the Transfer file (XML) button)."),
    "need_date": N_("Choose the day the bank paid."),
}  # fmt: skip


def t(key: str, lang: str, **params: Any) -> str:
    return translate(TEXTS, key, lang, **params)


def _list(title: str, items: list[str], empty: str = "", style: str = "") -> str:
    if not items and not empty:
        return ""
    body = "".join(f"<li>{i}</li>" for i in items) or f"<li><i>{html.escape(empty)}</i></li>"
    attr = f' style="{style}"' if style and items else ""
    return f"<h3>{html.escape(title)}</h3><ul{attr}>{body}</ul>"


def payments_html(db: sqlite_utils.Database, lang: str) -> str:
    """The invoices to pay (the late ones and those without an IBAN flagged), the invoices
    unpaid too long and those waiting for the bank, as HTML: names and amounts, never an IBAN."""
    days = get_settings().invoice_payment_days
    late = {r["invoice_id"]: r for r in payments.overdue(db)}
    items, payable = [], payments.payable(db)
    for row in payable:
        line = html.escape(t("row", lang, id=row["mission_id"], name=row["name"],
                             project=row["project"], number=row["invoice_number"] or "—",
                             amount=format_cents(payments.due_cents(row), lang),
                             day=format_date(row["received_at"][:10], lang)))  # fmt: skip
        flags = ([t("late", lang, days=late[row["id"]]["days"])] if row["id"] in late else [])
        flags += [] if row["iban"] else [t("no_iban", lang)]
        if flags:
            line += f' <span style="{WARNING_STYLE}">⚠ {html.escape(" · ".join(flags))}</span>'
        items.append(line)
    payable_ids = {r["id"] for r in payable}
    overdue_items = [
        html.escape(t("overdue_row", lang, id=r["mission_id"], project=r["project"],
                      number=r["invoice_number"] or "—", days=r["days"],
                      amount=format_cents(payments.due_cents(r), lang),
                      state=t("state_file" if r["payment_status"] == payments.IN_PAYMENT
                              else "state_payable" if r["invoice_id"] in payable_ids
                              else "state_unchecked", lang)))
        for r in late.values()
    ]  # fmt: skip
    waiting = [
        html.escape(t("in_payment_row", lang, id=r["mission_id"], name=r["name"],
                      project=r["project"], number=r["invoice_number"] or "—",
                      amount=format_cents(payments.due_cents(r), lang)))
        for r in payments.in_payment(db)
    ]  # fmt: skip
    return (_list(t("payable", lang), items, t("payable_none", lang))
            + _list(t("overdue", lang, days=days), overdue_items, style=WARNING_STYLE)
            + _list(t("in_payment", lang), waiting))  # fmt: skip


class PaymentsPanel(w.VBox):
    """The lists, the bank details, the export and the confirmation; ``.refresh()`` rereads."""

    def __init__(self, db: sqlite_utils.Database, lang: str | None = None) -> None:
        self.db, self.lang = db, current_lang(lang)
        lang = self.lang
        auto = w.Layout(width="auto", flex="0 0 auto")
        wrap = w.Layout(flex_flow="row wrap", align_items="center")
        self.pending: tuple[bytes, str] | None = None  # the transfer file, until confirmed
        self.lists = w.HTML()
        self.freelancer = w.Dropdown(options=[], description=t("freelancer", lang),
                                     layout=w.Layout(width="26em"))  # fmt: skip
        self.iban = w.Text(placeholder=t("iban", lang), layout=w.Layout(width="22em"))
        self.bic = w.Text(placeholder=t("bic", lang), layout=w.Layout(width="10em"))
        self.iban_button = w.Button(description=t("record_iban", lang), icon="bank", layout=auto)
        self.iban_message = w.HTML()
        self.until = w.DatePicker(value=clock.today(), description=t("until", lang),
                                  style={"description_width": "auto"})  # fmt: skip
        self.export_button = w.Button(description=t("export", lang), icon="download",
                                      button_style="primary", layout=auto)  # fmt: skip
        self.export_message = w.HTML()
        self.link = w.HTML()  # the download link, until the next action
        self.upload = w.FileUpload(accept=".xml,application/xml,text/xml", multiple=False,
                                   description=t("upload", lang), layout=auto)  # fmt: skip
        self.upload_status = w.HTML()
        self.paid_on = w.DatePicker(value=clock.today(), description=t("paid_on", lang))
        self.confirm_button = w.Button(description=t("confirm", lang), icon="check",
                                       button_style="success", layout=auto)  # fmt: skip
        self.confirm_message = w.HTML()
        self.iban_button.on_click(lambda _b: self.record_iban())
        self.export_button.on_click(lambda _b: self.export())
        self.upload.observe(self._received, names="value")
        self.confirm_button.on_click(lambda _b: self.confirm())
        help_text = html.escape(t("upload_help", lang))
        super().__init__([
            self.lists,
            w.HBox([self.freelancer, self.iban, self.bic, self.iban_button, self.iban_message],
                   layout=wrap),
            w.HBox([self.until, self.export_button, self.export_message], layout=wrap),
            self.link,
            w.HTML(f'<span style="{HELP_STYLE}">{help_text}</span>'),
            w.HBox([self.upload, self.upload_status, self.paid_on], layout=wrap),
            w.HBox([self.confirm_button, self.confirm_message], layout=wrap),
        ])  # fmt: skip
        self.refresh()

    def refresh(self) -> None:
        """Reread the lists and the freelancers to pay (those without an IBAN first)."""
        self.lists.value = payments_html(self.db, self.lang)
        rows = sorted({(bool(r["iban"]), r["name"], r["freelancer_id"])
                       for r in payments.payable(self.db)})  # fmt: skip
        self.freelancer.options = [(name, fid) for _has, name, fid in rows]

    # the download link ----------------------------------------------------------------------

    def clear_link(self) -> None:
        """Take the SEPA file's link (its content) off the page."""
        self.link.value = ""

    def _show_link(self, path: Path) -> None:
        name = f"virements-{clock.today().isoformat()}.xml"
        self.link.value = (
            download_link(path.read_bytes(), name, "application/xml", t("download", self.lang))
            + f' <span style="{WARNING_STYLE}">'
            + html.escape(t("private", self.lang, folder=str(path.parent))) + "</span>"
        )  # fmt: skip

    # actions --------------------------------------------------------------------------------

    def _clear(self) -> None:
        self.clear_link()
        for box in (self.iban_message, self.export_message, self.confirm_message):
            box.value = ""

    def _run(self, message: w.HTML, action: Callable[[], str]) -> bool:
        """Run ``action``; its sentence, or the refusal, beside the button (``message``)."""
        self._clear()
        try:
            said = action()
        except FmsError as exc:
            message.value = error_html(why(exc, self.lang))
            return False
        self.refresh()
        message.value = done_html(said)
        return True

    def record_iban(self) -> bool:
        """Record the chosen freelancer's IBAN and BIC (``fms payments iban``); the boxes are
        emptied whatever happens, so the IBAN does not stay on the page."""
        fid, iban, bic = self.freelancer.value, self.iban.value.strip(), self.bic.value.strip()
        self.iban.value = self.bic.value = ""
        if fid is None or not iban:
            self._clear()
            self.iban_message.value = error_html(t("need_iban" if fid else "need_freelancer",
                                                   self.lang))  # fmt: skip
            return False
        name = dict((v, k) for k, v in self.freelancer.options)[fid]

        def action() -> str:
            result = payments.set_bank_details(self.db, fid, iban, bic or None)
            said = t("iban_recorded", self.lang, name=name, country=result["country"])
            return said if result["bic"] else f"{said} {t('bic_unknown', self.lang)}"

        return self._run(self.iban_message, action)

    def export(self) -> bool:
        """Write the SEPA file of the invoices to pay (``fms payments export``) and offer it."""
        until = self.until.value
        done: dict[str, Any] = {}

        def action() -> str:
            done.update(payments.export_transfers(self.db, payments.new_transfer_path(), until))
            return ngettext(
                "{count} transfer, {total} in all, written to {file}: upload it to the bank, "
                "then confirm below once the bank has paid.",
                "{count} transfers, {total} in all, written to {file}: upload it to the bank, "
                "then confirm below once the bank has paid.", done["count"], self.lang,
            ).format(count=done["count"], total=format_cents(done["total_cents"], self.lang),
                     file=done["file"])  # fmt: skip

        if not self._run(self.export_message, action):
            return False
        self._show_link(Path(done["file"]))
        return True

    def _received(self, change: dict) -> None:
        got = upload_content(change)
        if got is None:
            return
        self.upload.value = ()  # the bytes (IBANs) leave the widget state at once
        self.clear_link()
        self.pending = got
        self.confirm_message.value = ""
        self.upload_status.value = html.escape(t("received", self.lang, name=got[1]))

    def give_transfer_file(self, data: bytes, name: str) -> None:
        """What the upload does with a file (for code that has the bytes already)."""
        self._received({"new": ({"content": data, "name": name},)})

    def confirm(self) -> bool:
        """Mark the invoices of the file given paid (``fms payments confirm``)."""
        if self.pending is None or self.paid_on.value is None:
            self._clear()
            self.confirm_message.value = error_html(
                t("need_file" if self.pending is None else "need_date", self.lang))
            return False
        (data, name), day = self.pending, self.paid_on.value

        def action() -> str:
            result = payments.confirm_transfer_data(self.db, data, name, day)
            self.pending = None
            self.upload_status.value = ""
            return ngettext("{count} invoice marked paid on {day}.",
                            "{count} invoices marked paid on {day}.", result["paid"],
                            self.lang).format(count=result["paid"],
                                              day=format_date(result["on"], self.lang))

        return self._run(self.confirm_message, action)


def payments_panel(db=None, lang: str | None = None) -> PaymentsPanel:
    """The panel on ``db`` (default: ``FMS_DB``)."""
    return PaymentsPanel(database(db), lang)
