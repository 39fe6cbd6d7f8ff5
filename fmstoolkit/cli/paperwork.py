"""``fms invoice add``: the freelancer's invoice read from its file (Factur-X or plain PDF)."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _
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
@click.option("--rate", type=click.IntRange(1, 100_000), help="Daily rate on the invoice.")
@click.option("--days", type=click.FloatRange(0, 1000, min_open=True), help="Days billed.")
@click.option("--last-day", type=DAY, help="Last day billed (YYYY-MM-DD).")
@click.option("--approve", is_flag=True,
              help="Mark the invoice received and checked (it can then be paid).")
@json_option
@with_db
def invoice_add(db, mission_id, file, amount, rate, days, last_day, approve, as_json) -> None:
    """Record MISSION_ID's invoice from FILE: a Factur-X PDF fills the figures, a plain PDF is
    attached and its figures typed with the options."""
    typed = {"amount": amount, "daily_rate": rate, "days": days,
             "last_billed_day": last_day.isoformat() if last_day else None}  # fmt: skip
    result = add_invoice_file(db, mission_id, file, typed, approve=approve)
    if as_json:
        echo_json(result)
        return
    inv, check = result["invoice"], result["check"]
    source = _("read from the Factur-X data") if inv["source"] == "facturx" else _("typed")
    click.echo(_("Invoice of mission #{id} recorded ({source}): {amount} € for {days} days at "
                 "{rate} €, expected {expected} €.").format(
        id=mission_id, source=source, amount=inv["amount"], days=inv["days"] or "?",
        rate=inv["daily_rate"] or "?", expected=check["expected_amount"]))  # fmt: skip
    for warning in check["warnings"]:
        click.echo(_("Warning: {warning}").format(warning=warning))
