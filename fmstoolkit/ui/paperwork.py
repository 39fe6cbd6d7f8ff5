"""The paperwork app, "Documents et paiements" (issue 16 without the command line).

Two panels, one above the other: the contracts and NDAs of the missions
(:mod:`.paperwork_contracts`: the missions starting soon without them, prepare, send, record
signed) and the payments (:mod:`.paperwork_payments`: the invoices to pay, the SEPA file to
download, the bank's confirmation). Both call the functions behind ``fms contracts`` and ``fms
payments``; the notebook shows the outbox panel under them (the contract's e-mail waits there).
"""

from __future__ import annotations

import html

import ipywidgets as w
import sqlite_utils

from ..i18n import N_, current_lang
from .common import database, translate
from .paperwork_contracts import ContractsPanel
from .paperwork_payments import PaymentsPanel

TEXTS = {
    "contracts": N_("Contracts and NDAs"),
    "payments": N_("Paying the invoices"),
}


class PaperworkApp(w.VBox):
    """``.contracts`` and ``.payments``, each under its heading."""

    def __init__(self, db: sqlite_utils.Database, lang: str | None = None) -> None:
        self.lang = current_lang(lang)
        self.contracts = ContractsPanel(db, self.lang)
        self.payments = PaymentsPanel(db, self.lang)
        super().__init__([self._heading("contracts"), self.contracts,
                          self._heading("payments"), self.payments])  # fmt: skip

    def _heading(self, key: str) -> w.HTML:
        return w.HTML(f"<h2>{html.escape(translate(TEXTS, key, self.lang))}</h2>")


def paperwork_app(db=None, lang: str | None = None) -> PaperworkApp:
    """The paperwork app on ``db`` (default: ``FMS_DB``)."""
    return PaperworkApp(database(db), lang)
