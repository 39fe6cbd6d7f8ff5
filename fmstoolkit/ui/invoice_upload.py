"""The offboarding app's invoice upload: the freelancer's PDF read into the checklist's invoice.

Above the checklist's typed invoice figures, a file upload (PDF). A Factur-X / ZUGFeRD file is
recorded at once by :func:`fmstoolkit.offboarding.einvoice.add_invoice_document`, the function
behind ``fms invoice add``: the file is kept in ``FMS_DOCUMENTS_DIR`` (readable by its owner
only), the form's invoice fields show the figures read, the invoice's number, period, SIRET and
VAT number are said beside the upload, and the invoice check's warnings follow in their warning
colour. A plain PDF has no figures a program can read: a sentence asks for them, and saving the
step with them typed attaches the file (the same function, given the step's answers: one
transaction). A file that is not a PDF, or a damaged one, is one sentence beside the upload and
nothing is written.

The uploaded bytes stay in this process's memory only: the upload widget is emptied as soon as
it is read (its value would otherwise sit in the widget state a notebook can save), and nothing
here prints them.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import sqlite_utils

from .. import offboarding
from ..errors import FmsError
from ..i18n import N_, format_cents, format_date, format_money
from ..offboarding import einvoice
from .common import translate
from .forms import ERROR_STYLE, HELP_STYLE, FormWidget, warnings_html

TEXTS = {
    "upload": N_("Invoice PDF"),
    "help": N_("The freelancer's invoice: a Factur-X file fills the figures below by itself; "
               "for a plain PDF, type them."),
    "read": N_("{name}: read from its Factur-X data and recorded."),
    "number": N_("invoice {number}"),
    "period": N_("billed from {start} to {end}"),
    "siret": N_("SIRET {siret}"),
    "vat": N_("VAT number {vat}"),
    "due": N_("net to pay {amount}"),
    "plain": N_("{name} is a plain PDF with no Factur-X data: type its figures below (at least "
                "the amount); saving the step attaches the file."),
    "attached": N_("{name} attached to the invoice."),
    "kept": N_("Invoice file received on {day}; a new file replaces it."),
    "matches": N_("The invoice matches the mission ({amount} expected)."),
}  # fmt: skip
#: The form's invoice fields and the invoice columns they show (the same names as the figures).
FIELDS = {answer: column for column, answer in einvoice.TYPED.items()}


def _say(key: str, lang: str, **params: Any) -> str:
    return html.escape(translate(TEXTS, key, lang, **params))


class InvoiceUpload:
    """The upload beside one mission's checklist form. ``.box`` is shown above the invoice
    fields; ``.pending`` holds a plain PDF waiting for its typed figures."""

    def __init__(
        self, db: sqlite_utils.Database, mission_id: int, form: FormWidget, lang: str
    ) -> None:
        self.db, self.mission_id, self.form, self.lang = db, mission_id, form, lang
        self.pending: tuple[bytes, str] | None = None
        self.upload = w.FileUpload(accept=".pdf,application/pdf", multiple=False,
                                   description=translate(TEXTS, "upload", lang),
                                   layout=w.Layout(width="auto"))  # fmt: skip
        self.status = w.HTML()  # beside the upload: what was read, or why not
        self.warnings = w.HTML()  # the invoice check, in the warnings' colour
        self.upload.observe(self._received, names="value")
        self.box = w.VBox([
            w.HTML(f'<span style="{HELP_STYLE}">{_say("help", lang)}</span>'),
            w.HBox([self.upload, self.status]),
            self.warnings,
        ], layout=w.Layout(margin="0 0 0.6em 0"))  # fmt: skip
        row = offboarding.invoice(db, mission_id)
        if row and row.get("file"):
            self.status.value = _say("kept", lang, day=format_date(row["received_at"], lang))

    def _received(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        data, name = bytes(files[0]["content"]), str(files[0]["name"])
        self.upload.value = ()  # the bytes leave the widget state at once
        self.pending = None
        self.warnings.value = ""
        try:
            if einvoice.read_invoice_file(data, name) is None:
                self.pending = (data, name)
                self.status.value = _say("plain", self.lang, name=name)
                return
            result = einvoice.add_invoice_document(self.db, self.mission_id, data, name)
        except FmsError as exc:
            self.status.value = (f'<span style="{ERROR_STYLE}">⚠ '
                                 f"{html.escape(exc.message(self.lang))}</span>")  # fmt: skip
            return
        inv = result["invoice"]
        self.form.set_values({answer: inv[column] for answer, column in FIELDS.items()})
        self.status.value = self._read_html(name, inv)
        self._show_check(result["check"])

    def _read_html(self, name: str, inv: dict[str, Any]) -> str:
        lang = self.lang
        facts = []
        if inv["invoice_number"]:
            facts.append(_say("number", lang, number=inv["invoice_number"]))
        if inv["period_start"] and inv["period_end"]:
            facts.append(_say("period", lang, start=format_date(inv["period_start"], lang),
                              end=format_date(inv["period_end"], lang)))  # fmt: skip
        if inv["seller_siret"]:
            facts.append(_say("siret", lang, siret=inv["seller_siret"]))
        if inv["seller_vat"]:
            facts.append(_say("vat", lang, vat=inv["seller_vat"]))
        if inv["amount_due_cents"]:
            due = format_cents(inv["amount_due_cents"], lang)
            facts.append(_say("due", lang, amount=due))
        return f"✓ {_say('read', lang, name=name)}<br><small>{' · '.join(facts)}</small>"

    def _show_check(self, check: dict[str, Any]) -> None:
        self.warnings.value = warnings_html(check["warnings"]) or _say(
            "matches", self.lang, amount=format_money(check["expected_amount"], self.lang))

    def save_with(self, values: dict[str, Any]) -> dict[str, Any]:
        """Save the checklist step with the plain PDF waiting here attached (its figures typed
        in ``values``): one transaction. Returns the step's result (``invoice_check``)."""
        data, name = self.pending  # type: ignore[misc]
        result = einvoice.add_invoice_document(self.db, self.mission_id, data, name,
                                               checklist=values)  # fmt: skip
        self.pending = None
        self.status.value = "✓ " + _say("attached", self.lang, name=name)
        self._show_check(result["check"])
        return {"invoice_check": result["check"]}
