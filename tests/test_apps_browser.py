"""The apps in a real browser: one Voila server as `make run` starts it, on a demo database,
driven by Playwright for Python on Debian's chromium (never a downloaded browser).

Each app shows its widgets (no "Error displaying widget", no traceback) in French only (no raw
status, no field name, no English month); the screenshots of the README are saved here. Then a
manager staffs "a web developer in 6 days for one week": fill the form, see the candidates, ask,
assign, and the mission is in the database. Voila's kernels read the machine's clock.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import locale
from paperwork_fixtures import facturx_pdf
from playwright.sync_api import expect, sync_playwright

from fmstoolkit import apps_server
from fmstoolkit import db as dbmod
from fmstoolkit.i18n import format_date

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs" / "screenshots"
#: Words that must not reach a French screen: raw statuses, field names, English months.
RAW = re.compile(
    r"\b(polling|staffed|partly|pending|offboarded|last_error|availability_question|"
    r"feedback_request|time to staff|January|February|March|April|June|July|August|"
    r"September|October|November|December)\b"
)
pytestmark = pytest.mark.real_clock


def agency_env(home: Path, lang: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FMS_")}
    return env | {"FMS_HOME": str(home), "FMS_DB": str(home / "fms.db"), "FMS_LANG": lang,
                  "FMS_NOTES_DB": str(home / "notes.db"), "JUPYTER_RUNTIME_DIR": str(home / "rt"),
                  "FMS_AGENCY_NAME": "Agence de démo"}


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    """A demo agency and one Voila server over notebooks/, as scripts/run.sh starts it."""
    home = tmp_path_factory.mktemp("agency")
    db_path = home / "fms.db"
    env = agency_env(home, "fr")
    demo = subprocess.run([sys.executable, "-m", "fmstoolkit.cli", "demo", "--db", str(db_path),
                           "--freelancers", "80", "--seed", "1"],
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    yield from voila(env, db_path)


@pytest.fixture(scope="module")
def apps_en(apps):
    """A second Voila server on the same agency, in English (FMS_LANG=en)."""
    _base, db_path = apps
    yield from voila(agency_env(db_path.parent, "en"), db_path)


def voila(env: dict[str, str], db_path: Path):
    """Voila over notebooks/ in ``env`` until the module's tests are done: (URL, database)."""
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = apps_server.voila_command(ROOT / "notebooks", port)
    assert "python -m voila notebooks" in (ROOT / "scripts" / "run.sh").read_text()
    log = Path(env["FMS_HOME"]) / f"voila-{env['FMS_LANG']}.log"  # a full pipe stops Voila
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=log.open("wb"))  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base, timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(log.read_text()[-2000:]) from None
            time.sleep(0.5)
    yield base, db_path
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"),
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


def open_app(browser, base: str, name: str, lang: str = "fr"):
    page = browser.new_page(viewport={"width": 1280, "height": 1600}, locale=locale(lang))
    page.goto(f"{base}/voila/render/{name}.ipynb", timeout=180_000)
    page.wait_for_selector(".jupyter-widgets button", timeout=180_000)
    page.wait_for_load_state("networkidle", timeout=180_000)
    return page


@pytest.mark.parametrize("name", apps_server.APPS)
def test_each_app_shows_its_widgets_in_french(apps, browser, name):
    base, _db = apps
    page = open_app(browser, base, name)
    text = page.inner_text("body")
    page.screenshot(path=str(SHOTS / f"app-{name}.png"))
    page.close()
    assert "Error displaying widget" not in text and "Traceback" not in text
    assert "import fmstoolkit" not in text and "from fmstoolkit" not in text  # no code shown
    assert RAW.findall(text) == []
    titles = {"home": "Aujourd'hui", "planning": "Planning", "offboarding": "Offboarding",
              "paperwork": "Documents et paiements", "pool": "Vivier de talents"}
    assert titles[name] in text


