"""A mission's contract and NDA: PDFs made from the templates and read back (pypdf) with the
mission's values in French and English, sent as e-mail attachments through the outbox to a real
SMTP server (aiosmtpd), recorded signed with the copy sent back, warned about when a mission
starts soon without them, and what forgetting the freelancer does with them."""

from __future__ import annotations

import io
import json
import re
import stat

import pytest
from click.testing import CliRunner
from notify_fixtures import make_freelancer, outbox_text
from paperwork_fixtures import plain_pdf
from pypdf import PdfReader

from fmstoolkit import config, contracts, digest, offboarding, privacy
from fmstoolkit.actions.paperwork import send_documents
from fmstoolkit.cli import cli
from fmstoolkit.errors import InvalidInput, InvalidState
from fmstoolkit.notify import dispatcher, outbox, render
from fmstoolkit.notify.email import EmailChannel
from fmstoolkit.ui import home
from fmstoolkit.ui.offboarding import OffboardingWizard

#: The smtp fixture.
pytest_plugins = ["mail_fixtures"]


@pytest.fixture(autouse=True)
def agency(monkeypatch):
    monkeypatch.setenv("FMS_AGENCY_NAME", "Agence Lumen")
    config.reload_settings()


@pytest.fixture
def runner():
    return CliRunner()


def mission(db, fid=None, *, start="2026-12-07", end="2026-12-18", rate=550, status="planned",
            lang="fr", email="zoe@example.org", name="Zoé Durand") -> int:  # fmt: skip
    """A mission of 10 days at ``rate`` (project "Refonte site", client ACME, lead Claire)."""
    if fid is None:
        fid = make_freelancer(db, name, email=email, lang=lang)
    pid = db["projects"].lookup({"name": "Refonte site"}, {"client": "ACME", "lead_name": "Claire"})
    mid = db["missions"].insert({
        "freelancer_id": fid, "project_id": pid, "title": "Front-end", "start_date": start,
        "end_date": end, "days": 10, "daily_rate": rate, "status": status,
    }).last_pk  # fmt: skip
    db["deliverables"].insert({"mission_id": mid, "title": "Maquettes", "due_date": "2026-12-11"})
    return mid


