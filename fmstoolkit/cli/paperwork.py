"""``fms invoice add`` (the freelancer's invoice read from its file, Factur-X or plain PDF) and
``fms payments`` (IBANs, the SEPA transfer file, paid, unpaid too long)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import payments
from ..config import get_settings
from ..i18n import _, format_money, format_number
from ..offboarding.einvoice import add_invoice_file
from .common import DAY, ID, echo_json, json_option, with_db


@click.group("invoice")
def invoice_group() -> None:
    """The freelancer's invoice of a mission, read from its file."""


@invoice_group.command("add")
@click.argument("mission_id", type=ID)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--amount", type=click.IntRange(1, 10_000_000),
              help="Amount excluding VAT, in euros (needed for a plain PDF).")
@click.option("--due", type=click.FloatRange(0, 10_000_000, min_open=True),
              help="Net to pay, VAT included, in euros (default: the amount).")
@click.option("--rate", type=click.IntRange(1, 100_000), help="Daily rate on the invoice.")
@click.option("--days", type=click.FloatRange(0, 1000, min_open=True), help="Days billed.")
@click.option("--last-day", type=DAY, help="Last day billed (YYYY-MM-DD).")
@click.option("--approve", is_flag=True,
              help="Mark the invoice received and checked (it can then be paid).")
@json_option
@with_db
def invoice_add(db, mission_id, file, amount, due, rate, days, last_day, approve, as_json) -> None:
    """Record MISSION_ID's invoice from FILE: a Factur-X PDF fills the figures, a plain PDF is
    attached and its figures typed with the options."""
    typed = {"amount": amount, "daily_rate": rate, "days": days,
             "amount_due_cents": round(due * 100) if due else None,
             "last_billed_day": last_day.isoformat() if last_day else None}  # fmt: skip
    result = add_invoice_file(db, mission_id, file, typed, approve=approve)
    if as_json:
        echo_json(result)
        return
    inv, check = result["invoice"], result["check"]
    source = _("read from the Factur-X data") if inv["source"] == "facturx" else _("typed")
    click.echo(_("Invoice of mission #{id} recorded ({source}): {amount} for {days} days at "
                 "{rate}, expected {expected}.").format(
        id=mission_id, source=source, amount=format_money(inv["amount"]),
        days=format_number(inv["days"]) if inv["days"] else "?",
        rate=format_money(inv["daily_rate"]) if inv["daily_rate"] else "?",
        expected=format_money(check["expected_amount"])))  # fmt: skip
    for warning in check["warnings"]:
        click.echo(_("Warning: {warning}").format(warning=warning))


@click.group("payments")
def payments_group() -> None:
    """Paying freelancers' invoices by SEPA transfer: bank details, the file, paid."""


@payments_group.command("iban")
@click.argument("freelancer_id", type=ID)
@click.argument("iban")
@click.option("--bic", help="The bank's BIC (default: found from the IBAN when possible).")
@with_db
def payments_iban(db, freelancer_id, iban, bic) -> None:
    """Record FREELANCER_ID's IBAN (and BIC), checked first; it is never printed back."""
    result = payments.set_bank_details(db, freelancer_id, iban, bic)
    click.echo(_("Bank details of freelancer #{id} recorded (account in {country}).").format(
        id=freelancer_id, country=result["country"]))  # fmt: skip
    if not result["bic"]:
        click.echo(_("Warning: the bank's BIC is not known; give it with --bic."))


@payments_group.command("export")
@click.option("--until", type=DAY, help="Invoices received up to this day (default: today).")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="The SEPA file to write (pain.001 XML, to upload to the bank).")
@json_option
@with_db
def payments_export(db, until, out, as_json) -> None:
    """Write the SEPA transfer file of the approved, unpaid invoices and mark them in payment."""
    result = payments.export_transfers(db, out, until)
    if as_json:
        echo_json(result)
        return
    click.echo(_("{count} transfers, {total} € in all, written to {file}: upload it to the "
                 "bank, then run fms payments confirm.").format(
        count=result["count"], total=format_cents(result["total_cents"]),
        file=result["file"]))  # fmt: skip


@payments_group.command("confirm")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--on", type=DAY, help="The day the bank paid (default: today).")
@json_option
@with_db
def payments_confirm(db, file, on, as_json) -> None:
    """Mark the invoices of FILE paid (the checklist's "final invoice paid" is done)."""
    result = payments.confirm_transfers(db, file, on)
    if as_json:
        echo_json(result)
        return
    click.echo(_("{count} invoices marked paid on {day}.").format(
        count=result["paid"], day=result["on"]))  # fmt: skip


@payments_group.command("overdue")
@json_option
@with_db
def payments_overdue(db, as_json) -> None:
    """The invoices unpaid more than FMS_INVOICE_PAYMENT_DAYS (default 30) after their receipt,
    oldest first."""
    rows = payments.overdue(db)
    if as_json:
        echo_json(rows)
        return
    days = get_settings().invoice_payment_days
    if not rows:
        click.echo(_("No invoice is unpaid more than {days} days after its receipt.").format(
            days=days))  # fmt: skip
        return
    click.echo(_("Invoices unpaid more than {days} days after their receipt:").format(days=days))
    for row in rows:
        state = _(" (in a transfer file)") if row["payment_status"] == payments.IN_PAYMENT else ""
        click.echo(_("- mission #{id} ({project}), invoice {number}, {amount} € excluding VAT, "
                     "received on {day}, {n} days ago{state}").format(
            id=row["mission_id"], project=row["project"], number=row["invoice_number"] or "—",
            amount=row["amount"], day=row["received_at"][:10], n=row["days"],
            state=state))  # fmt: skip


def format_cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
