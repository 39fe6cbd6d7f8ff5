"""The skills catalogue as the database stores it: the shipped file, its loader and alias keys.

The first migration loads the catalogue shipped in the package
(``fmstoolkit/resources/skills.csv``): each skill with its French and English labels, category
and base rate, and every name it may be typed as (``skill_aliases``). An alias is stored as its
:func:`normalize` key, which is also how the pool (:mod:`fmstoolkit.pool.skill_catalogue`) looks
a typed name up: both sides share this one function.

It lives beside the migrations, not in the pool, so that the migrations import it at top level
and the database layer depends on nothing of the domain above it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import sqlite_utils

from .. import resources

#: The skills catalogue shipped in the package (see :mod:`fmstoolkit.resources`).
SKILLS_CATALOGUE = resources.skills_catalogue()


def normalize(text: str) -> str:
    """Lower case, no accents, single spaces: 'Développeuse-Web ' -> 'developpeuse web'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9+#]+", " ", plain).strip()


def load_skills_catalogue(db: sqlite_utils.Database, path: Path | None = None) -> int:
    """Insert or update the skills catalogue and its aliases; return how many skills it holds."""
    path = path or SKILLS_CATALOGUE
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with db.atomic():
        for row in rows:
            skill = {
                "name": row["name"].strip(),
                "label_fr": row["label_fr"].strip(),
                "label_en": row["label_en"].strip(),
                "category": row["category"].strip(),
                "base_rate": int(row["base_rate"]) if row.get("base_rate") else None,
            }
            existing = db.execute(
                "SELECT id FROM skills WHERE name = ?", [skill["name"]]
            ).fetchone()
            if existing:
                skill_id = existing[0]
                db["skills"].update(skill_id, skill)
            else:
                skill_id = db["skills"].insert(skill).last_pk
            names = [skill["name"], skill["label_fr"], skill["label_en"]]
            names += [a for a in (row.get("aliases") or "").split("|") if a.strip()]
            for alias in {normalize(n) for n in names if normalize(n)}:
                db.execute(
                    "INSERT INTO skill_aliases (alias, skill_id) VALUES (?, ?) "
                    "ON CONFLICT(alias) DO NOTHING",
                    [alias, skill_id],
                )
    return db.execute("SELECT count(*) FROM skills").fetchone()[0]
