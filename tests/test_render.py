"""The messages a freelancer reads, in French and in English: one set of templates whose
sentences go through the gettext catalogues, dates and amounts formatted by Babel, values escaped
in the HTML email and the Telegram text and left as they are in the plain-text email."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

from fmstoolkit import i18n, i18n_catalogue
from fmstoolkit.notify import render

PROJECT = "Refonte <site> & co"
ESCAPED = "Refonte &lt;site&gt; &amp; co"

CONTEXT = {
    "first_name": "Zoé",
    "name": "Zoé Durand",
    "signature": "Agence Lumen",
    "project": PROJECT,
    "client": "ACME",
    "title": "Front-end",
    "role": "React",
    "start_date": "2026-12-07",
    "end_date": "2026-12-18",
    "days": 10,
    "daily_rate": 1520,
    "lead_name": "Claire",
    "recommendation": "Rigoureuse <et> drôle & précise.",
    "author": "Claire",
    "reason": "budget gelé",
    "connect_url": "https://t.me/fms_bot?start=abc",
    "bot": "fms_bot",
    "month_name": "janvier 2027",
    "attached": "the services agreement and the NDA",
}
#: The same message without any of the values a template may leave out.
BARE = CONTEXT | {key: None for key in ("client", "title", "role", "lead_name", "author", "reason")}


#: What the manager's messages are about (the digest's lists, the alert, a freelancer's yes).
MANAGER = {
    "signature": "Agence Lumen",
    "day": "2026-12-01",
    "overdue": [{"mission_id": 3, "project": PROJECT, "end_date": "2026-11-20", "days": 11}],
    "overdue_more": 2,
    "requests": [{"request_id": 2, "project": PROJECT, "start_date": "2027-01-04", "asked": 3,
                  "answered": 1}],
    "requests_more": 1,
    "answers": {"yes": 1, "maybe": 0, "no": 2},
    "mails": {"applied": 1, "left": 1},
    "dead": 4,
    "unpaid": [{"mission_id": 5, "project": PROJECT, "invoice_number": "F-2026-014",
                "amount": 5000, "days": 41},
               {"mission_id": 6, "project": PROJECT, "invoice_number": None, "amount": 1200,
                "days": 31}],
    "unpaid_more": 1,
    "unpaid_days": 30,
    "freelancer": "Zoé Durand",
    "months": 6.5,
    "window_months": 12,
    "limit_months": 6,
    "project": PROJECT,
    "start_date": "2027-01-04",
    "end_date": "2027-01-08",
    "candidate": "#1, 80/100: React",
    "contracts": [{"mission_id": 5, "project": PROJECT, "start_date": "2026-12-03", "days": 2,
                   "missing": "NDA"}],
    "contracts_more": 1,
}
MANAGER_BARE = MANAGER | {"overdue": [], "requests": [], "overdue_more": 0,
                          "requests_more": 0, "unpaid": [], "unpaid_more": 0,
                          "candidate": None, "contracts": [], "contracts_more": 0}  # fmt: skip


def both(kind: str, context: dict | None = None) -> tuple[render.Rendered, render.Rendered]:
    context = CONTEXT if context is None else context
    return render.render(kind, "fr", context), render.render(kind, "en", context)


def test_availability_question_gives_the_dates_and_how_to_answer():
    fr, en = both("availability_question")
    assert fr.subject == f"Êtes-vous disponible à partir du 7 décembre 2026 ? ({PROJECT})"
    assert en.subject == f"Are you available from 7 December 2026? ({PROJECT})"
    assert fr.text.startswith("Bonjour Zoé,\n\n")
    assert (
        f"Nous constituons l'équipe de {PROJECT} et avons pensé à vous comme React : "
        "10 jours ouvrés du 7 décembre 2026 au 18 décembre 2026." in fr.text
    )
    assert (
        f"We are staffing {PROJECT} and thought of you as React: "
        "10 working days from 7 December 2026 to 18 December 2026." in en.text
    )
    assert "Répondez simplement à ce message par oui, non ou peut-être." in fr.text
    assert "Just reply to this email with yes, no or maybe." in en.text
    assert "par <b>oui</b>, <b>non</b> ou <b>peut-être</b>." in fr.html
    assert "with <b>yes</b>, <b>no</b> or <b>maybe</b>." in en.html
    assert fr.telegram.endswith("Êtes-vous disponible ?")
    assert en.telegram.endswith("Are you available?")
    assert "du <b>7 décembre 2026</b> au <b>18 décembre 2026</b>" in fr.telegram


def test_one_working_day_is_singular_and_a_missing_role_is_left_out():
    one = BARE | {"days": 1, "end_date": "2026-12-07"}
    fr, en = both("availability_question", one)
    assert "avons pensé à vous : 1 jour ouvré du 7 décembre 2026 au 7 décembre 2026." in fr.text
    assert "thought of you: 1 working day from 7 December 2026 to 7 December 2026." in en.text
    assert " comme " not in fr.text and " as " not in en.text


def test_feedback_request_says_when_the_mission_ended_and_what_to_rate():
    fr, en = both("feedback_request")
    assert fr.subject == f"Comment s'est passée votre mission sur {PROJECT} ?"
    assert en.subject == f"How was your mission on {PROJECT}?"
    assert "(Front-end) s'est terminée le 18 décembre 2026. Merci pour votre travail !" in fr.text
    assert "(Front-end) ended on 18 December 2026. Thank you for your work!" in en.text
    assert "- accueil : aviez-vous ce qu'il fallait pour démarrer ?" in fr.text
    assert "- clarity: were the expectations clear?" in en.text
    assert "<li><b>intégration</b> : avez-vous été bien intégré·e à l'équipe ?</li>" in fr.html
    assert "Trois notes de 1 à 5 (accueil, intégration, clarté)" in fr.telegram
    assert "Three marks from 1 to 5 (onboarding, integration, clarity)" in en.telegram
    bare_fr, bare_en = both("feedback_request", BARE)
    assert f"Votre mission sur {PROJECT} s'est terminée le 18 décembre 2026." in bare_fr.text
    assert f"Your mission on {PROJECT} ended on 18 December 2026." in bare_en.text


def test_recommendation_names_its_author_or_the_agency():
    fr, en = both("recommendation")
    assert fr.subject == f"Votre recommandation pour {PROJECT}"
    assert "Voici la recommandation que Claire a rédigée pour vous ;" in fr.text
    assert "Here is the recommendation Claire wrote for you; feel free to use it:" in en.text
    assert "Rigoureuse <et> drôle & précise." in fr.text
    assert "<blockquote>Rigoureuse &lt;et&gt; drôle &amp; précise.</blockquote>" in fr.telegram
    bare_fr, bare_en = both("recommendation", BARE)
    assert "Voici la recommandation que nous avons rédigée pour vous" in bare_fr.text
    assert "Here is the recommendation we wrote for you" in bare_en.text


def test_a_long_recommendation_is_clipped_to_fit_telegram():
    long = CONTEXT | {"recommendation": "Excellent <travail> & rigueur. " * 600}
    for r in both("recommendation", long):
        assert render.telegram_length(r.telegram) <= render.TELEGRAM_LIMIT
        assert r.telegram.endswith("…</blockquote>")
        assert r.text.count("Excellent <travail> & rigueur.") == 600


def test_mission_confirmation_gives_dates_rate_and_lead_in_the_readers_formats():
    fr, en = both("mission_confirmation")
    assert fr.subject == f"Mission confirmée : {PROJECT} à partir du 7 décembre 2026"
    assert en.subject == f"Mission confirmed: {PROJECT} from 7 December 2026"
    assert f"Projet : {PROJECT} (ACME)\nRôle : Front-end\n" in fr.text
    assert "Dates : du 7 décembre 2026 au 18 décembre 2026 (10 jours ouvrés)" in fr.text
    assert "TJM : 1\u202f520\u00a0€\nResponsable du projet : Claire" in fr.text
    assert "Dates: 7 December 2026 to 18 December 2026 (10 working days)" in en.text
    assert "Daily rate: €1,520\nProject lead: Claire" in en.text
    assert "<tr><td>TJM</td><td>1\u202f520\u00a0€</td></tr>" in fr.html
    assert "à 1\u202f520\u00a0€ par jour. Votre responsable de projet est Claire." in fr.telegram
    assert "at €1,520 a day. Your project lead is Claire." in en.telegram
    bare_fr, bare_en = both("mission_confirmation", BARE)
    assert "Rôle" not in bare_fr.text and "Responsable" not in bare_fr.text
    assert f"Project: {PROJECT}\nDates:" in bare_en.text
    assert f"confirmed: <b>{ESCAPED}</b>, from <b>7 December 2026</b>" in bare_en.telegram


def test_mission_cancellation_frees_the_dates_and_gives_the_reason():
    fr, en = both("mission_cancellation")
    assert fr.subject == f"Mission annulée : {PROJECT} du 7 décembre 2026"
    assert en.subject == f"Mission cancelled: {PROJECT} from 7 December 2026"
    assert "prévue du 7 décembre 2026 au 18 décembre 2026 est annulée." in fr.text
    assert "\n\nMotif : budget gelé\n\n" in fr.text
    assert "\n\nReason: budget gelé\n\n" in en.text
    assert "est annulée : ces dates sont de nouveau libres. Motif : budget gelé." in fr.telegram
    assert "those dates are free again. Reason: budget gelé." in en.telegram
    bare_fr, bare_en = both("mission_cancellation", BARE)
    assert "Motif" not in bare_fr.text + bare_fr.html + bare_fr.telegram
    assert "agenda.\n\nNous sommes désolés" in bare_fr.text
    assert "calendar.\n\nWe are sorry" in bare_en.text


def test_alumni_checkin_recalls_the_last_mission_if_there_was_one():
    fr, en = both("alumni_checkin")
    assert fr.subject == "Des nouvelles de Agence Lumen : comment allez-vous, Zoé ?"
    assert en.subject == "News from Agence Lumen: how are you, Zoé?"
    assert (
        f"Cela fait un moment depuis votre mission sur {PROJECT}. Comment allez-vous ?" in fr.text
    )
    assert f"since your mission on <b>{ESCAPED}</b>. How are you doing?" in en.telegram
    bare_fr, bare_en = both("alumni_checkin", BARE | {"project": None})
    assert "depuis notre dernière collaboration. Comment allez-vous ?" in bare_fr.text
    assert "since we last worked together. How are you doing?" in bare_en.text


def test_telegram_invitation_gives_the_link_and_the_button_to_press():
    fr, en = both("telegram_invitation")
    assert fr.subject == "Recevez nos messages sur Telegram"
    assert en.subject == "Get our messages on Telegram"
    assert "appuyez sur Démarrer :\n\nhttps://t.me/fms_bot?start=abc\n" in fr.text
    assert "press Start:\n\nhttps://t.me/fms_bot?start=abc\n" in en.text
    assert "appuyez sur <b>Démarrer</b> :" in fr.html and "press <b>Start</b>:" in en.html
    assert fr.telegram.startswith("Bonjour Zoé, vous êtes connecté·e :")
    assert en.telegram.startswith("Hello Zoé, you are now connected:")


@pytest.mark.parametrize("kind", render.KINDS)
def test_values_are_escaped_in_html_and_telegram_and_plain_in_text(kind):
    context = CONTEXT | {"first_name": "<Zoé & Co>", "signature": "Agence <A&B>"}
    for r in both(kind, context):
        assert "<Zoé & Co>" in r.text and "&lt;" not in r.text
        assert "&lt;Zoé &amp; Co&gt;" in r.html and "<Zoé" not in r.html
        assert "&lt;Zoé &amp; Co&gt;" in r.telegram and "<Zoé" not in r.telegram
        assert "Agence &lt;A&amp;B&gt;" in r.html and "<A&B>" not in r.html
        if kind != "telegram_invitation":
            assert PROJECT not in r.html + r.telegram


@pytest.mark.parametrize("kind", render.KINDS)
def test_every_message_ends_with_the_unsubscribe_sentence_in_the_readers_language(kind):
    fr, en = both(kind)
    assert fr.text.endswith(
        "\n--\nPour ne plus recevoir de messages, répondez « désinscription ».\n"
    )
    assert en.text.endswith('\n--\nTo receive no more messages, reply "unsubscribe".\n')
    assert '<html lang="fr">' in fr.html and '<html lang="en">' in en.html
    assert (
        "Vous recevez ce message parce que vous faites partie du réseau de freelances de "
        "Agence Lumen." in fr.html
    )
    assert "répondez « désinscription »." in fr.html
    assert "You receive this message because you are part of Agence Lumen's freelance network." in (
        en.html
    )
    assert 'reply "unsubscribe".' in en.html
    assert fr.text.startswith("Bonjour Zoé,") and en.text.startswith("Hello Zoé,")
    assert fr.telegram.startswith("Bonjour Zoé") and en.telegram.startswith("Hello Zoé")
    for r in (fr, en):
        assert 0 < render.telegram_length(r.telegram) <= render.TELEGRAM_LIMIT
        assert r.subject and "\n" not in r.subject


def test_a_missing_value_or_an_unknown_kind_or_language_is_refused():
    context = dict(CONTEXT)
    del context["start_date"]
    with pytest.raises(ValueError, match="start_date"):
        render.render("availability_question", "fr", context)
    with pytest.raises(ValueError, match="first_name"):
        render.render("telegram_invitation", "en", {"connect_url": "x", "signature": "A"})
    with pytest.raises(ValueError):
        render.render("spam", "fr", CONTEXT)
    with pytest.raises(ValueError):
        render.render("alumni_checkin", "de", CONTEXT)


class _Recording(gettext.NullTranslations):
    """English as written, remembering which sentences were looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.looked_up: set[str] = set()

    def gettext(self, message: str) -> str:
        self.looked_up.add(message)
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self.looked_up.add(singular)
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        self.looked_up.add(message)
        return message


