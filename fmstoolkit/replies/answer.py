"""What a freelancer answered, read from the text of their e-mail reply (pure, no I/O).

Two steps:

1. :func:`reply_text` keeps what the freelancer wrote *above the quoted text*: quoted lines
   (``>``) and the attribution line(s) before them ("Le mer. 25 nov. 2026 à 10:00, Agence
   Durand <...> a écrit :", "On ... wrote:", also when the mail client wrapped it on two lines)
   go first; then `mail-parser-reply`_ cuts the Outlook-style headers ("De : ... Envoyé : ...",
   "-----Original Message-----"), signatures and disclaimers, in French and English; last, the
   text stops at the first line that repeats a line of the message we sent (for mail software
   that pastes the original without marking it as quoted), and at a ``--`` signature line.
   mail-parser-reply because it is maintained, has no dependency and knows the French
   headers; it misses the attribution lines wrapped on two lines (what Gmail does with a long
   sender name), hence the first step. ``quotequail`` was tried too: it needs lxml and does not
   know Outlook's French headers.
2. :func:`read_answer` reads the answer in that text: the *first* answer word among its first
   :data:`FIRST_WORDS` words decides ("Oui, dispo !" → yes, "Non merci" → no, "peut etre" →
   maybe, "Bonjour Claire, oui je suis dispo" → yes, "je ne suis pas dispo" → no); a word
   asking to unsubscribe ("désinscription", "unsubscribe"), anywhere in the reply or in the
   subject, wins over everything; anything else is :data:`UNREADABLE`, left for the manager.
   Words are compared case-folded, without accents or punctuation.

Nothing here raises on odd input: any text ends in an answer or in :data:`UNREADABLE`.

.. _mail-parser-reply: https://github.com/alfonsrv/mail-parser-reply
"""

from __future__ import annotations

import re
import unicodedata

from mailparser_reply import EmailReplyParser

YES, NO, MAYBE = "yes", "no", "maybe"
UNSUBSCRIBE = "unsubscribe"
UNREADABLE = "unreadable"
#: What :func:`read_answer` returns.
OUTCOMES = (YES, NO, MAYBE, UNSUBSCRIBE, UNREADABLE)

#: The answer must start within the first words of the reply (after a greeting, a name).
FIRST_WORDS = 8
#: Only the start of a reply is read: the answer is at the top, and the parsers stay fast.
MAX_CHARS = 20_000

#: Answer phrases, as folded words. Where a phrase starts inside another ("pas dispo" holds
#: "dispo"), the one starting first wins, so negations come out right.
PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
    YES: (
        ("oui",), ("ouais",), ("ouiii",), ("yes",), ("yep",), ("yeah",), ("ok",), ("okay",),
        ("d", "accord"), ("dispo",), ("disponible",), ("available",), ("volontiers",),
        ("avec", "plaisir"), ("partant",), ("partante",), ("sure",),
    ),
    NO: (
        ("non",), ("no",), ("nope",), ("pas", "dispo"), ("pas", "disponible"),
        ("indisponible",), ("not", "available"), ("unavailable",), ("pas", "libre"),
        ("pas", "possible"), ("impossible",), ("not", "possible"),
    ),
    MAYBE: (
        ("peut", "etre"), ("peutetre",), ("pt", "etre"), ("maybe",), ("perhaps",),
        ("possibly",), ("possiblement",), ("possible",),
    ),
}
#: Words that ask for no more messages, anywhere in the reply or the subject.
UNSUBSCRIBE_WORDS = frozenset(
    {
        "desinscription", "desinscrire", "desinscrivez", "desinscris", "desinscrit",
        "desabonner", "desabonnement", "desabonnez", "unsubscribe", "unsubscribed",
    }
)
#: A reply that is only one of these words also unsubscribes.
STOP_WORDS = frozenset({"stop", "stopp"})

_PARSER = EmailReplyParser(languages=["fr", "en"])
_QUOTED = re.compile(r"^\s*>")
_ATTRIBUTION = re.compile(r"(a\s+[ée]crit|wrote|[ée]crit)\s*:\s*$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^\s*--\s*$")
_MOBILE = re.compile(
    r"^\s*(envoy[ée] de mon|sent from my|get outlook for|obtenir outlook pour)", re.IGNORECASE
)


def words(text: str) -> list[str]:
    """``text`` as folded words: case-folded, accents and punctuation removed."""
    folded = unicodedata.normalize("NFKD", str(text).casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", plain).split()


def _drop_quotes(lines: list[str]) -> list[str]:
    """Without quoted lines, and without the attribution ("... a écrit :", up to three lines,
    as mail software wraps it) right before a quoted block."""
    kept: list[str] = []
    for line in lines:
        if not _QUOTED.match(line):
            kept.append(line)
            continue
        end = len(kept)
        while end and not kept[end - 1].strip():
            end -= 1
        start = end
        while start and kept[start - 1].strip() and end - start < 3:
            start -= 1
        if start < end and _ATTRIBUTION.search(" ".join(s.strip() for s in kept[start:end])):
            del kept[start:]
    return kept


def _until_original(lines: list[str], original: str | None) -> list[str]:
    """Stop at the first line repeating a line (of two words or more) of our message."""
    if not original:
        return lines
    ours = {" ".join(w) for w in map(words, original.splitlines()) if len(w) >= 2}
    for i, line in enumerate(lines):
        if " ".join(words(line)) in ours:
            return lines[:i]
    return lines


def reply_text(body: str, original: str | None = None) -> str:
    """What the freelancer wrote above the quoted text (see the module's docstring)."""
    text = str(body or "")[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    lines = _drop_quotes(text.split("\n"))
    try:
        cut = _PARSER.parse_reply(text="\n".join(lines))
    except Exception:  # a third-party parser must not stop the mail being read
        cut = None
    lines = (cut if cut is not None else "\n".join(lines)).split("\n")
    lines = _until_original(lines, original)
    out: list[str] = []
    for line in lines:
        if _SIGNATURE.match(line) or _MOBILE.match(line):
            break
        out.append(line)
    return "\n".join(out).strip()


def _first_answer(tokens: list[str]) -> str | None:
    best: tuple[int, int, str] | None = None  # (start, -length, answer)
    for answer, phrases in PHRASES.items():
        for phrase in phrases:
            n = len(phrase)
            for start in range(min(len(tokens), FIRST_WORDS)):
                if tuple(tokens[start:start + n]) == phrase:
                    candidate = (start, -n, answer)
                    if best is None or candidate < best:
                        best = candidate
                    break
    return best[2] if best else None


def read_answer(body: str, subject: str = "", original: str | None = None) -> str:
    """The answer in a reply's text: yes, no, maybe, unsubscribe, or unreadable.

    ``original`` is the text of the message replied to, when known (see :func:`reply_text`).
    """
    tokens = words(reply_text(body, original))
    subject_words = words(subject)
    if UNSUBSCRIBE_WORDS.intersection(tokens) or UNSUBSCRIBE_WORDS.intersection(subject_words):
        return UNSUBSCRIBE
    if tokens and set(tokens) <= STOP_WORDS:
        return UNSUBSCRIBE
    return _first_answer(tokens) or UNREADABLE
