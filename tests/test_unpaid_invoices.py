"""Invoices unpaid more than FMS_INVOICE_PAYMENT_DAYS (default 30) after their receipt are
flagged: in `fms payments overdue`, in the manager's digest (projects and mission numbers, never
a freelancer) and in the home app, with a link to the offboarding app. The clock is frozen:
an invoice received 31 days ago is flagged, 30 or 29 days ago is not, a paid one never."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from click.testing import CliRunner
from conftest import FROZEN_NOW
from offboarding_fixtures import make_mission
from paperwork_fixtures import facturx_pdf, plain_pdf

from fmstoolkit import config, payments
from fmstoolkit.actions import manager
from fmstoolkit.cli import cli
from fmstoolkit.i18n import format_money
from fmstoolkit.notify import outbox
from fmstoolkit.offboarding.einvoice import add_invoice_document
from fmstoolkit.ui.home import home_html

IBAN = "FR7630006000011234567890189"


@pytest.fixture
def settings(monkeypatch):
    """The manager reachable by e-mail, the digest due from midnight, the agency's account."""
    monkeypatch.setenv("FMS_MANAGER_EMAIL", "boss@agency.example")
    monkeypatch.setenv("FMS_DIGEST_HOUR", "0")
    monkeypatch.setenv("FMS_AGENCY_NAME", "Agence Dupont")
    monkeypatch.setenv("FMS_AGENCY_IBAN", "DE89370400440532013000")
    config.reload_settings()


def received(db, frozen_clock, days_ago: int, *, name: str, project: str, number=None,
             approve: bool = False) -> dict:
    """A mission whose freelancer's invoice was recorded ``days_ago`` days ago (a Factur-X file
    when it has a number, else a plain PDF with its amount typed), the mission since offboarded
    (so that no other list of the digest names it)."""
    m = make_mission(db, name=name, project=project)
    frozen_clock.move_to(FROZEN_NOW - dt.timedelta(days=days_ago))
    pdf = facturx_pdf(number=number) if number else plain_pdf()
    add_invoice_document(db, m["mission_id"], pdf, "facture.pdf", {"amount": 5000},
                         approve=approve)  # fmt: skip
    frozen_clock.move_to(FROZEN_NOW)
    db.execute("UPDATE missions SET status = 'offboarded' WHERE id = ?", [m["mission_id"]])
    return m


@pytest.fixture
def invoices(db, frozen_clock, settings):
    """Received 31 (a Factur-X one), 30, 29 and 45 days ago; the last one approved and put in a
    SEPA transfer file (in payment, not paid yet)."""
    late = received(db, frozen_clock, 31, name="Alice Martin", project="Refonte site",
                    number="F-2026-031")  # fmt: skip
    edge = received(db, frozen_clock, 30, name="Bruno Petit", project="Appli mobile")
    recent = received(db, frozen_clock, 29, name="Chloé Roux", project="Intranet")
    paying = received(db, frozen_clock, 45, name="Denis Blanc", project="Boutique",
                      number="F-2026-045", approve=True)  # fmt: skip
    payments.set_bank_details(db, paying["freelancer_id"], IBAN)
    return {"late": late, "edge": edge, "recent": recent, "paying": paying}


def test_unpaid_more_than_30_days_after_receipt_is_flagged(db, invoices, tmp_path, monkeypatch):
    late, paying = invoices["late"]["mission_id"], invoices["paying"]["mission_id"]
    rows = payments.overdue(db)
    assert [(r["mission_id"], r["days"]) for r in rows] == [(paying, 45), (late, 31)]
    assert rows[1]["invoice_number"] == "F-2026-031" and rows[1]["project"] == "Refonte site"
    assert not {"name", "iban", "bic", "freelancer_id"} & set(rows[0])  # no personal data
    # in a transfer file, still unpaid: still flagged; once the bank paid it, no longer
    exported = payments.export_transfers(db, tmp_path / "virements.xml")
    assert payments.overdue(db)[0]["payment_status"] == payments.IN_PAYMENT
    payments.confirm_transfers(db, exported["file"])
    assert [r["mission_id"] for r in payments.overdue(db)] == [late]
    # the limit is a setting
    monkeypatch.setenv("FMS_INVOICE_PAYMENT_DAYS", "28")
    config.reload_settings()
    assert len(payments.overdue(db)) == 3


def test_fms_payments_overdue(db, db_path, invoices):
    runner = CliRunner()
    result = runner.invoke(cli, ["payments", "overdue", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "Invoices unpaid more than 30 days after their receipt:"
    assert lines[1] == (f"- mission #{invoices['paying']['mission_id']} (Boutique), invoice "
                        "F-2026-045, 5000 € excluding VAT, received on 2026-10-11, 45 days ago")
    assert lines[2].endswith("received on 2026-10-25, 31 days ago") and len(lines) == 3
    data = json.loads(runner.invoke(cli, ["payments", "overdue", "--json", "--db",
                                          str(db_path)]).output)  # fmt: skip
    assert [r["days"] for r in data] == [45, 31]
    assert "Denis" not in result.output and "Alice" not in result.output


def test_nothing_overdue_says_so(db, db_path, settings):
    result = CliRunner().invoke(cli, ["payments", "overdue", "--db", str(db_path)])
    assert result.output.strip() == "No invoice is unpaid more than 30 days after its receipt."


def test_the_digest_lists_the_unpaid_invoices_by_mission_never_by_freelancer(db, invoices):
    digest_id = manager.queue_digest(db)
    assert digest_id is not None  # nothing else to say: the unpaid invoices make the digest
    msg = outbox.get(db, digest_id)
    body = msg["body"]
    assert "Invoices unpaid more than 30 days after their receipt:\n" in body
    assert (f"- mission #{invoices['paying']['mission_id']} (Boutique), invoice F-2026-045, "
            "€5,000, received 45 days ago\n") in body
    assert f"- mission #{invoices['late']['mission_id']} (Refonte site), invoice F-2026-031" in body
    assert "Appli mobile" not in body and "Intranet" not in body  # 30 and 29 days: not yet
    for name in ("Alice", "Martin", "Denis", "Blanc", IBAN[:8]):
        assert name not in body + msg["html"] + msg["payload"]["telegram"]
    assert "received 31 days ago" in msg["payload"]["telegram"]


def test_the_digest_is_skipped_when_every_invoice_is_paid_in_time(db, frozen_clock, settings):
    received(db, frozen_clock, 29, name="Chloé Roux", project="Intranet")
    assert manager.queue_digest(db) is None


def test_the_home_app_flags_them_with_a_link_to_the_offboarding_app(db, invoices):
    page = home_html(db, "fr")
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "Factures impayées plus de 30 jours après leur réception" in text
    assert (f"Mission n° {invoices['late']['mission_id']} · Refonte site · facture F-2026-031 · "
            f"{format_money(5000, 'fr')} · reçue il y a 31 jours") in text
    assert "Appli mobile" not in text and "Intranet" not in text
    section = page[page.index("Factures impayées"):]
    assert 'href="http://' in section[:section.index("</div>")]
    assert "offboarding" in section[:section.index("</div>")]
    empty = home_html(db, "fr", limit=0)
    assert "… +2" in empty  # more than shown: counted