def test_every_sentence_a_message_shows_is_found_by_the_catalogue_extraction(monkeypatch):
    """What ``pybabel extract`` finds is what rendering looks up: no sentence of a message
    stays in English for a French reader because the catalogue never heard of it."""
    catalog = i18n_catalogue.extract(Path(i18n.__file__).resolve().parent)
    extracted = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalog
        if m.id and any(f.startswith("notify/templates/") for f, _ in m.locations)
    }
    recording = _Recording()
    monkeypatch.setattr(i18n, "translations", lambda lang: recording)
    render.environment.cache_clear()
    try:
        reminder = CONTEXT | {"reminder": True}
        for context in (CONTEXT, BARE, BARE | {"project": None, "days": 1}, reminder):
            for kind in render.KINDS:
                render.render(kind, "fr", context)
        for context in (MANAGER, MANAGER_BARE):
            for kind in render.MANAGER_KINDS:
                render.render(kind, "fr", context)
    finally:
        render.environment.cache_clear()
    assert recording.looked_up and recording.looked_up <= extracted
    assert extracted - recording.looked_up == set()  # and no sentence is dead


def test_the_managers_messages_say_what_happened_without_the_freelancers_footer():
    """The digest, the requalification alert and a freelancer's yes, in the agency's language;
    values escaped in the HTML and Telegram forms; no "unsubscribe" footer (the manager is no
    member of the freelance network)."""
    fr = render.render("manager_digest", "fr", MANAGER)
    en = render.render("manager_digest", "en", MANAGER)
    assert en.subject == "Your digest of 1 December 2026"
    assert fr.subject == "Votre point du 1 décembre 2026"
    assert f"- mission #3 ({PROJECT}), ended 20 November 2026, 11 days ago\n" in en.text
    assert "- and 2 more\n" in en.text
    assert f"- request #2 ({PROJECT}, from 4 January 2027): 3 asked, 1 answered\n" in en.text
    assert "Answers received: 1 yes, 0 maybe, 2 no.\n" in en.text
    assert "E-mail replies: 1 recorded, 1 left for you to read.\n" in en.text
    assert "Messages that could not be sent: 4.\n" in en.text
    assert (f"Invoices unpaid more than 30 days after their receipt:\n- mission #5 ({PROJECT}), "
            "invoice F-2026-014, €5,000, received 41 days ago\n- mission #6") in en.text
    assert "invoice without a number, €1,200, received 31 days ago\n- and 1 more\n" in en.text
    assert "<li>mission #5 (" in en.html and "• mission #6 (" in en.telegram
    assert (f"- mission #5 ({PROJECT}), starts 3 December 2026: NDA not signed\n" in en.text)
    assert "Missions starting soon without a signed contract or NDA:" in en.html
    assert "Réponses reçues : 1 oui, 0 peut-être, 2 non." in fr.text
    assert ESCAPED in en.telegram and PROJECT not in en.telegram + en.html
    for kind in render.MANAGER_KINDS:
        for r in (render.render(kind, "fr", MANAGER), render.render(kind, "en", MANAGER)):
            assert "unsubscribe" not in r.text + r.html and "désinscription" not in r.text
            assert 0 < render.telegram_length(r.telegram) <= render.TELEGRAM_LIMIT
    alert = render.render("requalification_alert", "en", MANAGER)
    assert alert.subject == "Requalification risk: Zoé Durand"
    assert alert.text.startswith(
        "Zoé Durand has worked 6.5 months for the agency over the last 12 months, more than "
        "the limit of 6 months."
    )
    assert "<b>Zoé Durand</b> a travaillé 6,5 mois" in render.render(
        "requalification_alert", "fr", MANAGER).telegram  # fmt: skip
    yes = render.render("staffing_answer", "en", MANAGER)
    assert yes.subject == f"Zoé Durand is available for {PROJECT}"
    assert "In the ranking: #1, 80/100: React" in yes.telegram