def pdf_text(path) -> str:
    """The PDF's text, its spaces (narrow and no-break ones included) made plain single ones."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def cli_run(runner, db_path, *args):
    return runner.invoke(cli, [*map(str, args), "--db", str(db_path)])


# --- the PDF -------------------------------------------------------------------------------------


def test_the_contract_pdf_holds_the_missions_values_in_french_and_english(db):
    mid = mission(db)
    fr = contracts.draft(db, mid, "contract")  # the freelancer's language
    assert (fr["state"], fr["lang"]) == ("draft", "fr")
    path = contracts.path_of(fr["file"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = pdf_text(path)
    for value in ("Contrat de prestation de services", "Agence Lumen", "Zoé Durand",
                  "Refonte site", "ACME", "Front-end", "7 décembre 2026", "18 décembre 2026",
                  "10 jours ouvrés", "550 €", "5 500 €", "Maquettes", "Confidentialité",
                  "Fait le 25 novembre 2026", "lu et approuvé"):
        assert value in text, value  # fmt: skip
    en = contracts.draft(db, mid, "contract", "en")  # made again, in English
    assert en["id"] == fr["id"] and not path.exists()  # the draft it replaces is gone
    text = pdf_text(contracts.path_of(en["file"]))
    for value in ("Services agreement", "Zoé Durand", "7 December 2026", "18 December 2026",
                  "€550", "€5,500", "Maquettes (due 11 December 2026)"):
        assert value in text, value  # fmt: skip
    nda = pdf_text(contracts.path_of(contracts.draft(db, mid, "nda")["file"]))
    assert "Accord de confidentialité" in nda and "cinq ans après sa fin" in nda
    assert "du 7 décembre 2026 au 18 décembre 2026" in nda


def test_a_draft_made_again_follows_the_mission_and_a_sent_one_needs_replace(db, runner, db_path):
    mid = mission(db)
    contracts.draft(db, mid, "contract", "en")
    db["missions"].update(mid, {"daily_rate": 600})
    row = contracts.draft(db, mid, "contract", "en")
    assert "€600" in pdf_text(contracts.path_of(row["file"]))
    db["documents"].update(row["id"], {"state": "sent", "sent_at": "2026-11-20 09:00:00"})
    refused = cli_run(runner, db_path, "contracts", "draft", mid, "--kind", "contract")
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        f"The contract of mission #{mid} was already sent (2026-11-20 09:00:00): make it again "
        "with --replace to send the freelancer a new one."
    )
    again = cli_run(runner, db_path, "contracts", "draft", mid, "--kind", "contract",
                    "--replace", "--json")  # fmt: skip
    assert again.exit_code == 0, again.output
    (redone,) = json.loads(again.output)
    assert (redone["state"], redone["sent_at"]) == ("draft", None)


def test_the_agencys_own_template_is_used_and_a_broken_one_is_a_sentence(db, runner, db_path):
    mid = mission(db)
    copied = runner.invoke(cli, ["contracts", "templates", "--copy"])
    assert copied.exit_code == 0, copied.output
    folder = config.get_settings().documents_dir / "templates"
    assert f"Templates copied to {folder}:" in copied.output
    edited = folder / "nda.en.html"
    edited.write_text(edited.read_text().replace("<h2>3. Term</h2>",
                                                 "<h2>3. Term</h2><p>Clause Lumen 42.</p>"))
    row = contracts.draft(db, mid, "nda", "en")
    assert "Clause Lumen 42." in pdf_text(contracts.path_of(row["file"]))
    again = runner.invoke(cli, ["contracts", "templates", "--copy"])
    assert "Kept as they were (edited copies; --force overwrites them): " in again.output
    assert "Clause Lumen 42." in edited.read_text()
    edited.write_text("{% extends '_base.html' %}{% block content %}{{ mission.nope }}"
                      "{% endblock %}")  # fmt: skip
    broken = cli_run(runner, db_path, "contracts", "draft", mid, "--kind", "nda", "--lang", "en")
    assert broken.exit_code == 2
    assert broken.output.startswith("The template nda.en.html cannot be used: ")
    assert f"Correct it in {folder}." in broken.output
    assert contracts.document(db, mid, "nda")["file"] == row["file"]  # nothing changed


def test_bad_input_is_one_sentence_and_exit_2(db, runner, db_path, monkeypatch):
    mid = mission(db)
    unknown = cli_run(runner, db_path, "contracts", "draft", 999)
    assert (unknown.exit_code, unknown.output.strip()) == (2, "No mission #999.")
    telegram_only = mission(db, make_freelancer(db, "Marc Petit", email=None, chat_id=42))
    refused = cli_run(runner, db_path, "contracts", "send", telegram_only)
    assert refused.exit_code == 2
    assert refused.output.startswith(
        "Freelancer #2 (Marc Petit) has no e-mail address: a contract and an NDA are sent as "
        "e-mail attachments.")  # fmt: skip
    assert contracts.list_documents(db, telegram_only) == []
    monkeypatch.delenv("FMS_AGENCY_NAME")
    config.reload_settings()
    unnamed = cli_run(runner, db_path, "contracts", "draft", mid)
    assert unnamed.exit_code == 2
    assert unnamed.output.strip() == (
        "Set FMS_AGENCY_NAME: the agency's name is a party to the contract and the NDA."
    )
    assert list(config.get_settings().documents_dir.glob("*.pdf")) == []


# --- sending -------------------------------------------------------------------------------------


def test_contract_and_nda_go_as_pdf_attachments_and_become_sent(db, runner, db_path, smtp):
    mid = mission(db)
    queued = cli_run(runner, db_path, "contracts", "send", mid, "--json")
    assert queued.exit_code == 0, queued.output
    result = json.loads(queued.output)
    assert [d["state"] for d in result["documents"]] == ["draft", "draft"]  # not sent yet
    stored = outbox_text(db)
    assert "%PDF" not in stored and "zoe@example.org" not in stored  # a file reference only
    summary = dispatcher.drain(db, channels={"email": EmailChannel(), "telegram": None})
    assert summary["sent"] == 1
    (mail,) = smtp.messages
    assert mail["To"] == "zoe@example.org"
    assert mail["Subject"] == (
        "À signer : le contrat de prestation et l'accord de confidentialité pour Refonte site"
    )
    assert "du 7 décembre 2026 au 18 décembre 2026" in mail.get_body(("plain",)).get_content()
    files = {p.get_filename(): p.get_content() for p in mail.iter_attachments()}
    assert sorted(files) == [f"accord-confidentialite-{mid}.pdf", f"contrat-prestation-{mid}.pdf"]
    made = {d["kind"]: d for d in contracts.list_documents(db, mid)}
    assert files[f"contrat-prestation-{mid}.pdf"] == contracts.path_of(
        made["contract"]["file"]).read_bytes()  # fmt: skip
    assert "Zoé Durand" in pdf_text(io.BytesIO(files[f"contrat-prestation-{mid}.pdf"]))
    for row in made.values():
        assert (row["state"], row["message_status"]) == ("sent", "sent") and row["sent_at"]
    again = cli_run(runner, db_path, "contracts", "send", mid)
    assert again.exit_code == 2
    assert again.output.startswith(f"Nothing to send for mission #{mid}: ")


def test_a_draft_waiting_in_the_outbox_is_not_made_again_and_a_lost_file_is_dead(db):
    mid = mission(db)
    sent = send_documents(db, mid, ["nda"])
    with pytest.raises(InvalidState) as info:
        contracts.draft(db, mid, "nda")
    assert info.value.message() == (
        f"The NDA of mission #{mid} is waiting to be sent (message #{sent['message_id']}): "
        f"cancel that message first (fms outbox cancel {sent['message_id']})."
    )
    contracts.path_of(sent["documents"][0]["file"]).unlink()
    summary = dispatcher.drain(db, channels={"email": EmailChannel(), "telegram": None})
    assert summary["dead"] == 1
    msg = outbox.get(db, sent["message_id"])
    assert "is missing from FMS_DOCUMENTS_DIR" in msg["last_error"]
    assert contracts.document(db, mid, "nda")["state"] == "draft"


# --- signed --------------------------------------------------------------------------------------


def test_the_signed_copy_is_kept_and_a_wrong_file_refused(db, runner, db_path, tmp_path):
    mid = mission(db)
    scan = tmp_path / "nda-signe.pdf"
    scan.write_bytes(plain_pdf())
    text = tmp_path / "nda.txt"
    text.write_text("signé")
    wrong = cli_run(runner, db_path, "contracts", "signed", mid, text, "--kind", "nda")
    assert wrong.exit_code == 2
    assert wrong.output.strip() == (
        "nda.txt is not a PDF file: give the signed copy as a PDF (a scan or an electronically "
        "signed file)."
    )
    later = cli_run(runner, db_path, "contracts", "signed", mid, scan, "--kind", "nda",
                    "--on", "2026-12-01")  # fmt: skip
    assert later.exit_code == 2 and "is after today" in later.output
    assert contracts.document(db, mid, "nda") is None
    ok = cli_run(runner, db_path, "contracts", "signed", mid, scan, "--kind", "nda",
                 "--on", "2026-11-20", "--json")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    row = json.loads(ok.output)
    assert (row["state"], row["signed_at"], row["file"]) == ("signed", "2026-11-20", None)
    kept = contracts.path_of(row["signed_file"])
    assert kept.read_bytes() == scan.read_bytes() and stat.S_IMODE(kept.stat().st_mode) == 0o600
    twice = cli_run(runner, db_path, "contracts", "signed", mid, scan, "--kind", "nda")
    assert twice.exit_code == 2
    assert twice.output.strip() == f"The NDA of mission #{mid} is already recorded signed on " \
                                   "2026-11-20."  # fmt: skip
    listed = cli_run(runner, db_path, "contracts", "list", mid)
    assert "signed" in listed.output and row["signed_file"] in listed.output


# --- warnings ------------------------------------------------------------------------------------


def _sign(db, mid, kind, tmp_path):
    scan = tmp_path / f"{kind}-{mid}.pdf"
    scan.write_bytes(plain_pdf())
    contracts.record_signed(db, mid, kind, scan, "2026-11-24")


def test_due_lists_a_mission_starting_soon_without_its_signed_nda(db, runner, db_path, tmp_path):
    soon = mission(db, start="2026-11-28", end="2026-12-11")  # in 3 days
    _sign(db, soon, "contract", tmp_path)
    ready = mission(db, start="2026-11-28", end="2026-12-11", name="Marc Petit",
                    email="marc@example.org")  # fmt: skip
    _sign(db, ready, "contract", tmp_path)
    _sign(db, ready, "nda", tmp_path)
    later = mission(db, start="2026-12-15", end="2026-12-28", name="Léa Roux",
                    email="lea@example.org")  # fmt: skip
    result = cli_run(runner, db_path, "contracts", "due", "--json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert (row["mission_id"], row["days_left"], row["contract"], row["nda"], row["missing"]) == (
        soon, 3, "signed", None, ["nda"])  # fmt: skip
    wider = json.loads(cli_run(runner, db_path, "contracts", "due", "--days", "30", "--json")
                       .output)  # fmt: skip
    assert [r["mission_id"] for r in wider] == [soon, later]
    table = cli_run(runner, db_path, "contracts", "due")
    assert "Zoé Durand" in table.output and "Marc Petit" not in table.output
    # the manager's digest and the home app say the same
    data = digest.compute(db)
    assert [(c["mission_id"], c["missing"]) for c in data["contracts"]] == [(soon, "NDA")]
    text = render.render("manager_digest", "en", data | {"signature": "Agence Lumen"}).text
    assert "Missions starting soon without a signed contract or NDA:\n" in text
    assert f"- mission #{soon} (Refonte site), starts 28 November 2026: NDA not signed\n" in text
    page = home.home_html(db, "fr")
    assert "Contrats et NDA à signer" in page
    assert "Zoé Durand · Refonte site · commence le 28 novembre 2026 · non signé : NDA" in page


# --- offboarding and privacy ---------------------------------------------------------------------


def test_the_offboardings_confidentiality_item_shows_the_nda(db, runner, db_path, tmp_path):
    mid = mission(db, start="2026-11-02", end="2026-11-13", status="active")
    wizard = OffboardingWizard(db, mid, "fr")
    assert "Aucun NDA signé pour cette mission." in wizard.nda_note.value
    _sign(db, mid, "nda", tmp_path)
    name = contracts.document(db, mid, "nda")["signed_file"]
    wizard = OffboardingWizard(db, mid, "fr")
    assert f"NDA signé le 24 novembre 2026 ({name})." in wizard.nda_note.value
    assert f"NDA signé le 24 novembre 2026 ({name})." in wizard.summary_html()
    shown = cli_run(runner, db_path, "offboarding", "show", mid)
    assert f"confidentiality: NDA signed on 24 November 2026 ({name}).\n" in shown.output
    assert offboarding.get_offboarding(db, mid)["nda"]["signed_at"] == "2026-11-24"


def test_forget_deletes_unsigned_documents_and_keeps_the_signed_copy(db, tmp_path):
    mid = mission(db, start="2026-10-05", end="2026-10-16", status="offboarded")
    fid = db["missions"].get(mid)["freelancer_id"]
    draft = contracts.draft(db, mid, "contract")
    nda = contracts.draft(db, mid, "nda")
    _sign(db, mid, "nda", tmp_path)
    signed = contracts.document(db, mid, "nda")
    erased = privacy.forget(db, fid, republish=False)
    assert (erased["documents_deleted"], erased["documents_kept_signed"]) == (1, 1)
    assert contracts.document(db, mid, "contract") is None
    assert not contracts.path_of(draft["file"]).exists()
    kept = contracts.document(db, mid, "nda")
    assert (kept["state"], kept["file"], kept["signed_file"]) == ("signed", None,
                                                                  signed["signed_file"])
    assert not contracts.path_of(nda["file"]).exists()  # the PDF made with their name
    assert contracts.path_of(signed["signed_file"]).exists()  # the legal record stays


def test_an_unknown_kind_is_refused_in_python_too(db):
    with pytest.raises(InvalidInput) as info:
        contracts.draft(db, mission(db), "lease")
    assert info.value.message() == "Unknown kind of document lease: use contract or nda."
