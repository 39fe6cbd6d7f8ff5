"""Extract the sentences of fmstoolkit and update its French and English catalogues.

    .venv/bin/python scripts/catalogues.py           # extract, merge into both .po files
    .venv/bin/python scripts/catalogues.py --check   # exit 1 if a sentence is missing or
                                                     # untranslated (what tests/test_i18n.py checks)

New sentences are added to both catalogues with an empty translation (English catalogues are
filled with the source sentence: msgids are English); sentences no longer in the code are
dropped. Then fill the French msgstr and run `make catalogues` to compile.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fmstoolkit.i18n_catalogue import LOCALE, extract, untranslated  # noqa: E402


def main(argv: list[str]) -> int:
    found = extract(ROOT / "fmstoolkit")
    if "--check" in argv:
        problems = untranslated(found)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    for lang in ("fr", "en"):
        path = LOCALE / lang / "LC_MESSAGES" / "fmstoolkit.po"
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        created = catalog.creation_date
        catalog.update(found, no_fuzzy_matching=True)
        catalog.creation_date = created  # no header churn: a change is the sentences only
        for message in catalog:
            empty = not message.string or (
                isinstance(message.string, tuple) and not all(message.string)
            )
            if lang == "en" and message.id and empty:
                message.string = message.id
        catalog.obsolete.clear()
        with path.open("wb") as f:
            # Sorted, without source locations: branches adding sentences merge without conflicts.
            write_po(f, catalog, width=100, omit_header=False, sort_output=True, no_location=True)
    print(f"{len(found)} sentences; fill the French ones, then `make catalogues`.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
