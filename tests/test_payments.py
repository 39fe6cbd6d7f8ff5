"""Paying invoices by SEPA transfer: IBANs checked, the pain.001 file valid against the schema
sepaxml ships, invoices in payment then paid (the checklist's "final invoice paid"), and the
bank details erased by `privacy forget` and never published."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from click.testing import CliRunner
from offboarding_fixtures import make_mission
from paperwork_fixtures import facturx_pdf

from fmstoolkit import config, offboarding, payments, privacy, publish
from fmstoolkit.cli import cli
from fmstoolkit.offboarding.einvoice import add_invoice_file

IBAN = "FR7630006000011234567890189"
PRINTED = "FR76 3000 6000 0112 3456 7890 189"  # the same IBAN as on paper
AGENCY_IBAN = "DE89370400440532013000"
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(autouse=True)
def agency(monkeypatch):
    monkeypatch.setenv("FMS_AGENCY_NAME", "Agence Dupont")
    monkeypatch.setenv("FMS_AGENCY_IBAN", AGENCY_IBAN)
    config.reload_settings()


def _fms(runner, db_path, *args):
    return runner.invoke(cli, [*map(str, args), "--db", str(db_path)])


def _approved_invoice(db, tmp_path, name="Alice Martin", approve=True):
    m = make_mission(db, name=name)
    pdf = tmp_path / f"facture-{m['mission_id']}.pdf"
    pdf.write_bytes(facturx_pdf())
    add_invoice_file(db, m["mission_id"], pdf, approve=approve)
    return m


def test_the_sepa_file_is_valid_and_its_invoices_are_paid_once_confirmed(
    runner, db, db_path, tmp_path
):
    m = _approved_invoice(db, tmp_path)
    _approved_invoice(db, tmp_path, name="Bruno Petit", approve=False)  # not approved: unpaid
    assert _fms(runner, db_path, "payments", "iban", m["freelancer_id"], IBAN).exit_code == 0
    out = tmp_path / "virements.xml"
    result = _fms(runner, db_path, "payments", "export", "--out", out)
    assert result.exit_code == 0, result.output
    assert "1 transfers, 6000.00 € in all" in result.output  # the net to pay, VAT included
    xmlschema.XMLSchema(str(XSD)).validate(str(out))
    xml = out.read_text()
    assert IBAN in xml and AGENCY_IBAN in xml and "<InstdAmt Ccy=\"EUR\">6000.00" in xml
    assert "Bruno" not in xml
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it holds IBANs
    inv = offboarding.invoice(db, m["mission_id"])
    assert inv["payment_status"] == "in_payment" and inv["paid_at"] is None
    again = _fms(runner, db_path, "payments", "export", "--out", tmp_path / "again.xml")
    assert again.exit_code == 2
    assert again.output.strip() == "No approved invoice is waiting for payment."

    confirmed = _fms(runner, db_path, "payments", "confirm", out, "--on", "2026-11-27")
    assert confirmed.exit_code == 0, confirmed.output
    assert "1 invoices marked paid on 2026-11-27." in confirmed.output
    inv = offboarding.invoice(db, m["mission_id"])
    assert (inv["payment_status"], inv["paid_at"]) == ("paid", "2026-11-27")
    item = offboarding.checklist(db, m["mission_id"])["invoice_paid"]
    assert (item["status"], item["value"]) == ("done", "2026-11-27")
    twice = _fms(runner, db_path, "payments", "confirm", out)
    assert twice.exit_code == 2 and "holds no invoice waiting for payment" in twice.output


def test_a_file_that_is_not_a_transfer_file_is_refused_by_its_name(runner, db, db_path, tmp_path):
    m = _approved_invoice(db, tmp_path)
    payments.set_bank_details(db, m["freelancer_id"], IBAN)
    payments.export_transfers(db, tmp_path / "virements.xml")
    text = tmp_path / "relevé.txt"
    text.write_text("not XML")
    result = _fms(runner, db_path, "payments", "confirm", text)
    assert result.exit_code == 2
    assert result.output.strip() == "relevé.txt is not a SEPA transfer file that can be read."
    missing = _fms(runner, db_path, "payments", "confirm", tmp_path / "absent.xml")
    assert missing.exit_code == 2 and "cannot be read: check its name" in missing.output
    # The app hands the bytes it received: the same sentence, with the uploaded file's name.
    with pytest.raises(Exception, match="upload.xml is not a SEPA transfer file"):
        payments.confirm_transfer_data(db, b"<not-closed", "upload.xml")
    assert offboarding.invoice(db, m["mission_id"])["payment_status"] == "in_payment"


def test_until_leaves_later_invoices_for_the_next_file(db, tmp_path):
    m = _approved_invoice(db, tmp_path)
    payments.set_bank_details(db, m["freelancer_id"], IBAN)
    with pytest.raises(Exception, match="No approved invoice is waiting"):
        payments.export_transfers(db, tmp_path / "x.xml", until="2026-11-24")
    assert not (tmp_path / "x.xml").exists()
    assert payments.export_transfers(db, tmp_path / "x.xml", until="2026-11-25")["count"] == 1


@pytest.mark.parametrize(
    ("iban", "sentence"),
    [
        ("FR7630006000011234567890188",
         "Freelancer #1: the IBAN is not valid: its check digits are wrong (a typing mistake?)."),
        ("FR76300060000112", "Freelancer #1: the IBAN is not valid: it has the wrong number of "
                             "characters for its country."),
        ("hello", "Freelancer #1: the IBAN is not valid: it is not a valid IBAN."),
    ],
)  # fmt: skip
def test_a_wrong_iban_is_one_sentence_naming_the_freelancer(runner, db, db_path, iban, sentence):
    make_mission(db)
    result = _fms(runner, db_path, "payments", "iban", 1, iban)
    assert result.exit_code == 2
    assert result.output.strip() == sentence
    assert db.execute("SELECT iban FROM contacts").fetchall() in ([], [(None,)])


def test_a_wrong_bic_and_a_missing_iban_are_refused(runner, db, db_path, tmp_path):
    m = _approved_invoice(db, tmp_path)
    bad = _fms(runner, db_path, "payments", "iban", m["freelancer_id"], IBAN, "--bic", "AGRIFRP")
    assert bad.exit_code == 2 and "the BIC is not valid" in bad.output
    out = tmp_path / "v.xml"
    missing = _fms(runner, db_path, "payments", "export", "--out", out)
    assert missing.exit_code == 2
    assert missing.output.strip() == (
        f"Freelancer #{m['freelancer_id']} (Alice Martin) has no IBAN: record it in the "
        "paperwork app or with fms payments iban."
    )
    assert not out.exists()
    assert offboarding.invoice(db, m["mission_id"])["payment_status"] is None


def test_the_agency_account_is_required(runner, db, db_path, tmp_path, monkeypatch):
    monkeypatch.delenv("FMS_AGENCY_IBAN")
    config.reload_settings()
    result = _fms(runner, db_path, "payments", "export", "--out", tmp_path / "v.xml")
    assert result.exit_code == 2 and "Set FMS_AGENCY_NAME and FMS_AGENCY_IBAN" in result.output


def test_bank_details_are_never_published_and_forget_erases_them(runner, db, db_path, tmp_path):
    m = _approved_invoice(db, tmp_path)
    shown = _fms(runner, db_path, "payments", "iban", m["freelancer_id"], IBAN)
    assert shown.exit_code == 0, shown.output
    assert "account in FR" in shown.output and "3000" not in shown.output  # never printed back
    assert db.execute("SELECT iban, bic FROM contacts").fetchone() == (IBAN, "AGRIFRPPXXX")
    notes = tmp_path / "notes.db"
    publish.publish(db, out=notes)  # publishing reads no contact: the IBAN is nowhere in it
    assert IBAN.encode() not in notes.read_bytes()
    # a manager pasted it into a note: forget erases it there too
    db["notes"].insert({"mission_id": m["mission_id"], "author": "Claire", "quality": 4,
                        "communication": 4, "deadlines": 4, "autonomy": 4,
                        "would_rehire": "yes",
                        "text": f"Payée sur {IBAN}, RIB {PRINTED}."})  # fmt: skip
    db["missions"].update(m["mission_id"], {"status": "offboarded"})
    privacy.forget(db, m["freelancer_id"], republish=False)
    dump = "\n".join(db.conn.iterdump())
    assert IBAN not in dump and "FR76 3000" not in dump
    assert db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
    # the invoice stays (accounting), its file too
    inv = offboarding.invoice(db, m["mission_id"])
    assert inv["amount"] == 5000 and (config.get_settings().documents_dir / inv["file"]).exists()
