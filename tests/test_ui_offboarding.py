"""The offboarding notebook app driven from Python, as a manager would click through it."""

import datetime as dt
import html
import re
import stat

import plotly.graph_objects as go
import pytest
from offboarding_fixtures import FEEDBACK, NOTE, RECOMMENDATION, full_checklist, make_mission
from paperwork_fixtures import facturx_pdf, plain_pdf

from fmstoolkit import clock, config, offboarding, pool
from fmstoolkit.ui.forms import ERROR_STYLE
from fmstoolkit.ui.offboarding import (
    WARNING_STYLE,
    OffboardingApp,
    OffboardingWizard,
    offboarding_app,
    themes_html,
    trends_figure,
)


@pytest.fixture
def ended(db):
    end = clock.days_from_today(-3).isoformat()
    start = clock.days_from_today(-40).isoformat()
    return make_mission(db, start=start, end=end)


def test_the_picker_lists_due_missions_oldest_first(db, ended):
    later_end = clock.days_from_today(10).isoformat()
    make_mission(db, name="Bruno", start="2026-01-05", end=later_end)
    app = OffboardingApp(db, within=30)
    labels = [label for label, _ in app.picker.options]
    assert len(labels) == 2
    assert "Alice Martin" in labels[0] and "11 to do" in labels[0]
    assert app.picker.value == ended["mission_id"]
    assert OffboardingApp(db, within=0).picker.options[0][1] == ended["mission_id"]


def test_nothing_due_says_so(db):
    app = OffboardingApp(db)
    assert app.picker.options == () and app.start_button.disabled
    assert "No mission to offboard" in app.info.value


def test_the_wizard_walks_through_every_step_and_closes(db, ended):
    app = OffboardingApp(db)
    wizard = app.start()
    assert wizard.step_label.value == "Step 1/5: End-of-mission checklist"
    assert wizard.progress.value == 0 and wizard.back_button.disabled

    checklist = wizard.current
    checklist.controls["objectives"].value = "no"
    assert wizard.next() is False  # a comment is needed
    assert "what was not met" in checklist.errors()["objectives_comment"]
    checklist.set_values(
        full_checklist(ended["deliverables"], invoice_daily_rate=550, invoice_amount=9999)
    )
    assert wizard.next() is True
    # the invoice check warns but does not block
    assert "differs from the agreed one" in wizard.message.value
    assert wizard.step_label.value == "Step 2/5: Feedback interview"
    assert wizard.progress.value == 1
    assert offboarding.get_offboarding(db, ended["mission_id"])["status"] == "checklist_done"

    wizard.next_button.click()  # nothing typed: errors beside the ratings
    assert set(wizard.current.errors()) == {"onboarding", "integration", "clarity"}
    wizard.current.set_values(FEEDBACK)
    wizard.next_button.click()
    assert wizard.step_label.value == "Step 3/5: Recommendation"
    wizard.current.set_values(RECOMMENDATION)
    wizard.next_button.click()
    wizard.current.set_values(NOTE)
    wizard.next_button.click()
    assert wizard.step_label.value == "Step 5/5: Closing"
    assert wizard.next_button.description == "Close the offboarding"
    wizard.current.controls["lists"].value = ["Rehire first for React"]
    wizard.next_button.click()

    assert wizard.progress.value == 5
    assert "Closed" in wizard.summary.value and "Expected amount" in wizard.summary.value
    assert "news asked on" in wizard.summary.value
    assert offboarding.get_mission(db, ended["mission_id"])["status"] == "offboarded"
    assert pool.get_freelancer(db, ended["freelancer_id"])["status"] == "alumni"
    assert pool.list_members(db, "Rehire first for React")[0]["id"] == ended["freelancer_id"]
    app.refresh()
    assert app.picker.options == ()


def test_a_closed_notebook_loses_nothing(db, ended):
    first = OffboardingApp(db).start()
    first.current.set_values(full_checklist(ended["deliverables"], handover="pending"))
    first.next()
    first.current.set_values(FEEDBACK)
    first.next()
    first.current.controls["text"].value = "Brouillon non enregistré"  # not saved: no "next"
    # the notebook is closed and reopened: a new app over the same database
    again = OffboardingApp(db).start(ended["mission_id"])
    assert again.step == 0  # the checklist still has a pending item
    values = again.current.values()
    assert values["handover"] == "pending" and values["accesses_systems"] == "GitLab, Slack"
    assert values[f"deliverable_{ended['deliverables'][0]}"] == "accepted"
    assert values["invoice_amount"] == "5000"
    assert again.forms[1].values()["suggestions"] == FEEDBACK["suggestions"]
    again.current.controls["handover"].value = "done"
    assert again.next()
    resumed = OffboardingApp(db).start(ended["mission_id"])
    assert resumed.step == 2  # checklist and feedback done: the recommendation is next


