"""The freelancer's invoice read from its file: Factur-X / ZUGFeRD, or a plain PDF.

A Factur-X invoice (the French e-invoicing format, the same as Germany's ZUGFeRD 2) is a PDF
with a Cross Industry Invoice (CII) XML inside. The ``factur-x`` package (Akretion's, the
reference implementation the French tools use) extracts that XML; lxml reads from it what the
invoice check needs: the amount excluding VAT, the daily rate and days of its lines, the period
billed, the invoice's number and the seller's SIRET and VAT number. Those fill the
offboarding's invoice (:func:`fmstoolkit.offboarding.invoice.write_invoice`), which is then
checked as a typed one is (:func:`~fmstoolkit.offboarding.invoice.check_invoice`).

A plain PDF (no XML inside) is kept all the same, and its figures are typed by the manager as
before (``amount`` is then required). Either way the file is copied into the documents folder
(``FMS_DOCUMENTS_DIR``), readable by its owner only, and named in ``invoices.file``.
:func:`add_invoice_document` does it from the file's bytes: ``fms invoice add`` (through
:func:`add_invoice_file`, which reads the path) and the offboarding app's upload both end there.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import facturx
import sqlite_utils
from lxml import etree
from pypdf.errors import PyPdfError

from .. import clock
from ..config import get_settings
from ..dates import day_or_today
from ..errors import InvalidInput
from ..files import read_given, write_private
from ..models import ChecklistAnswers
from .invoice import check_invoice, invoice
from .state import check_open, open_offboarding, refresh_status
from .steps import checklist_answers, checklist_values, write_checklist

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
#: Where the CII puts what the check needs (XPath from the root).
_TRADE = "rsm:SupplyChainTradeTransaction/"
_SELLER = _TRADE + "ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/"
_SETTLEMENT = _TRADE + "ram:ApplicableHeaderTradeSettlement/"
_TOTALS = _SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
_PERIOD = _SETTLEMENT + "ram:BillingSpecifiedPeriod/"
#: The invoice figures a manager may type (for a plain PDF) and the answers they fill.
TYPED = {"amount": "invoice_amount", "daily_rate": "invoice_daily_rate", "days": "invoice_days",
         "last_billed_day": "invoice_last_day"}  # fmt: skip

# factur-x logs every step at INFO (and the file's name): keep it to warnings.
logging.getLogger("factur-x").setLevel(logging.WARNING)


def _euros(text: str | None) -> int | None:
    """A CII amount ("5000.00") as whole euros (the toolkit's money), rounded half up."""
    if text is None or not text.strip():
        return None
    try:
        return int(Decimal(text.strip()).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return None


def _cents(text: str | None) -> int | None:
    """A CII amount ("6000.00") in cents (what a transfer pays)."""
    try:
        return int((Decimal(text.strip()) * 100).quantize(Decimal(1))) if text else None
    except InvalidOperation:
        return None


def _day(text: str | None) -> str | None:
    """A CII date (format 102, YYYYMMDD) as ISO YYYY-MM-DD."""
    if not text:
        return None
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d").date().isoformat()
    except ValueError:
        return None


def parse_cii(xml: bytes, name: str = "") -> dict[str, Any]:
    """The figures of a CII invoice: amount (excluding VAT), daily rate, days, period, number,
    seller's SIRET and VAT number (None where the invoice does not say)."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidInput("{name}: the invoice data inside the PDF is not readable XML.",
                           field="file", name=name) from exc  # fmt: skip
    if root.tag != f"{{{NS['rsm']}}}CrossIndustryInvoice":
        raise InvalidInput("{name}: the data inside the PDF is not a Factur-X (CII) invoice.",
                           field="file", name=name)  # fmt: skip

    def text(path: str, node: Any = root) -> str | None:
        found = node.xpath(path + "/text()", namespaces=NS)
        return str(found[0]).strip() if found else None

    lines = root.xpath(_TRADE + "ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    price = "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"
    rates = {_euros(text(price, line)) for line in lines} - {None}
    quantity = "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"
    try:
        quantities = [Decimal(q) for q in (text(quantity, line) for line in lines) if q]
    except InvalidOperation:
        quantities = []
    amount = _euros(text(_TOTALS + "ram:TaxBasisTotalAmount")) or _euros(
        text(_TOTALS + "ram:LineTotalAmount")
    )
    return {
        "amount": amount,
        "daily_rate": rates.pop() if len(rates) == 1 else None,
        "days": float(sum(quantities)) if quantities else None,
        "period_start": _day(text(_PERIOD + "ram:StartDateTime/udt:DateTimeString")),
        "period_end": _day(text(_PERIOD + "ram:EndDateTime/udt:DateTimeString")),
        "amount_due_cents": _cents(text(_TOTALS + "ram:DuePayableAmount"))
        or _cents(text(_TOTALS + "ram:GrandTotalAmount")),
        "invoice_number": text("rsm:ExchangedDocument/ram:ID"),
        "seller_siret": text(_SELLER + "ram:SpecifiedLegalOrganization/ram:ID"),
        "seller_vat": text(_SELLER + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
    }


def read_invoice_file(data: bytes, name: str = "") -> dict[str, Any] | None:
    """The figures of a Factur-X / ZUGFeRD invoice, or None for a plain PDF (no XML inside).
    A file that is not a PDF is one sentence."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise InvalidInput("{name} is not a PDF file: give the invoice as the freelancer sent it "
                           "(a PDF, Factur-X or plain).", field="file", name=name)  # fmt: skip
    try:
        _filename, xml = facturx.get_xml_from_pdf(data, check_xsd=False)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput("{name} is a damaged PDF file: it cannot be read.", field="file",
                           name=name) from exc  # fmt: skip
    if not xml:
        return None
    return parse_cii(xml, name)


def store_document(data: bytes, name: str, documents_dir: Path | None = None) -> Path:
    """Copy a received file into the documents folder, readable by its owner only."""
    folder = Path(documents_dir or get_settings().documents_dir)
    return write_private(folder / name, data, new=True)


def add_invoice_file(
    db: sqlite_utils.Database,
    mission_id: int,
    file: str | Path,
    typed: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Record a mission's invoice from the file at ``file`` (``fms invoice add``): its bytes
    go to :func:`add_invoice_document`, with the same ``typed`` figures and options."""
    return add_invoice_document(db, mission_id, read_given(file), Path(file).name, typed,
                                **options)  # fmt: skip


def _typed_of(answers: ChecklistAnswers) -> dict[str, Any]:
    """The invoice figures typed in a checklist (validated), as :data:`TYPED`'s keys."""
    typed = {key: getattr(answers, answer) for key, answer in TYPED.items()}
    if typed["last_billed_day"] is not None:
        typed["last_billed_day"] = typed["last_billed_day"].isoformat()
    return typed


def add_invoice_document(
    db: sqlite_utils.Database,
    mission_id: int,
    data: bytes,
    name: str,
    typed: dict[str, Any] | None = None,
    *,
    checklist: dict[str, Any] | None = None,
    approve: bool = False,
    documents_dir: Path | None = None,
    today: dt.date | str | None = None,
) -> dict[str, Any]:
    """Record a mission's invoice from its file's bytes (``name``: the file's own name, for
    the messages) and return it with its check. The one function behind ``fms invoice add``
    and the offboarding app's upload.

    A Factur-X file's figures fill the invoice; ``typed`` (keys of :data:`TYPED`, and
    ``amount_due_cents``: VAT included, default the amount) completes what it does not say,
    and is required for a plain PDF (at least the amount). ``checklist``: the checklist's
    answers to save with the invoice, in the same transaction (the offboarding app's step, its
    typed invoice figures included); default, those already saved. ``approve`` marks the
    checklist's "invoice received and checked" done, which makes it payable. A wrong file, or
    a plain PDF without an amount, is one sentence and nothing is written or kept.
    """
    figures = read_invoice_file(data, name)
    given = {k: v for k, v in (typed or {}).items() if v is not None}
    if checklist is not None:
        answers, _verdicts = checklist_answers(db, mission_id, checklist)
        given = {k: v for k, v in _typed_of(answers).items() if v is not None} | given
    found = {k: v for k, v in (figures or {}).items() if v is not None}
    if figures is None and "amount" not in given:
        raise InvalidInput("{name} is a plain PDF with no Factur-X data: type its figures "
                           "(at least the amount).", field=TYPED["amount"],
                           name=name)  # fmt: skip
    if figures is not None and "amount" not in found and "amount" not in given:
        raise InvalidInput("{name}: the Factur-X data gives no amount; type it.",
                           field=TYPED["amount"], name=name)  # fmt: skip
    merged = given | found
    if "last_billed_day" not in merged and merged.get("period_end"):
        merged["last_billed_day"] = merged["period_end"]
    merged.setdefault("amount_due_cents", merged["amount"] * 100)
    day = day_or_today(today)
    stored = store_document(
        data, f"invoice-m{mission_id}-{clock.now():%Y%m%dT%H%M%S%f}.pdf", documents_dir
    )
    try:
        with db.atomic():
            mission = check_open(db, mission_id)
            open_offboarding(db, mission_id, today=day)
            values = checklist_values(db, mission_id) if checklist is None else dict(checklist)
            values.update({answer: merged.get(key) for key, answer in TYPED.items()})
            if approve:
                values["invoice_received"] = "done"
            answers, verdicts = checklist_answers(db, mission_id, values)
            write_checklist(db, mission, answers, verdicts, day)
            row = invoice(db, mission_id)
            db["invoices"].update(row["id"], {
                "file": stored.name,
                "source": "facturx" if figures is not None else "typed",
                **{k: merged.get(k) for k in ("invoice_number", "period_start", "period_end",
                                              "seller_siret", "seller_vat", "amount_due_cents")},
            })  # fmt: skip
            refresh_status(db, mission_id)
            row = invoice(db, mission_id)
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    return {
        "invoice": row,
        "check": check_invoice(mission, row["amount"], row["daily_rate"], row["last_billed_day"]),
    }
