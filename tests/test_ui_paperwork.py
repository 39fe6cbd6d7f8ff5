"""The paperwork app driven from Python, as a manager clicks through it: a mission's contract and
NDA prepared (the PDF read back), sent (the e-mail in the outbox, then delivered by a real SMTP
server), recorded signed with an uploaded PDF; the invoices to pay, the SEPA file exported
(valid pain.001, offered as a download link that goes away) and confirmed paid; each refusal
beside the button pressed; a French screen with no English word nor raw value."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import stat
from pathlib import Path

import ipywidgets as w
import pytest
import sepaxml
import xmlschema
from notify_fixtures import make_freelancer
from offboarding_fixtures import make_mission
from paperwork_fixtures import facturx_pdf, plain_pdf
from pypdf import PdfReader

from fmstoolkit import apps_server, config, contracts, offboarding, payments
from fmstoolkit.notify import dispatcher
from fmstoolkit.notify.email import EmailChannel
from fmstoolkit.offboarding.einvoice import add_invoice_document
from fmstoolkit.ui import home
from fmstoolkit.ui.forms import ERROR_STYLE, WARNING_STYLE
from fmstoolkit.ui.paperwork import PaperworkApp, paperwork_app

pytest_plugins = ["mail_fixtures"]

IBAN = "FR7630006000011234567890189"
AGENCY_IBAN = "DE89370400440532013000"
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"


@pytest.fixture(autouse=True)
def agency(monkeypatch):
    monkeypatch.setenv("FMS_AGENCY_NAME", "Agence Lumen")
    monkeypatch.setenv("FMS_AGENCY_IBAN", AGENCY_IBAN)
    config.reload_settings()


def mission(db, *, start="2026-11-28", end="2026-12-11", email="zoe@example.org",
            name="Zoé Durand") -> int:  # fmt: skip
    """A mission of 10 days starting 3 days after the frozen today (within the warning)."""
    fid = make_freelancer(db, name, email=email, lang="fr")
    pid = db["projects"].lookup({"name": "Refonte site"}, {"client": "ACME", "lead_name": "Claire"})
    return db["missions"].insert({
        "freelancer_id": fid, "project_id": pid, "title": "Front-end", "start_date": start,
        "end_date": end, "days": 10, "daily_rate": 550, "status": "planned",
    }).last_pk  # fmt: skip


def upload(widget: w.FileUpload, content: bytes, name: str) -> None:
    """Give the upload widget a file, as the browser does."""
    widget.value = ({"name": name, "type": "application/octet-stream", "size": len(content),
                     "content": memoryview(content),
                     "last_modified": dt.datetime.now(dt.UTC)},)  # fmt: skip


def text_of(widget) -> str:
    """Everything a widget tree shows: HTML, descriptions, options, placeholders."""
    parts = []
    if isinstance(widget, w.HTML):
        parts.append(html.unescape(re.sub(r"<[^>]+>", " ", widget.value)))
    for attr in ("description", "placeholder"):
        parts.append(str(getattr(widget, attr, "") or ""))
    if isinstance(widget, w.Dropdown | w.Combobox):
        parts += [o[0] if isinstance(o, tuple) else o for o in widget.options]
    for child in getattr(widget, "children", ()):
        parts.append(text_of(child))
    return " ".join(parts)


def link_bytes(html_value: str) -> bytes:
    (href,) = re.findall(r'href="data:[^;]+;base64,([^"]+)"', html_value)
    return base64.b64decode(href)


# --- contracts and NDAs --------------------------------------------------------------------------


def test_prepare_send_and_record_signed_from_the_app(db, smtp, tmp_path):
    mid = mission(db)
    app = PaperworkApp(db, "fr")
    panel = app.contracts
    # the mission starting soon is at the top, in the warnings' colour, and already chosen
    assert "Zoé Durand · Refonte site · commence le 28 novembre 2026" in panel.due.value
    assert WARNING_STYLE in panel.due.value
    assert panel.mission_id() == mid
    assert "Contrat : pas encore préparé" in text_of(panel.documents)

    assert panel.prepare() is True
    assert "Préparés : contrat, NDA de la mission n° " in text_of(panel.prepare_message)
    row = contracts.document(db, mid, "contract")
    path = contracts.path_of(row["file"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Agence Lumen" in text and "Zoé Durand" in text
    shown = text_of(panel.documents)
    assert "Contrat : Préparé, pas envoyé · préparé le 25 novembre 2026" in shown
    assert link_bytes(panel.documents.value.split("NDA :")[0]) == path.read_bytes()
    assert f'download="contrat-prestation-{mid}.pdf"' in panel.documents.value

    assert panel.send() is True
    (message,) = db.query("SELECT id, kind, status FROM outbox")
    assert (message["kind"], message["status"]) == ("contract", "pending")
    assert contracts.document(db, mid, "nda")["outbox_id"] == message["id"]
    said = text_of(panel.send_message)
    assert f"En file d'attente (message n° {message['id']})" in said
    assert "l'assistant" in said and "5 secondes" in said
    assert f"son e-mail attend dans l'outbox (message n° {message['id']})" in text_of(
        panel.documents)
    # the outbox sends it (the assistant, or "Send now"): the app then says sent
    dispatcher.drain(db, channels={"email": EmailChannel(), "telegram": None})
    assert len(smtp.messages) == 1
    panel.refresh()
    assert "Contrat : Envoyé, pas encore signé · envoyé le 25 novembre 2026" in text_of(
        panel.documents)

    panel.signed_kind.value = "contract"
    panel.signed_on.value = dt.date(2026, 11, 24)
    upload(panel.upload, plain_pdf(), "contrat-signé.pdf")
    assert panel.upload.value == ()  # the bytes left the widget state at once
    assert "contrat-signé.pdf" in panel.upload_status.value
    assert panel.record_signed() is True
    assert "Contrat de la mission n° " in text_of(panel.record_message)
    assert "signé le 24 novembre 2026" in text_of(panel.record_message)
    signed = contracts.document(db, mid, "contract")
    assert (signed["state"], signed["signed_at"]) == ("signed", "2026-11-24")
    assert contracts.path_of(signed["signed_file"]).read_bytes() == plain_pdf()
    assert "Contrat : Signé" in text_of(panel.documents)
    # still missing: the NDA, so the mission stays at the top
    assert "non signé : NDA" in panel.due.value


def test_each_refusal_is_said_beside_the_button_pressed(db, monkeypatch):
    mid = mission(db)
    nomail = mission(db, email=None, name="Marc Petit", start="2026-12-14", end="2026-12-25")
    monkeypatch.delenv("FMS_AGENCY_NAME")
    config.reload_settings()
    panel = PaperworkApp(db, "fr").contracts
    assert panel.prepare() is False
    assert ERROR_STYLE in panel.prepare_message.value
    assert "FMS_AGENCY_NAME" in panel.prepare_message.value
    assert panel.send_message.value == panel.record_message.value == ""
    assert contracts.document(db, mid, "contract") is None  # nothing written

    monkeypatch.setenv("FMS_AGENCY_NAME", "Agence Lumen")
    config.reload_settings()
    panel.pick(nomail)
    assert panel.send() is False
    assert "n'a pas d'adresse e-mail" in text_of(panel.send_message)
    assert panel.prepare_message.value == ""

    assert panel.record_signed() is False  # no file given yet
    assert "Donnez d'abord la copie signée" in text_of(panel.record_message)
    upload(panel.upload, b"not a pdf at all", "scan.png")
    assert panel.record_signed() is False
    assert "scan.png n'est pas un fichier PDF" in text_of(panel.record_message)
    assert contracts.document(db, nomail, "contract") is None

    panel.picker.value = "no such mission"
    assert panel.prepare() is False
    assert "Choisissez une mission dans la liste" in panel.picker_message.value


# --- payments ------------------------------------------------------------------------------------


@pytest.fixture
def approved(db, frozen_clock):
    """An approved Factur-X invoice of Alice Martin received 31 days ago (overdue), and one of
    Bruno Petit not approved."""
    m = make_mission(db, name="Alice Martin")
    frozen_clock.shift(dt.timedelta(days=-31))
    add_invoice_document(db, m["mission_id"], facturx_pdf(), "facture.pdf", approve=True)
    frozen_clock.shift(dt.timedelta(days=31))
    other = make_mission(db, name="Bruno Petit")
    add_invoice_document(db, other["mission_id"], facturx_pdf(number="F-2"), "f.pdf")
    return m


def test_export_the_sepa_file_download_it_and_confirm_it_paid(db, approved, tmp_path):
    panel = PaperworkApp(db, "fr").payments
    shown = text_of(panel.lists)
    assert f"Mission n° {approved['mission_id']} · Alice Martin · " in shown
    assert "6\u202f000,00\xa0€" in shown  # the net to pay, VAT included
    assert "impayée 31 jours après sa réception" in shown
    assert "aucun IBAN enregistré" in shown and WARNING_STYLE in panel.lists.value
    assert "Bruno Petit" not in shown.split("Factures impayées")[0]  # not approved

    assert panel.export() is False  # no IBAN yet: the library's sentence, nothing marked
    assert "n'a pas d'IBAN : enregistrez-le dans l'appli documents et paiements" in text_of(
        panel.export_message)
    assert offboarding.invoice(db, approved["mission_id"])["payment_status"] is None

    panel.freelancer.value = approved["freelancer_id"]
    panel.iban.value = IBAN
    assert panel.record_iban() is True
    assert panel.iban.value == ""  # the IBAN leaves the page at once
    assert "compte en FR" in panel.iban_message.value

    assert panel.export() is True
    files = list((config.get_settings().documents_dir / "sepa").glob("*.xml"))
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    xmlschema.XMLSchema(str(XSD)).validate(str(files[0]))
    assert "1 virement, 6\u202f000,00\xa0€ au total" in panel.export_message.value
    assert link_bytes(panel.link.value) == files[0].read_bytes()
    assert 'download="virements-2026-11-25.xml"' in panel.link.value
    assert "IBAN des freelances" in panel.link.value
    inv = offboarding.invoice(db, approved["mission_id"])
    assert inv["payment_status"] == "in_payment"
    assert "Dans un fichier de virements, en attente de la banque" in text_of(panel.lists)

    upload(panel.upload, files[0].read_bytes(), "virements-2026-11-25.xml")
    assert panel.upload.value == ()
    assert panel.link.value == ""  # the next action took the link away
    panel.paid_on.value = dt.date(2026, 11, 27)
    assert panel.confirm() is True
    assert "1 facture marquée payée le 27 novembre 2026." in panel.confirm_message.value
    inv = offboarding.invoice(db, approved["mission_id"])
    assert (inv["payment_status"], inv["paid_at"]) == ("paid", "2026-11-27")
    assert panel.confirm() is False  # the file is gone from the panel once confirmed
    upload(panel.upload, files[0].read_bytes(), "virements-2026-11-25.xml")
    assert panel.confirm() is False
    assert "ne contient aucune facture en attente" in panel.confirm_message.value
    # no IBAN anywhere on screen, ever (the link, its content, is gone)
    assert IBAN not in text_of(panel) and IBAN not in panel.lists.value


def test_the_download_link_goes_away_at_the_next_action(db, approved):
    payments.set_bank_details(db, approved["freelancer_id"], IBAN)
    panel = PaperworkApp(db, "fr").payments
    assert panel.export() is True and panel.link.value
    assert "Le lien disparaît à votre prochaine action" in text_of(panel.link)
    panel.confirm()  # the next action (here refused: no file given)
    assert panel.link.value == ""


def test_the_agency_account_is_named_beside_the_export_button(db, approved, monkeypatch):
    payments.set_bank_details(db, approved["freelancer_id"], IBAN)
    monkeypatch.delenv("FMS_AGENCY_IBAN")
    config.reload_settings()
    panel = paperwork_app(db, "fr").payments
    assert panel.export() is False
    assert ERROR_STYLE in panel.export_message.value
    assert "FMS_AGENCY_IBAN" in panel.export_message.value
    assert panel.link.value == "" and panel.confirm_message.value == ""
    upload(panel.upload, b"<not xml", "banque.xml")
    assert panel.confirm() is False
    assert "banque.xml n'est pas un fichier de virements SEPA lisible" in text_of(
        panel.confirm_message)


# --- one language on screen, and the home app's links -------------------------------------------


def test_a_french_screen_has_no_english_word_nor_raw_value(db, approved):
    mid = mission(db)
    app = PaperworkApp(db, "fr")
    app.contracts.prepare()
    app.contracts.send()
    payments.set_bank_details(db, approved["freelancer_id"], IBAN)
    app.payments.refresh()
    app.payments.export()
    text = text_of(app)
    raw = re.compile(r"\b(draft|sent|signed|in_payment|paid|pending|contract|None|Mission #|"
                     r"invoice|Prepare|Send|Record|Download|English|days|ago)\b")
    assert raw.findall(text) == []
    assert "Préparer" in text and "Envoyer" in text and "Anglais" in text
    assert f"Documents de la mission n° {mid}" in text


def test_the_home_app_links_contracts_and_unpaid_invoices_to_the_paperwork_app(db, approved):
    mission(db)
    page = home.home_html(db, "fr")
    url = apps_server.app_url("paperwork")
    for title in ("Contrats et NDA à signer", "Factures impayées"):
        section = page[page.index(title):]
        assert f'href="{url}"' in section[:section.index("</div>")]
    assert "fms contracts" not in page
    assert "Ouvrir l'appli documents et paiements" in html.unescape(page)
