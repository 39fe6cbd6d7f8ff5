"""Fill French translations into the catalogue from a JSON file.

The file maps msgid to msgstr, or to [singular, plural] for a plural sentence; a sentence with
a context (``pgettext``) is keyed "context\u0004msgid", as gettext does:

    .venv/bin/python scripts/fill_translations.py translations.json

Only empty entries are filled (a translation already there is kept); prints what is still empty.
Then `make catalogues`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "fmstoolkit/locale/fr/LC_MESSAGES/fmstoolkit.po"


def main(argv: list[str]) -> int:
    wanted = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    with PO.open("rb") as f:
        catalog = read_po(f, locale="fr")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        string = message.string
        empty = not string or (isinstance(string, tuple) and not all(string))
        if not empty:
            continue
        if message.context:
            key = f"{message.context}\x04{key}"
        if key in wanted:
            value = wanted[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
        else:
            missing.append(key)
    with PO.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False, sort_output=True, no_location=True)
    for key in missing:
        print("still empty:", key)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
