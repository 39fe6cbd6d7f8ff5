"""Paying freelancers' invoices by SEPA credit transfer: bank details, the transfer file, paid.

A freelancer's IBAN and BIC are personal data: they live in ``contacts`` with the rest of the
contact data (never published, deleted by ``fms privacy forget``) and are checked with
``schwifty`` (the maintained IBAN/BIC library: country lengths, check digits, national bank
codes, the BIC of most European banks). A wrong one is one sentence naming the freelancer; the
IBAN itself is never repeated in a message.

:func:`export_transfers` writes a SEPA Credit Transfer initiation (ISO 20022 ``pain.001.001.03``,
the version every French bank accepts) with ``sepaxml``, which also validates it against the
schema it ships, for the agency to upload to its bank. It holds the approved invoices (the
checklist's "final invoice received and checked" done) that are neither paid nor already in a
file, and marks them ``in_payment``. :func:`confirm_transfers` reads such a file back and marks
its invoices paid, which fills the checklist's "final invoice paid".

:func:`overdue` lists the invoices still unpaid more than ``FMS_INVOICE_PAYMENT_DAYS`` (default
30, the usual French legal limit) after their receipt, for the digest, the home app and ``fms
payments overdue``. An invoice's receipt is its ``received_at``: the day it was recorded (typed
in the checklist, or read from its file), which a later change of its figures keeps.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import sqlite_utils
from lxml import etree
from schwifty import BIC, IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    SchwiftyException,
)
from sepaxml import SepaTransfer

from . import clock
from .config import get_settings
from .dates import day_or_today
from .errors import InvalidInput, InvalidState, NotFound
from .files import read_given, write_private
from .i18n import N_, Localized
from .offboarding.state import refresh_status

SCHEMA = "pain.001.001.03"
PAIN_NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"}
IN_PAYMENT, PAID = "in_payment", "paid"
#: Why schwifty refused an IBAN, in words (its own messages repeat the IBAN).
_WHY = {
    InvalidChecksumDigits: N_("its check digits are wrong (a typing mistake?)"),
    InvalidLength: N_("it has the wrong number of characters for its country"),
    InvalidCountryCode: N_("it does not start with a known country code"),
}


def check_iban(iban: str, bic: str | None, freelancer_id: int) -> tuple[str, str | None]:
    """The IBAN (compact) and BIC (given, else the bank's when schwifty knows it), or one
    sentence naming the freelancer."""
    try:
        account = IBAN(iban)
    except SchwiftyException as exc:
        why = next((w for cls, w in _WHY.items() if isinstance(exc, cls)),
                   N_("it is not a valid IBAN"))  # fmt: skip
        raise InvalidInput("Freelancer #{id}: the IBAN is not valid: {why}.", field="iban",
                           id=freelancer_id, why=Localized(why)) from exc  # fmt: skip
    if bic:
        try:
            bank = BIC(bic)
        except SchwiftyException as exc:
            raise InvalidInput("Freelancer #{id}: the BIC is not valid (8 or 11 letters and "
                               "digits, such as AGRIFRPP).", field="bic",
                               id=freelancer_id) from exc  # fmt: skip
        return account.compact, bank.compact
    found = account.bic
    return account.compact, found.compact if found else None


def set_bank_details(
    db: sqlite_utils.Database, freelancer_id: int, iban: str, bic: str | None = None
) -> dict[str, Any]:
    """Record a freelancer's IBAN and BIC (checked first). Returns the country and whether a
    BIC is known, never the IBAN."""
    compact, bank = check_iban(iban, bic, freelancer_id)
    with db.atomic():
        if not db.execute("SELECT 1 FROM freelancers WHERE id = ?", [freelancer_id]).fetchone():
            raise NotFound("There is no freelancer #{id}.", id=freelancer_id)
        db["contacts"].upsert(
            {"freelancer_id": freelancer_id, "iban": compact, "bic": bank,
             "updated_at": clock.stamp()}, pk="freelancer_id",
        )  # fmt: skip
    return {"freelancer_id": freelancer_id, "country": compact[:2], "bic": bank}


def payable(db: sqlite_utils.Database, until: dt.date | str | None = None) -> list[dict[str, Any]]:
    """Approved invoices received on or before ``until`` (default today), not paid and in no
    transfer file yet, with their freelancer's bank details (personal: never print them)."""
    day = day_or_today(until).isoformat()
    return list(db.query(
        "SELECT i.id, i.mission_id, i.amount, i.amount_due_cents, i.invoice_number, "
        "i.received_at, f.id AS freelancer_id, f.name, c.iban, c.bic, p.name AS project "
        "FROM invoices i JOIN missions m ON m.id = i.mission_id "
        "JOIN freelancers f ON f.id = m.freelancer_id JOIN projects p ON p.id = m.project_id "
        "LEFT JOIN contacts c ON c.freelancer_id = f.id "
        "WHERE i.checked_at IS NOT NULL AND i.paid_at IS NULL AND i.payment_status IS NULL "
        "AND i.received_at <= ? ORDER BY i.received_at, i.id", [day],
    ))  # fmt: skip


def in_payment(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Invoices in a transfer file not confirmed paid yet, oldest first (no bank details)."""
    return list(db.query(
        "SELECT i.id, i.mission_id, i.amount, i.amount_due_cents, i.invoice_number, "
        "i.received_at, f.name, p.name AS project FROM invoices i "
        "JOIN missions m ON m.id = i.mission_id JOIN freelancers f ON f.id = m.freelancer_id "
        "JOIN projects p ON p.id = m.project_id WHERE i.payment_status = ? AND i.paid_at IS NULL "
        "ORDER BY i.received_at, i.id", [IN_PAYMENT],
    ))  # fmt: skip


def due_cents(row: dict[str, Any]) -> int:
    """What a transfer pays for an invoice: its net to pay, else its amount (in cents)."""
    return row["amount_due_cents"] or row["amount"] * 100


def new_transfer_path() -> Path:
    """Where the paperwork app writes a new transfer file: ``<FMS_DOCUMENTS_DIR>/sepa/``, a
    name of its own (the day, the time, a random tail: two files never collide), the folder
    made readable by its owner only (the files hold IBANs)."""
    folder = get_settings().documents_dir / "sepa"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"sepa-{clock.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}.xml"


def overdue(
    db: sqlite_utils.Database, today: dt.date | str | None = None, days: int | None = None
) -> list[dict[str, Any]]:
    """Invoices not paid (no ``paid_at``, in a transfer file or not) more than ``days`` (default
    ``FMS_INVOICE_PAYMENT_DAYS``) after their receipt, oldest first: ``{invoice_id, mission_id,
    project, invoice_number, amount, amount_due_cents, received_at, days, payment_status}``.
    Projects and mission numbers only: no freelancer's name, no bank details."""
    day = day_or_today(today)
    limit = get_settings().invoice_payment_days if days is None else days
    rows = db.query(
        "SELECT i.id AS invoice_id, i.mission_id, p.name AS project, i.invoice_number, "
        "i.amount, i.amount_due_cents, i.received_at, i.payment_status "
        "FROM invoices i JOIN missions m ON m.id = i.mission_id "
        "JOIN projects p ON p.id = m.project_id "
        "WHERE i.paid_at IS NULL AND substr(i.received_at, 1, 10) < ? "
        "ORDER BY i.received_at, i.id", [(day - dt.timedelta(days=limit)).isoformat()],
    )  # fmt: skip
    return [row | {"days": (day - dt.date.fromisoformat(row["received_at"][:10])).days}
            for row in rows]  # fmt: skip


def _agency() -> dict[str, Any]:
    settings = get_settings()
    if not (settings.agency_name and settings.agency_iban):
        raise InvalidInput("Set FMS_AGENCY_NAME and FMS_AGENCY_IBAN (and FMS_AGENCY_BIC), the "
                           "account the transfers are paid from.", field="agency_iban")  # fmt: skip
    try:
        iban = IBAN(settings.agency_iban)
        bic = BIC(settings.agency_bic) if settings.agency_bic else iban.bic
    except SchwiftyException as exc:
        raise InvalidInput("The setting FMS_AGENCY_IBAN or FMS_AGENCY_BIC is not valid.",
                           field="agency_iban") from exc  # fmt: skip
    config = {"name": settings.agency_name, "IBAN": iban.compact, "batch": True,
              "currency": "EUR"}  # fmt: skip
    if bic:
        config["BIC"] = bic.compact
    return config


def export_transfers(
    db: sqlite_utils.Database, out: str | Path, until: dt.date | str | None = None
) -> dict[str, Any]:
    """Write the SEPA transfer file of the payable invoices to ``out`` (readable by its owner
    only: it holds IBANs) and mark them in payment, in one transaction."""
    out = Path(out)
    if out.is_dir():
        raise InvalidInput("{path} is a folder: give a file name.", field="out", path=out)
    config = _agency()
    today = clock.today()
    with db.atomic():
        rows = payable(db, until)
        if not rows:
            raise InvalidState("No approved invoice is waiting for payment.")
        for row in rows:
            if not row["iban"]:
                raise InvalidInput("Freelancer #{id} ({name}) has no IBAN: record it in the "
                                   "paperwork app or with fms payments iban.", field="iban",
                                   id=row["freelancer_id"], name=row["name"])  # fmt: skip
        transfer = SepaTransfer(config, schema=SCHEMA, clean=True)
        for row in rows:
            payment = {
                "name": row["name"], "IBAN": row["iban"],
                "amount": due_cents(row),
                "execution_date": today, "endtoend_id": f"FMS-INV-{row['id']}",
                "description": f"{row['invoice_number'] or ''} {row['project']} "
                               f"mission {row['mission_id']}".strip(),
            }  # fmt: skip
            if row["bic"]:
                payment["BIC"] = row["bic"]
            transfer.add_payment(payment)
        xml = transfer.export(validate=True)
        for row in rows:
            db["invoices"].update(row["id"], {"payment_status": IN_PAYMENT,
                                              "payment_file": transfer.msg_id,
                                              "payment_ref": f"FMS-INV-{row['id']}"})  # fmt: skip
        write_private(out, xml)
    total = sum(due_cents(r) for r in rows)
    return {"file": str(out), "message_id": transfer.msg_id, "count": len(rows),
            "total_cents": total}  # fmt: skip


def confirm_transfers(
    db: sqlite_utils.Database, file: str | Path, on: dt.date | str | None = None
) -> dict[str, Any]:
    """:func:`confirm_transfer_data` with the transfer file read from ``file``
    (``fms payments confirm``)."""
    return confirm_transfer_data(db, read_given(file), Path(file).name, on)


def confirm_transfer_data(
    db: sqlite_utils.Database, data: bytes, name: str, on: dt.date | str | None = None
) -> dict[str, Any]:
    """Mark paid, on ``on`` (default today), the invoices of a transfer file that the bank
    executed (``data``, its bytes; ``name``, its file's name, for the messages); fills the
    checklist's "final invoice paid" of offboardings still open. The paperwork app's upload
    calls it with the bytes it received."""
    day = day_or_today(on).isoformat()
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InvalidInput("{name} is not a SEPA transfer file that can be read.", field="file",
                           name=name) from exc  # fmt: skip
    msg_id = root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=PAIN_NS)
    refs = [e.text for e in root.iterfind(".//p:PmtId/p:EndToEndId", namespaces=PAIN_NS)]
    stamp = clock.stamp()
    with db.atomic():
        rows = list(db.query(
            "SELECT i.id, i.mission_id, o.status AS offboarding FROM invoices i "
            "LEFT JOIN offboardings o ON o.mission_id = i.mission_id "
            "WHERE i.payment_file = ? AND i.payment_status = ?", [msg_id or "", IN_PAYMENT],
        ))  # fmt: skip
        rows = [r for r in rows if f"FMS-INV-{r['id']}" in refs]
        if not rows:
            raise InvalidInput("{name} holds no invoice waiting for payment (already confirmed, "
                               "or not exported by fmstoolkit).", field="file",
                               name=name)  # fmt: skip
        for row in rows:
            db["invoices"].update(row["id"], {"payment_status": PAID, "paid_at": day})
            if row["offboarding"] and row["offboarding"] != "closed":
                db["checklist_items"].upsert(
                    {"mission_id": row["mission_id"], "item": "invoice_paid", "status": "done",
                     "value": day, "updated_at": stamp}, pk=("mission_id", "item"),
                )  # fmt: skip
                refresh_status(db, row["mission_id"])
    return {"paid": len(rows), "on": day, "missions": [r["mission_id"] for r in rows]}