def test_staff_a_web_developer_in_six_days_for_one_week(apps, browser):
    base, db_path = apps
    database = dbmod.open_db(db_path)
    missions_before = database["missions"].count
    project = database.execute("SELECT name FROM projects ORDER BY id LIMIT 1").fetchone()[0]
    database.close()
    page = open_app(browser, base, "planning")
    page.locator("input[list]").first.fill(project)
    page.get_by_placeholder("web, React, SEO…").fill("Développement web")
    page.get_by_role("button", name="Créer la demande et classer").click()
    candidates = page.locator("select[multiple]").first.locator("option")
    expect(candidates.first).to_be_visible(timeout=60_000)
    assert candidates.count() > 0
    page.locator("select[multiple]").first.select_option(index=0)
    page.get_by_role("button", name="Demander la dispo").click()
    expect(page.get_by_text("Disponibilité demandée", exact=False).first).to_be_visible(
        timeout=60_000)
    # the list was redrawn after asking
    page.locator("select[multiple]").first.select_option(index=0)
    chosen = page.locator("select[multiple]").first.locator("option:checked").inner_text()
    page.get_by_role("button", name="Affecter").click()
    expect(page.get_by_text("affecté", exact=False).first).to_be_visible(timeout=60_000)
    # the person just assigned is no longer offered; their mission is ready to move
    name = chosen.replace("\xa0", " ").split(" · ")[0]
    expect(page.locator("select[multiple]").first.locator("option", has_text=re.compile(
        re.escape(name).replace("\\ ", r"\s")))).to_have_count(0, timeout=60_000)
    expect(page.get_by_placeholder("Tapez un nom, un projet ou un numéro")).to_have_value(
        re.compile(re.escape(name.split()[-1])))
    page.screenshot(path=str(SHOTS / "app-planning-staffed.png"))
    text = page.inner_text("body")
    page.close()
    assert "Traceback" not in text and RAW.findall(text) == []
    database = dbmod.open_db(db_path)
    try:
        assert database["missions"].count == missions_before + 1
        mission = database.execute(
            "SELECT s.name, m.start_date, m.end_date FROM missions m JOIN skills s "
            "ON s.id = m.skill_id ORDER BY m.id DESC LIMIT 1").fetchone()  # fmt: skip
    finally:
        database.close()
    assert mission[0] == "web-development"


def test_find_a_freelancer_by_skill_and_read_their_profile(apps, browser):
    """In the pool app: a skill typed by its French label, a person picked in the list, their
    profile in words, and a list they are added to (in the database). The skill is the demo's
    most common one (the demo agency is drawn for the day: a given skill may be missing)."""
    base, db_path = apps
    database = dbmod.open_db(db_path)
    try:
        skill = database.execute(
            "SELECT s.label_fr FROM freelancer_skills fs JOIN skills s ON s.id = fs.skill_id "
            "GROUP BY s.id ORDER BY count(*) DESC, s.id LIMIT 1").fetchone()[0]  # fmt: skip
    finally:
        database.close()
    page = open_app(browser, base, "pool")
    page.get_by_placeholder("Compétence").fill(skill)
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_text("trouvé", exact=False).first).to_be_visible(timeout=60_000)
    results = page.locator("select:not([multiple])").last
    first = results.locator("option").first.get_attribute("value")
    results.select_option(index=1 if results.locator("option").count() > 1 else 0)
    expect(page.get_by_text("TJM comparé aux tarifs", exact=False)).to_be_visible(timeout=60_000)
    expect(page.get_by_text(f"{skill} · niveau", exact=False).first).to_be_visible()
    page.get_by_placeholder("Liste").fill("Front React")
    page.get_by_role("button", name="Ajouter à la liste").click()
    expect(page.get_by_text("ajouté·e à la liste", exact=False)).to_be_visible(timeout=60_000)
    page.screenshot(path=str(SHOTS / "app-pool-profile.png"))
    text = page.inner_text("body")
    page.close()
    assert first is not None
    assert "Traceback" not in text and RAW.findall(text) == []
    database = dbmod.open_db(db_path)
    try:
        members = database.execute(
            "SELECT count(*) FROM list_members lm JOIN lists l ON l.id = lm.list_id "
            "WHERE l.name = 'Front React'").fetchone()[0]  # fmt: skip
    finally:
        database.close()
    assert members == 1


def test_read_the_freelancers_facturx_invoice_into_the_offboarding(apps, browser, tmp_path):
    """In the offboarding app: start the first mission due, give the checklist's upload a
    Factur-X invoice (through the browser's file chooser, as a manager picks the file); its
    figures fill the form, what was read is said beside it in French, and the invoice is in the
    database with its file kept."""
    base, db_path = apps
    pdf = tmp_path / "facture-mars.pdf"
    pdf.write_bytes(facturx_pdf(number="F-BROWSER-1"))
    page = open_app(browser, base, "offboarding")
    page.get_by_role("button", name="Commencer / reprendre").click()
    # ipywidgets' upload is a button opening the file chooser (its <input> is never in the page)
    with page.expect_file_chooser(timeout=60_000) as chooser:
        page.get_by_role("button", name=re.compile(r"Facture \(PDF\)")).click()
    chooser.value.set_files(str(pdf))
    expect(page.get_by_text("lue dans ses données Factur-X", exact=False)).to_be_visible(
        timeout=60_000)
    expect(page.get_by_text("facture F-BROWSER-1", exact=False)).to_be_visible()
    amounts = page.locator("input[type=text]")
    assert "5000" in [amounts.nth(i).input_value() for i in range(amounts.count())]
    page.get_by_text("Montant de la facture (€)").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "app-offboarding-invoice.png"))
    text = page.inner_text("body")
    page.close()
    assert "Traceback" not in text and RAW.findall(text) == []
    assert "invoice_" not in text and "%PDF" not in text  # no field name, never the bytes
    database = dbmod.open_db(db_path)
    try:
        row = database.execute(
            "SELECT amount, source, file FROM invoices WHERE invoice_number = 'F-BROWSER-1'"
        ).fetchone()
    finally:
        database.close()
    assert row[:2] == (5000, "facturx") and row[2].endswith(".pdf")


