"""Resolve a git merge conflict in the catalogues: keep every translation of both sides.

    .venv/bin/python scripts/merge_catalogues.py      # during a merge with conflicted .po files

For each conflicted ``fmstoolkit.po``, reads our side and theirs (git's stages 2 and 3), keeps
each sentence translated on either side (ours first), writes the file and ``git add``s it. Run
``scripts/catalogues.py`` afterwards to drop sentences the merged code no longer has.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def _side(stage: int, path: str, lang: str):
    text = subprocess.run(
        ["git", "show", f":{stage}:{path}"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return read_po(io.BytesIO(text), locale=lang)


def _translated(message) -> bool:
    string = message.string
    return bool(string) and not (isinstance(string, tuple) and not all(string))


def main() -> int:
    conflicted = subprocess.run(
        ["git", "diff", "--name-only", "--diff-filter=U"], cwd=ROOT, capture_output=True,
        text=True, check=True,
    ).stdout.split()
    for path in (p for p in conflicted if p.endswith(".po")):
        lang = Path(path).parts[-3]
        ours, theirs = _side(2, path, lang), _side(3, path, lang)
        for message in theirs:
            if not message.id:
                continue
            mine = ours.get(message.id, message.context)
            if mine is None:
                ours[message.id] = message
            elif not _translated(mine) and _translated(message):
                mine.string = message.string
        with (ROOT / path).open("wb") as f:
            write_po(f, ours, width=100, omit_header=False, sort_output=True, no_location=True)
        subprocess.run(["git", "add", path], cwd=ROOT, check=True)
        print("merged", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
