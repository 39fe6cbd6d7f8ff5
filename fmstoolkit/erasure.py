"""Find and replace what identifies one person in free text: names, e-mails, phones, chat ids.

:mod:`fmstoolkit.privacy` decides *where* to look; this module decides *what* matches:

* **names** match whatever the case and the accents ("Hélène", "HELENE", "hélène" written with
  combining accents), with any run of spaces or hyphens between the words of a full name, and
  only as whole words ("Jean" does not match "Jeanne"); the comparison folds both sides to
  Unicode case-folded letters without combining marks, then maps the match back onto the
  original text so that only the name is replaced;
* **e-mail addresses** match case-insensitively (case folding, so ``ZOÉ@EXÄMPLE.ORG`` is
  ``zoé@exämple.org``);
* **phone numbers** match by their digits, whatever the spacing and punctuation and with or
  without the country code: any run of at least 8 digits (with spaces, dots, dashes or
  brackets between them) whose last 9 digits are the phone's last 9 digits;
* **Telegram chat ids and link tokens** match as whole words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: What an e-mail, a phone or a chat id is replaced by.
ERASED = "[…]"
#: Separators allowed between the words of a name.
_NAME_GAP = r"[\s\-\u2010\u2011]+"
_PHONE_RE = re.compile(r"\+?\(?\d[\d\s().\-]{6,}\d")
#: Digits compared at the end of a phone number (a French number without its 0 or +33).
PHONE_TAIL = 9


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` case-folded and without accents, with the index in ``text`` of each character."""
    out: list[str] = []
    where: list[int] = []
    for i, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                out.append(folded)
                where.append(i)
    return "".join(out), where


def folded(text: str) -> str:
    return fold(text)[0]


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def quick_fold(text: str) -> str:
    """:func:`folded` at C speed, without the index map: to tell quickly whether to look closer."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def name_words(name: str) -> list[str]:
    """The words of a name, folded (hyphenated first names are split too)."""
    return [w for w in re.split(r"[\s\-\u2010\u2011]+", folded(name).strip()) if w]


def _name_pattern(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    body = _NAME_GAP.join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@dataclass
class Identity:
    """Everything that identifies one person in a text, and what replaces it.

    ``names`` are replaced everywhere the identity is applied; ``short_names`` (first name,
    surname) only where :meth:`erase` is called with ``short=True`` (texts about the person).
    """

    label: str
    names: list[str] = field(default_factory=list)
    short_names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # chat ids, link tokens, IBANs

    def __post_init__(self) -> None:
        def patterns(names: list[str]) -> list[re.Pattern[str]]:
            found = [_name_pattern(name_words(n)) for n in names]
            # Longest first: "Hélène Dupré" before "Hélène".
            return sorted((p for p in found if p), key=lambda p: len(p.pattern), reverse=True)

        self._names = patterns(self.names)
        self._short = patterns([n for n in self.short_names if len(folded(n)) >= 2])
        self._emails = [folded(e.strip()) for e in self.emails if e and e.strip()]
        self._tails = {
            _digits(p)[-PHONE_TAIL:] for p in self.phones if p and len(_digits(p)) >= 8
        }
        self._words = [
            (str(w), re.compile(rf"(?<![\w-]){re.escape(str(w))}(?![\w-])", re.IGNORECASE))
            for w in self.words
            if w is not None and len(str(w)) >= 4
        ]
        probe = [p.pattern for p in self._names] + [re.escape(e) for e in self._emails]
        # the probe runs on the folded text: fold the words too (a link token or an IBAN has
        # capitals, which the probe never found before)
        probe += [re.escape(folded(w)) for w, _ in self._words]
        short_probe = probe + [p.pattern for p in self._short]
        #: One expression per case, run on the folded text: does anything but a phone match?
        self._probe = re.compile("|".join(probe)) if probe else None
        self._short_probe = re.compile("|".join(short_probe)) if short_probe else None
        self._email_patterns = [
            re.compile(rf"(?<![\w.+-]){re.escape(e)}(?![\w-])") for e in self._emails
        ]

    def _replace_folded(self, text: str, patterns: list[re.Pattern[str]], label: str) -> str:
        """Replace matches found in the folded text on the original text."""
        for pattern in patterns:
            flat, where = fold(text)
            spans = [
                (where[m.start()], where[m.end() - 1] + 1) for m in pattern.finditer(flat)
            ]
            for start, end in reversed(spans):
                while end < len(text) and unicodedata.combining(text[end]):
                    end += 1  # the accents written after the last letter
                text = text[:start] + label + text[end:]
        return text

    def _replace_phones(self, text: str) -> str:
        def one(match: re.Match[str]) -> str:
            digits = _digits(match.group())
            if len(digits) >= 8 and digits[-PHONE_TAIL:] in self._tails:
                return ERASED
            return match.group()

        return _PHONE_RE.sub(one, text)

    def erase(self, text: str | None, *, short: bool = False) -> str | None:
        """``text`` with this person's identifiers replaced (None stays None).

        Each kind of identifier is looked for first at C speed (a folded copy, ``in``, one
        regular expression); the per-character folding that maps a match back onto the text
        runs only for the texts that hold one.
        """
        if not text or not isinstance(text, str):
            return text
        flat = quick_fold(text)
        probe = self._short_probe if short else self._probe
        if not (probe and probe.search(flat)) and not (self._tails and _PHONE_RE.search(text)):
            return text
        if any(e in flat for e in self._emails):
            text = self._replace_folded(text, self._email_patterns, ERASED)
        if self._tails and any(
            _digits(m.group())[-PHONE_TAIL:] in self._tails for m in _PHONE_RE.finditer(text)
        ):
            text = self._replace_phones(text)
        for _word, pattern in self._words:
            text = pattern.sub(ERASED, text)
        names = self._names + self._short if short else self._names
        hits = [p for p in names if p.search(flat)]
        if hits:
            text = self._replace_folded(text, [p for p in names if p in hits], self.label)
        return text

    def mentions(self, text: str | None) -> bool:
        """Whether ``text`` names this person otherwise than by a first name or surname alone."""
        return bool(text) and self.erase(text) != text