def test_paperwork_prepare_and_send_a_missions_contract_and_nda(apps, browser):
    """In the paperwork app: a planned mission typed in the picker, its contract and NDA
    prepared (the states say so, with the PDF to download) then sent (the e-mail waits in the
    outbox, the states say so), and the documents are in the database with that message."""
    base, db_path = apps
    database = dbmod.open_db(db_path)
    try:
        mission = database.execute(
            "SELECT m.id, f.name, p.name, m.start_date, m.end_date FROM missions m "
            "JOIN freelancers f ON f.id = m.freelancer_id JOIN projects p ON p.id = m.project_id "
            "JOIN contacts c ON c.freelancer_id = f.id WHERE m.status = 'planned' "
            "AND c.email IS NOT NULL AND m.id NOT IN (SELECT mission_id FROM documents) "
            "ORDER BY m.start_date DESC LIMIT 1").fetchone()  # fmt: skip
    finally:
        database.close()
    mid, name, project, start, end = mission
    page = open_app(browser, base, "paperwork")
    picker = page.get_by_placeholder("Tapez un nom, un projet ou un numéro")
    picker.fill(f"n° {mid} · {name} · {project} · {format_date(start, 'fr')} → "
                f"{format_date(end, 'fr')}")
    picker.press("Enter")
    expect(page.get_by_text(f"Documents de la mission n° {mid}", exact=False)).to_be_visible(
        timeout=60_000)
    expect(page.get_by_text("Contrat : pas encore préparé", exact=False)).to_be_visible()
    # a button's name starts with its icon's glyph: match the end of it
    page.get_by_role("button", name=re.compile(r"Préparer$")).click()
    expect(page.get_by_text("Contrat : Préparé, pas envoyé", exact=False)).to_be_visible(
        timeout=120_000)
    pdf_link = page.get_by_role("link", name=re.compile("Télécharger le PDF")).first
    with page.expect_download(timeout=60_000) as download:  # the data: link saves the PDF
        pdf_link.click()
    # named as the freelancer's attachment, in the document's language (the freelancer's)
    assert download.value.suggested_filename in (f"contrat-prestation-{mid}.pdf",
                                                 f"services-agreement-{mid}.pdf")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    page.get_by_role("button", name=re.compile(r"Envoyer$")).click()
    expect(page.get_by_text("En file d'attente (message n°", exact=False)).to_be_visible(
        timeout=60_000)
    expect(page.get_by_text("son e-mail attend dans l'outbox", exact=False).first).to_be_visible()
    page.screenshot(path=str(SHOTS / "app-paperwork.png"), full_page=True)
    text = page.inner_text("body")
    page.close()
    assert "Traceback" not in text and RAW.findall(text) == []
    assert "draft" not in text and "in_payment" not in text
    database = dbmod.open_db(db_path)
    try:
        rows = database.execute(
            "SELECT d.kind, d.state, o.kind FROM documents d JOIN outbox o ON o.id = d.outbox_id "
            "WHERE d.mission_id = ? ORDER BY d.kind", [mid]).fetchall()  # fmt: skip
    finally:
        database.close()
    assert rows == [("contract", "draft", "contract"), ("nda", "draft", "contract")]
#: How the schedule's axis writes the months, per language (CLDR's abbreviations, as Babel has
#: them: the ticks are ours, plotly.js would write English ones).
MONTHS = {
    "fr": {"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."},
    "en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_schedule_is_drawn_with_months_in_the_apps_language(apps, apps_en, browser, lang):
    """The planning app's schedule is drawn whole (bars and its title: plotly's FigureWidget
    inside a box used to show empty), its axis names the months in FMS_LANG's language, and the
    browser speaks it too (the date fields follow the browser's language)."""
    base = (apps if lang == "fr" else apps_en)[0]
    page = open_app(browser, base, "planning", lang)
    schedule = page.locator(".js-plotly-plot", has=page.locator(".gtitle", has_text=re.compile(
        "^(Planning|Schedule) ")))  # fmt: skip
    expect(schedule).to_have_count(1, timeout=60_000)
    assert schedule.locator("g.point, .bars path").count() > 0  # the bars are drawn
    ticks = schedule.locator(".xtick text").all_text_contents()
    words = {w for t in ticks for w in t.replace("\xa0", " ").split()}
    other = "en" if lang == "fr" else "fr"
    assert words & MONTHS[lang], ticks
    assert not words & (MONTHS[other] - MONTHS[lang]), ticks
    assert page.evaluate("navigator.language") == locale(lang)
    page.close()
