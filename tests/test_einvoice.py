"""The freelancer's invoice read from its file: a Factur-X invoice built here is read back into
the offboarding's invoice check; a plain PDF is attached with typed figures; a wrong file is
one sentence and writes nothing."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner
from offboarding_fixtures import make_mission
from paperwork_fixtures import facturx_pdf, plain_pdf

from fmstoolkit import config, offboarding
from fmstoolkit.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


def _add(runner, db_path, *args):
    return runner.invoke(cli, ["invoice", "add", *map(str, args), "--db", str(db_path)])


def test_a_facturx_invoice_fills_the_invoice_check(runner, db, db_path, tmp_path):
    m = make_mission(db)
    pdf = tmp_path / "facture.pdf"
    pdf.write_bytes(facturx_pdf(rate=500, days=10))
    result = _add(runner, db_path, m["mission_id"], pdf, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    inv = data["invoice"]
    assert (inv["amount"], inv["daily_rate"], inv["days"]) == (5000, 500, 10.0)
    assert (inv["period_start"], inv["period_end"]) == ("2026-03-02", "2026-03-13")
    assert inv["last_billed_day"] == "2026-03-13"
    assert (inv["seller_siret"], inv["seller_vat"]) == ("73282932000074", "FR44732829320")
    assert inv["invoice_number"] == "F-2026-014" and inv["source"] == "facturx"
    assert inv["amount_due_cents"] == 600000  # the net to pay, VAT included
    assert data["check"]["warnings"] == []
    # the offboarding shows the same invoice; the file is kept, readable by its owner only
    shown = offboarding.get_offboarding(db, m["mission_id"])
    assert shown["invoice"]["amount"] == 5000
    kept = config.get_settings().documents_dir / inv["file"]
    assert kept.read_bytes() == pdf.read_bytes()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_the_check_warns_on_a_facturx_invoice_that_bills_too_much(runner, db, db_path, tmp_path):
    m = make_mission(db)
    pdf = tmp_path / "facture.pdf"
    pdf.write_bytes(facturx_pdf(rate=550, days=11, end="20260316"))
    result = _add(runner, db_path, m["mission_id"], pdf)
    assert result.exit_code == 0, result.output
    assert "€6,050 for 11 days at €550, expected €5,000" in result.output
    assert "daily rate (€550) differs from the agreed one (€500)" in result.output
    assert "bills days up to 16 March 2026, after the mission's end on 13 March" in result.output
    assert "amount (€6,050) differs from the expected €5,000" in result.output


def test_a_plain_pdf_is_attached_and_its_figures_typed(runner, db, db_path, tmp_path):
    m = make_mission(db)
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(plain_pdf())
    refused = _add(runner, db_path, m["mission_id"], pdf)
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        "scan.pdf is a plain PDF with no Factur-X data: type its figures (at least the amount)."
    )
    assert offboarding.invoice(db, m["mission_id"]) is None
    result = _add(runner, db_path, m["mission_id"], pdf, "--amount", 5000, "--rate", 500,
                  "--due", "6000.50", "--approve", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    inv = json.loads(result.output)["invoice"]
    assert (inv["amount"], inv["source"], inv["checked_at"]) == (5000, "typed", "2026-11-25")
    assert inv["amount_due_cents"] == 600050
    assert offboarding.checklist(db, m["mission_id"])["invoice_received"]["status"] == "done"


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (b"Amount: 5000 EUR\n", "notes.pdf is not a PDF file"),
        (b"%PDF-1.7\n garbage", "notes.pdf is a damaged PDF file: it cannot be read."),
    ],
)
def test_a_wrong_file_is_one_sentence_and_nothing_is_written(
    runner, db, db_path, tmp_path, content, sentence
):
    m = make_mission(db)
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(content)
    result = _add(runner, db_path, m["mission_id"], bad)
    assert result.exit_code == 2
    assert sentence in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert offboarding.invoice(db, m["mission_id"]) is None
    folder = config.get_settings().documents_dir
    assert not folder.exists() or not any(folder.iterdir())


def test_a_missing_file_and_a_closed_offboarding_are_refused(runner, db, db_path, tmp_path):
    m = make_mission(db, status="offboarded")
    missing = _add(runner, db_path, m["mission_id"], tmp_path / "none.pdf")
    assert missing.exit_code == 2 and "cannot be read" in missing.output
    pdf = tmp_path / "facture.pdf"
    pdf.write_bytes(facturx_pdf())
    closed = _add(runner, db_path, m["mission_id"], pdf)
    assert closed.exit_code == 2
    assert "it can no longer be changed" in closed.output
    assert not any(config.get_settings().documents_dir.iterdir())