def test_closing_refused_shows_what_is_missing(db, ended):
    wizard = OffboardingApp(db).start()
    wizard.current.set_values(full_checklist(ended["deliverables"]))
    wizard.next()
    wizard.current.set_values(FEEDBACK)
    wizard.next()
    wizard.step = 4  # jump to closing without recommendation or note
    wizard._show()
    assert wizard.next() is False
    message = wizard.current.message.value
    assert "cannot be closed yet" in message
    assert "recommendation is not written" in message and "collaboration note" in message
    assert offboarding.get_mission(db, ended["mission_id"])["status"] != "offboarded"


def test_messages_to_the_freelancer(db, ended):
    wizard = OffboardingApp(db).start()
    wizard.current.set_values(full_checklist(ended["deliverables"]))
    wizard.next()
    assert wizard.ask_feedback_button in wizard.body.children
    wizard.ask_feedback_button.click()
    assert "queued" in wizard.message.value
    assert [r["kind"] for r in db.query("SELECT kind FROM outbox")] == ["feedback_request"]
    wizard.current.set_values(FEEDBACK)
    wizard.next()
    wizard.send_reco_button.click()  # not saved yet
    assert "Save this step first" in wizard.message.value


def test_the_notebook_entry_point_and_the_trends(db, ended):
    box = offboarding_app(db)
    assert box.app.picker.value == ended["mission_id"]
    offboarding.save_feedback(db, ended["mission_id"], FEEDBACK)
    fig = trends_figure(db)
    assert isinstance(fig, go.Figure)
    names = [t.name for t in fig.data]
    assert names == ["Onboarding", "Integration", "Clarity", "Responses"]
    assert list(fig.data[0].y) == [3.0]
    html = themes_html(db).value
    assert "documentation" in html and "accesses and accounts" in html


def test_the_summary_in_words_and_the_step_error_beside_the_button(db, ended):
    """In French: a refused step says so beside "Suivant"; the invoice warning is a warning
    (not the errors' red); the summary has no raw value (partly, yes, False, published)."""
    wizard = OffboardingWizard(db, ended["mission_id"], lang="fr")
    wizard.current.controls["objectives"].value = "no"
    wizard.next_button.click()
    beside = html.unescape(wizard.step_message.value)
    assert "Non enregistré" in beside and "à corriger" in beside
    wizard.current.set_values(
        full_checklist(ended["deliverables"], invoice_daily_rate=550, invoice_amount=9999)
        | {"objectives": "partly", "objectives_comment": "La recette a glissé."})
    assert wizard.next()
    assert wizard.step_message.value == ""
    assert ERROR_STYLE not in wizard.message.value and WARNING_STYLE in wizard.message.value
    for values in (FEEDBACK, RECOMMENDATION, NOTE):
        wizard.current.set_values(values)
        assert wizard.next()
    assert wizard.next()
    summary = html.unescape(re.sub(r"<[^>]+>", " ", wizard.summary.value))
    assert "Clôturé" in summary and "Partiellement atteints" in summary
    assert "Alumni désormais : Oui" in summary and "Publié" in summary
    assert re.findall(r"\b(partly|yes|no|True|False|published|closed|interview|done)\b",
                      summary) == []  # fmt: skip


# --- the invoice read from its file (the checklist's upload) ---------------------------------


def _upload(wizard, content: bytes, name: str = "facture.pdf") -> None:
    """Give the wizard's upload a file as the browser does (ipywidgets 8's value)."""
    wizard.invoice_upload.upload.value = ({
        "name": name, "type": "application/pdf", "size": len(content),
        "content": memoryview(content), "last_modified": dt.datetime.now(dt.UTC),
    },)  # fmt: skip


