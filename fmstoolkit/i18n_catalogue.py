"""The catalogues' upkeep: which sentences the code holds, and which lack a translation.

Used by ``scripts/catalogues.py`` (extract and merge) and ``tests/test_i18n.py`` (nothing
untranslated). Babel's extractor reads the source; besides :func:`fmstoolkit.i18n._`,
:func:`~fmstoolkit.i18n.N_` and ``ngettext``, the first argument of every error class and of
``Problem`` is a sentence (errors are translated when they are shown, in the reader's language).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent / "locale"
ERRORS = (
    "FmsError", "InvalidInput", "NotFound", "Conflict", "InvalidState", "DatabaseError",
    "DeliveryError", "Problem",
)  # fmt: skip
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "NC_": ((1, "c"), 2),
            "pgettext": ((1, "c"), 2)} | {name: None for name in ERRORS}
METHODS = [
    ("**.py", "python"),
    # the notes site's titles and descriptions (Datasette metadata, translated when loaded)
    ("resources/metadata.yml", "fmstoolkit.publish_metadata:extract_sentences"),
]
#: The messages' Jinja2 templates: ``{% trans trimmed %}`` blocks, as ``fmstoolkit.notify.render``
#: renders them (same extension and whitespace options, so a msgid is what rendering looks up).
TEMPLATE_METHODS = [
    ("notify/templates/**.html", "jinja2.ext:babel_extract"),
    ("notify/templates/**.txt", "jinja2.ext:babel_extract"),
    # the notes site's Datasette templates: _("...") calls (fmstoolkit.notes_site.pages gives `_`)
    ("resources/templates/**.html", "jinja2.ext:babel_extract"),
]
TEMPLATE_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "trimmed": "true",
    "newstyle_gettext": "true",
    "silent": "false",
}
TEMPLATE_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def extract(package: Path) -> Catalog:
    """Every sentence marked in the package: its Python source and its message templates."""
    catalog = Catalog(locale="en")
    passes = [
        (METHODS, KEYWORDS, None),
        (TEMPLATE_METHODS, TEMPLATE_KEYWORDS, {p: TEMPLATE_OPTIONS for p, _ in TEMPLATE_METHODS}),
    ]
    for methods, keywords, options in passes:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(package), methods, options_map=options, keywords=keywords,
            comment_tags=("i18n:",), strip_comment_tags=True,
        ):  # fmt: skip
            catalog.add(message, locations=[(filename, lineno)], auto_comments=comments,
                        context=context)  # fmt: skip
    return catalog


def catalogue(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "fmstoolkit.po").open("rb") as f:
        return read_po(f, locale=lang)


def untranslated(found: Catalog) -> list[str]:
    """One line per sentence of the code missing from a catalogue or without translation."""
    problems = []
    for lang in ("fr", "en"):
        known = catalogue(lang)
        for message in found:
            if not message.id:
                continue
            entry = known.get(message.id, message.context)
            where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
            if entry is None:
                problems.append(f"{lang}: missing {message.id!r} ({where})")
            elif entry.fuzzy or not entry.string or (
                isinstance(entry.string, tuple) and not all(entry.string)
            ):
                problems.append(f"{lang}: untranslated {message.id!r} ({where})")
    return problems
