"""Every sentence a user sees, in their language, and the dates and amounts in it.

One mechanism: GNU gettext catalogues managed with Babel. The source strings are English
(``msgid``); ``fmstoolkit/locale/<lang>/LC_MESSAGES/fmstoolkit.po`` holds the French and English
catalogues, compiled to ``.mo`` when the package is built or installed (``setup.py``) and by
``make``. ``pybabel extract`` finds the strings marked with :func:`_` / :func:`N_` (and the
sentences of :class:`fmstoolkit.errors.FmsError`), see ``babel.cfg``; ``tests/test_i18n.py``
fails when one has no translation.

Why gettext and Babel: the standard library's ``gettext`` reads compiled catalogues at no cost,
Babel extracts, updates and compiles them and knows the CLDR formats of dates, numbers and
currencies for every locale, so no month name or thousands separator is written by hand here.

- :func:`_` translates now, in ``lang`` or the settings' language;
- :func:`N_` only marks a string (a constant translated later, such as an error's sentence);
- :class:`Localized` is a value of a sentence written in each language (a label), resolved
  with the sentence;
- :func:`format_date`, :func:`format_money`, :func:`format_number` format for ``lang``.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib.resources import files

from babel.dates import format_date as _babel_date
from babel.numbers import format_currency, format_decimal

from .config import get_settings

DOMAIN = "fmstoolkit"
LANGS = ("fr", "en")
#: The Babel locale of each language (British English writes "2 March 2026", as French does).
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
#: One way to write a date on screen, per language: "2 mars 2026" / "2 March 2026".
DATE_FORMAT = "long"
#: Whole euros, as the agency quotes a daily rate: "520 €" / "€520".
MONEY_FORMAT = {"fr": "#,##0\u00a0¤", "en": "¤#,##0"}


class Localized:
    """A value written differently in each language, put in a sentence when it is translated:
    a checklist item's label (a msgid) or a skill's label (a column per language of the
    catalogue). An error holds it among its params and is shown later, in the reader's
    language: the sentence and its values are then in the same one."""

    __slots__ = ("by_lang", "msgid")

    def __init__(self, msgid: str | None = None, *, by_lang: Mapping[str, str] | None = None):
        self.msgid = msgid
        self.by_lang = dict(by_lang or {})

    def in_lang(self, lang: str | None = None) -> str:
        lang = current_lang(lang)
        if self.msgid is not None:
            return _(self.msgid, lang)
        return self.by_lang.get(lang) or next(iter(self.by_lang.values()), "")

    def __str__(self) -> str:
        return self.in_lang()

    def __repr__(self) -> str:
        return f"Localized({self.msgid or self.by_lang!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Localized) and (self.msgid, self.by_lang) == (
            other.msgid, other.by_lang
        )

    __hash__ = None


class Money:
    """An amount in whole euros, written when its sentence is translated ("5 000 €" /
    "€5,000"), so that an error or a warning made now is shown later in its reader's format."""

    __slots__ = ("amount",)

    def __init__(self, amount: float | int) -> None:
        self.amount = amount

    def in_lang(self, lang: str | None = None) -> str:
        return format_money(self.amount, lang)

    def __repr__(self) -> str:
        return f"Money({self.amount!r})"


class Day:
    """A date, written when its sentence is translated ("13 mars 2026" / "13 March 2026")."""

    __slots__ = ("day",)

    def __init__(self, day: dt.date | str) -> None:
        self.day = day

    def in_lang(self, lang: str | None = None) -> str:
        return format_date(self.day, lang)

    def __repr__(self) -> str:
        return f"Day({self.day!r})"


def localized(params: Mapping[str, object], lang: str | None = None) -> dict[str, object]:
    """``params`` with every :class:`Localized`, :class:`Money` and :class:`Day` value written
    in ``lang``."""
    return {
        k: v.in_lang(lang) if isinstance(v, Localized | Money | Day) else v
        for k, v in params.items()
    }


def current_lang(lang: str | None = None) -> str:
    """``lang`` when it is one of ours, else the settings' language (``FMS_LANG``)."""
    if lang in LANGS:
        return lang
    try:
        return get_settings().lang
    except ValueError:  # a broken setting must not hide the sentence being reported
        return "fr"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English falls back to the source strings)."""
    localedir = str(files(__package__).joinpath("locale"))
    return _gettext.translation(DOMAIN, localedir, languages=[lang], fallback=lang == "en")


def _(message: str, lang: str | None = None) -> str:
    """``message`` (an English source string) in ``lang`` or the settings' language."""
    return translations(current_lang(lang)).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """The singular or plural form of a sentence for ``n``, in ``lang``."""
    return translations(current_lang(lang)).ngettext(singular, plural, n)


def pgettext(context: str, message: str, lang: str | None = None) -> str:
    """``message`` of ``context`` (the same English word can need two French ones) in ``lang``."""
    return translations(current_lang(lang)).pgettext(context, message)


def NC_(context: str, message: str) -> str:
    """Mark ``message`` of ``context`` for translation (translated later with :func:`pgettext`)."""
    return message


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (it is translated when shown)."""
    return message


def format_date(value: dt.date | str | None, lang: str | None = None) -> str:
    """A date as people read it: "2 mars 2026" / "2 March 2026" (empty for None)."""
    if value in (None, ""):
        return ""
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return _babel_date(day, format=DATE_FORMAT, locale=LOCALES[current_lang(lang)])


def format_day(value: dt.date | str, lang: str | None = None) -> str:
    """A day of a list of days, short: "8 déc." / "8 Dec"."""
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return _babel_date(day, format="d MMM", locale=LOCALES[current_lang(lang)])


def format_month(value: dt.date, lang: str | None = None) -> str:
    """A month as people name it: "janvier 2027" / "January 2027"."""
    return _babel_date(value, format="LLLL y", locale=LOCALES[current_lang(lang)])


def format_money(amount: float | int | None, lang: str | None = None) -> str:
    """Whole euros: "1 520 €" / "€1,520" (empty for None)."""
    if amount is None:
        return ""
    lang = current_lang(lang)
    return format_currency(
        amount, "EUR", format=MONEY_FORMAT[lang], locale=LOCALES[lang], currency_digits=False
    )


def format_cents(cents: int | None, lang: str | None = None) -> str:
    """An amount in cents (what a transfer pays): "6 000,50 €" / "€6,000.50" (empty for None)."""
    if cents is None:
        return ""
    return format_currency(Decimal(cents) / 100, "EUR", locale=LOCALES[current_lang(lang)])


def format_number(value: float | int | None, lang: str | None = None, digits: int = 1) -> str:
    """A number with the language's decimal sign: "4,5" / "4.5" (empty for None)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES[current_lang(lang)])