def _words(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", value))


def _documents() -> list:
    folder = config.get_settings().documents_dir
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_facturx_upload_fills_the_invoice_fields_and_warns_beside_the_step(db, ended):
    wizard = OffboardingApp(db).start()
    checklist = wizard.current
    assert wizard.invoice_upload.box in checklist.box.children  # in the checklist step
    pdf = facturx_pdf(rate=550, days=11, end="20260316")
    _upload(wizard, pdf)
    values = checklist.values()
    assert (values["invoice_amount"], values["invoice_daily_rate"], values["invoice_days"]) == (
        "6050", "550", "11")
    assert values["invoice_last_day"] == dt.date(2026, 3, 16)
    said = _words(wizard.invoice_upload.status.value)
    assert "facture.pdf: read from its Factur-X data and recorded." in said
    assert "invoice F-2026-014" in said and "billed from 2 March 2026 to 16 March 2026" in said
    assert "SIRET 73282932000074" in said and "VAT number FR44732829320" in said
    assert "net to pay €7,260.00" in said  # VAT included, to the cent
    warnings = wizard.invoice_upload.warnings.value
    assert WARNING_STYLE in warnings and ERROR_STYLE not in warnings
    assert "The invoice's daily rate (€550) differs from the agreed one (€500)" in _words(
        warnings)
    assert "invoice_" not in _words(warnings) and "Field" not in _words(warnings)
    # recorded, the file kept readable by its owner only; the widget no longer holds the bytes
    inv = offboarding.invoice(db, ended["mission_id"])
    assert (inv["amount"], inv["source"]) == (6050, "facturx")
    (kept,) = _documents()
    assert kept.name == inv["file"] and kept.read_bytes() == pdf
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert wizard.invoice_upload.upload.value == ()
    # the manager approves it and goes on: the figures read stay, the file stays attached
    read = ("invoice_amount", "invoice_daily_rate", "invoice_days", "invoice_last_day")
    checklist.set_values(full_checklist(ended["deliverables"]) | {k: values[k] for k in read})
    assert wizard.next()
    assert "differs from the agreed one" in wizard.message.value
    inv = offboarding.invoice(db, ended["mission_id"])
    assert (inv["amount"], inv["file"], inv["checked_at"]) == (6050, kept.name, "2026-11-25")


def test_a_plain_pdf_asks_for_its_figures_and_saving_them_attaches_it(db, ended):
    wizard = OffboardingWizard(db, ended["mission_id"], lang="fr")
    pdf = plain_pdf()
    _upload(wizard, pdf, "scan.pdf")
    said = _words(wizard.invoice_upload.status.value)
    assert "scan.pdf est un PDF simple" in said and "saisissez" in said
    assert offboarding.invoice(db, ended["mission_id"]) is None and _documents() == []
    # saved without an amount: refused beside the amount, nothing kept
    wizard.current.set_values(full_checklist(ended["deliverables"], invoice_received="pending")
                              | {"invoice_paid": "pending"})  # fmt: skip
    wizard.current.controls["invoice_amount"].value = ""
    assert wizard.next() is False
    assert "scan.pdf" in wizard.current.errors()["invoice_amount"]
    assert offboarding.invoice(db, ended["mission_id"]) is None and _documents() == []
    wizard.current.controls["invoice_amount"].value = "5000"
    assert wizard.next() is True
    inv = offboarding.invoice(db, ended["mission_id"])
    assert (inv["amount"], inv["daily_rate"], inv["source"]) == (5000, 500, "typed")
    (kept,) = _documents()
    assert kept.name == inv["file"] and kept.read_bytes() == pdf
    assert "scan.pdf" in _words(wizard.invoice_upload.status.value)
    assert wizard.invoice_upload.pending is None


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (b"Amount: 5000 EUR\n", "notes.pdf is not a PDF file"),
        (b"%PDF-1.7\n garbage", "notes.pdf is a damaged PDF file: it cannot be read."),
    ],
)
def test_a_wrong_file_is_a_sentence_beside_the_upload_and_nothing_is_written(
    db, ended, content, sentence
):
    wizard = OffboardingApp(db).start()
    _upload(wizard, content, "notes.pdf")
    status = wizard.invoice_upload.status.value
    assert sentence in html.unescape(status) and ERROR_STYLE in status
    assert "Amount: 5000" not in status  # the file's bytes are never shown
    assert offboarding.invoice(db, ended["mission_id"]) is None and _documents() == []
    assert wizard.invoice_upload.pending is None
    # the typed fields still work
    wizard.current.set_values(full_checklist(ended["deliverables"]))
    assert wizard.next()
    inv = offboarding.invoice(db, ended["mission_id"])
    assert (inv["amount"], inv["file"]) == (5000, None)
