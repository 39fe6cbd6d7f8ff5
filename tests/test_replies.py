"""Reading a freelancer's e-mail reply (fmstoolkit.replies): which message of ours it answers, and
the answer written above the quoted text, in French or English. Examples first, then properties
(hypothesis): any text ends in an answer or "unreadable", never an exception."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fmstoolkit.replies import (
    OUTCOMES,
    UNREADABLE,
    outbox_message_id,
    parse_mail,
    read_answer,
    referenced_outbox_ids,
    reply_text,
)
from fmstoolkit.replies.answer import FIRST_WORDS, PHRASES

QUESTION = """Bonjour Alice,

Nous staffons Refonte et avons pensé à vous : 10 jours ouvrés du 7 au 18 décembre 2026.

Êtes-vous disponible ? Répondez simplement à cet e-mail par oui, non ou peut-être.

Merci,
Claire

--
Pour ne plus recevoir de messages, répondez « désinscription ».
"""
QUOTED = "".join(f"> {line}\n" for line in QUESTION.splitlines())


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Oui, dispo !", "yes"),
        ("OUI", "yes"),
        ("oui.", "yes"),
        ("Non merci", "no"),
        ("non", "no"),
        ("peut etre", "maybe"),
        ("Peut-être, je confirme lundi", "maybe"),
        ("PEUT-ÊTRE", "maybe"),
        ("Yes, available", "yes"),
        ("no thanks", "no"),
        ("Maybe!", "maybe"),
        ("Bonjour Claire, oui je suis dispo", "yes"),
        ("Je ne suis pas disponible à ces dates", "no"),
        ("I'm not available, sorry", "no"),
        ("Pas possible pour moi", "no"),
        ("Désinscription", "unsubscribe"),
        ("désinscrire svp", "unsubscribe"),
        ("Please unsubscribe me", "unsubscribe"),
        ("stop", "unsubscribe"),
        ("Je vous appelle demain.", UNREADABLE),
        ("", UNREADABLE),
        ("???", UNREADABLE),
        # the answer must come first: a yes deep in a long text is no answer
        ("Merci pour votre message, je regarde mon planning cette semaine et oui", UNREADABLE),
    ],
)
def test_answers_in_french_and_english(text, answer):
    assert read_answer(text) == answer


@pytest.mark.parametrize(
    "quote",
    [
        # Gmail, the attribution wrapped on two lines
        "Le mer. 25 nov. 2026 à 10:00, Agence Durand <staffing@agence.example.org> a\n"
        "écrit :\n" + QUOTED,
        # Apple Mail
        "Envoyé de mon iPhone\n\n> Le 25 nov. 2026 à 10:00, Agence Durand a écrit :\n" + QUOTED,
        # English clients
        "On Wed, Nov 25, 2026 at 10:00 AM Agence Durand <staffing@agence.example.org> wrote:\n"
        + QUOTED,
        # Outlook in French: headers, then the original unquoted
        "________________________________\nDe : Agence Durand <staffing@agence.example.org>\n"
        "Envoyé : mercredi 25 novembre 2026 10:00\nÀ : alice@example.org\n"
        "Objet : Disponibilité\n\n" + QUESTION,
        # Outlook in English
        "-----Original Message-----\nFrom: Agence Durand\nSent: Wednesday\nSubject: x\n\n"
        + QUESTION,
        # a signature, then the quote
        "-- \nAlice Martin\nDéveloppeuse front-end\n\n" + QUOTED,
    ],
)
def test_the_quoted_question_and_its_footer_are_not_read(quote):
    """The quote holds "oui, non ou peut-être" and "désinscription": none of it counts."""
    assert read_answer("Non merci\n\n" + quote) == "no"
    assert read_answer("\n" + quote) == UNREADABLE


def test_an_unmarked_copy_of_our_message_is_not_read():
    """Mail software that pastes the original without quoting it: the text stops at the first
    line repeating one of ours."""
    pasted = "Peut-être\n\n" + QUESTION
    assert read_answer(pasted, original=QUESTION) == "maybe"
    assert read_answer("Merci\n" + QUESTION, original=QUESTION) == UNREADABLE
    assert reply_text("Oui\n" + QUESTION, original=QUESTION) == "Oui"


def test_an_unsubscribe_subject_opts_out_whatever_the_text():
    assert read_answer("", subject="unsubscribe") == "unsubscribe"
    assert read_answer("Oui", subject="Re: Êtes-vous disponible ?") == "yes"


def mail(body: str = "Oui", **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = headers.pop("From", "Alice Martin <alice@example.org>")
    msg["To"] = "staffing@agence.example.org"
    msg["Subject"] = headers.pop("Subject", "Re: Êtes-vous disponible ?")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def test_the_message_answered_is_found_in_in_reply_to_then_references():
    ours = outbox_message_id(42, "agence.example.org")
    parsed = parse_mail(
        mail(
            In_Reply_To=ours,
            References="<other@x.org> <fms-outbox-7@agence.example.org> " + ours,
            Message_ID="<abc@mail.example.net>",
        )
    )
    assert [oid for oid, _ in referenced_outbox_ids(parsed)] == [42, 7]
    assert parsed.sender == "alice@example.org" and parsed.text.strip() == "Oui"
    assert parsed.key != "<abc@mail.example.net>" and len(parsed.key) == 64  # a hash


def test_a_mail_without_reference_answers_nothing_of_ours():
    assert referenced_outbox_ids(parse_mail(mail(In_Reply_To="<x@gmail.com>"))) == []


def test_an_html_only_reply_is_read_without_its_blockquote():
    msg = EmailMessage()
    msg["From"] = "alice@example.org"
    msg.set_content(
        "<div dir='ltr'>Oui&nbsp;!</div><div class='gmail_quote'><blockquote>"
        "répondez oui, non ou peut-être ; « désinscription »</blockquote></div>",
        subtype="html",
    )
    parsed = parse_mail(msg.as_bytes())
    assert read_answer(parsed.text) == "yes"


def test_an_automatic_reply_is_marked():
    assert parse_mail(mail("Je suis absente, non joignable", Auto_Submitted="auto-replied")).auto
    assert not parse_mail(mail("Oui")).auto


def test_a_broken_mail_reads_as_empty():
    parsed = parse_mail(b"\xff\xfe garbage \x00 without headers")
    assert parsed.sender == "" and parsed.references == ()
    assert read_answer(parsed.text, parsed.subject) == UNREADABLE


# --- properties -------------------------------------------------------------------------------

ANSWER_WORDS = st.sampled_from(
    [(" ".join(phrase), answer) for answer, phrases in PHRASES.items() for phrase in phrases]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000), st.text(max_size=200))
def test_any_text_ends_in_an_answer_or_unreadable(text, subject):
    assert read_answer(text, subject) in OUTCOMES
    assert read_answer(text, subject, original=text) in OUTCOMES


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_parse_without_an_exception(raw):
    parsed = parse_mail(raw)
    assert read_answer(parsed.text, parsed.subject) in OUTCOMES
    assert all(isinstance(oid, int) for oid, _ in referenced_outbox_ids(parsed))


@settings(max_examples=200)
@given(
    ANSWER_WORDS,
    st.sampled_from(["", "!", ".", ",", " :)", "!!"]),
    st.sampled_from(["", "Bonjour,\n", "Hello Claire,\n"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=500),
)
def test_an_answer_above_any_quote_is_read_back(word, punctuation, greeting, quoted_junk):
    """Whatever is quoted below (even answer words), the answer written above is the one read."""
    phrase, answer = word
    junk = (quoted_junk + "\noui non désinscription").splitlines()
    quote = "".join(f"> {line}\n" for line in junk)
    attribution = "Le 25/11/2026, Claire a écrit :"
    body = f"{greeting}{phrase.capitalize()}{punctuation}\n\n{attribution}\n{quote}"
    assert read_answer(body) == answer


@settings(max_examples=100)
@given(st.lists(st.sampled_from(["merci", "bonjour", "claire", "hello"]), max_size=FIRST_WORDS + 4))
def test_words_that_are_no_answer_are_unreadable(fillers):
    assert read_answer(" ".join(fillers)) == UNREADABLE
