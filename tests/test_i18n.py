"""One translation mechanism: every sentence of the code is in both catalogues, translated, and
what the catalogues hold is what the installed package reads; dates and amounts by Babel."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

from babel.messages.mofile import read_mo

from fmstoolkit import i18n, i18n_catalogue

PACKAGE = Path(i18n.__file__).resolve().parent


def _hashable(value):
    """A singular msgid/msgstr as it is, a plural one as a tuple."""
    return tuple(value) if isinstance(value, list | tuple) else value


def test_every_sentence_of_the_code_is_translated_in_both_languages():
    found = i18n_catalogue.extract(PACKAGE)
    assert len(found) > 50  # the extraction sees the code's sentences
    assert i18n_catalogue.untranslated(found) == []


def test_the_compiled_catalogues_are_those_of_the_po_files():
    """A .po edited without `make catalogues` would show stale sentences: compile, then test."""
    for lang in i18n.LANGS:
        po = i18n_catalogue.catalogue(lang)
        with (i18n_catalogue.LOCALE / lang / "LC_MESSAGES" / "fmstoolkit.mo").open("rb") as f:
            mo = read_mo(f)
        def entries(catalog):
            return {
                (m.context, _hashable(m.id)): _hashable(m.string)
                for m in catalog
                if m.id and m.string and not getattr(m, "fuzzy", False)
            }

        assert entries(mo) == entries(po), lang


def test_a_sentence_reads_in_the_language_asked_for():
    found = [m for m in i18n_catalogue.catalogue("fr") if m.id and "{" not in str(m.id)]
    message = found[0]
    assert i18n._(message.id, "fr") == message.string
    assert i18n._(message.id, "en") == message.id


def test_dates_and_amounts_are_written_the_way_each_language_writes_them():
    day = dt.date(2026, 12, 7)
    assert i18n.format_date(day, "fr") == "7 décembre 2026"
    assert i18n.format_date("2026-12-07", "en") == "7 December 2026"
    assert i18n.format_money(1520, "fr") == "1\u202f520\u00a0€"
    assert i18n.format_money(1520, "en") == "€1,520"
    assert i18n.format_number(4.5, "fr") == "4,5" and i18n.format_number(4.5, "en") == "4.5"
    assert i18n.format_date(None) == "" and i18n.format_money(None) == ""


def test_no_sentence_is_picked_by_hand_between_french_and_english(capsys):
    """One mechanism: no ``x if lang == "fr" else y`` left, and no f-string given to gettext
    (it could not be found in the catalogue). The skills' own French and English labels are
    data of the catalogue, not sentences, and may be picked by language."""
    by_hand = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name.startswith("i18n"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ('== "fr"' in line or "if fr " in line or re.search(r"\b_t\(", line)) and (
                "label_fr" not in line
            ):
                by_hand.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert by_hand == []
    hidden = []  # a sentence written inside an f-string's braces: the extraction cannot see it
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FormattedValue):
                for call in ast.walk(node.value):
                    if (
                        isinstance(call, ast.Call)
                        and getattr(call.func, "id", None) in ("_", "N_", "ngettext")
                        and call.args
                        and isinstance(call.args[0], ast.Constant)
                    ):
                        hidden.append(f"{path.relative_to(PACKAGE)}:{call.lineno}")
    assert hidden == []
    i18n_catalogue.extract(PACKAGE)
    skipped = [line for line in capsys.readouterr().err.splitlines() if "f-string" in line]
    assert skipped == []
