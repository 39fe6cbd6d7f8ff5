"""Skills as people type them, resolved through the catalogue.

Skill names typed by people ("Développeuse Web", "dev web", "React.js") are normalised (case,
accents, punctuation) and resolved through the catalogue shipped in the package
(``fmstoolkit/resources/skills.csv``, loaded by the first migration, see
:mod:`fmstoolkit.db.catalogue`), which gives each skill French and English labels and aliases.
An unknown skill is refused with the closest known one suggested (``difflib`` from the standard
library is enough for a catalogue of this size).

(Named ``skill_catalogue`` rather than ``skills`` so that ``pool.skills`` stays the function
listing the catalogue.)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from ..db.catalogue import SKILLS_CATALOGUE, load_skills_catalogue, normalize
from ..errors import InvalidInput, Problem
from ..i18n import LANGS, Localized
from ..models import SkillLevel

__all__ = [
    "SKILLS_CATALOGUE",
    "load_skills_catalogue",
    "normalize",
    "parse_skills",
    "resolve_skill",
    "skill_aliases",
    "skill_label",
    "skills",
    "unknown_skill_problem",
]


def skill_aliases(db: sqlite_utils.Database) -> dict[str, int]:
    """Every normalised alias (names and labels included) mapped to its skill id."""
    return dict(db.execute("SELECT alias, skill_id FROM skill_aliases").fetchall())


def skills(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The catalogue, sorted by category then French label."""
    return list(db.query("SELECT * FROM skills ORDER BY category, label_fr"))


def skill_label(skill: Mapping[str, Any], lang: str = "fr") -> str:
    return skill["label_fr"] if lang == "fr" else skill["label_en"]


def resolve_skill(
    db: sqlite_utils.Database,
    text: str,
    *,
    aliases: Mapping[str, int] | None = None,
    field: str = "skill",
    row: int | None = None,
) -> dict[str, Any]:
    """The catalogue skill named by ``text`` (any label or alias, any case or accents).

    Raises :class:`InvalidInput` naming the closest known skill when there is no match.
    """
    aliases = aliases if aliases is not None else skill_aliases(db)
    key = normalize(text)
    if key in aliases:
        return db["skills"].get(aliases[key])
    raise InvalidInput(
        "Unknown skill '{text}'.",
        field=field,
        problems=[unknown_skill_problem(db, text, aliases, field=field, row=row)],
        text=text,
    )


def unknown_skill_problem(
    db: sqlite_utils.Database,
    text: str,
    aliases: Mapping[str, int],
    *,
    field: str = "skills",
    row: int | None = None,
) -> Problem:
    """A problem saying that ``text`` is no known skill, with the closest one suggested."""
    close = difflib.get_close_matches(normalize(text), list(aliases), n=1, cutoff=0.5)
    if close:
        skill = db["skills"].get(aliases[close[0]])
        # The skill's label in each language is a column of the catalogue.
        label = Localized(by_lang={lang: skill_label(skill, lang) for lang in LANGS})
        return Problem(
            "unknown skill '{skill}'; did you mean '{label}' ({name})?",
            field=field,
            row=row,
            params={"skill": text, "name": skill["name"], "label": label},
        )
    return Problem(
        "unknown skill '{skill}'; `fms skills` lists the known ones",
        field=field,
        row=row,
        params={"skill": text},
    )


def parse_skills(
    db: sqlite_utils.Database,
    spec: str | Mapping[str, int] | Iterable[tuple[str, int]],
    *,
    aliases: Mapping[str, int] | None = None,
    row: int | None = None,
    field: str = "skills",
) -> tuple[dict[int, int], list[Problem]]:
    """Parse ``"react:4;ux design:3"`` (or a mapping, or pairs) into ``{skill_id: level}``.

    Returns the parsed skills and the problems found (unknown skill, bad level); the caller
    decides whether a problem aborts.
    """
    aliases = aliases if aliases is not None else skill_aliases(db)
    pairs: list[tuple[str, Any]] = []
    if isinstance(spec, str):
        for part in re.split(r"[;|]", spec):
            if not part.strip():
                continue
            name, sep, level = part.rpartition(":")
            if not sep:
                name, level = part, 3
            pairs.append((name.strip(), level))
    elif isinstance(spec, Mapping):
        pairs = list(spec.items())
    else:
        pairs = list(spec)
    parsed: dict[int, int] = {}
    problems: list[Problem] = []
    for name, level in pairs:
        key = normalize(name)
        if key not in aliases:
            problems.append(unknown_skill_problem(db, name, aliases, field=field, row=row))
            continue
        try:
            lvl = SkillLevel(skill=name, level=str(level).strip() or 3).level
        except Exception:
            problems.append(
                Problem(
                    "the level of '{skill}' must be a whole number from 1 to 5 (got '{level}')",
                    field=field,
                    row=row,
                    params={"skill": name, "level": level},
                )
            )
            continue
        parsed[aliases[key]] = max(lvl, parsed.get(aliases[key], 0))
    return parsed, problems
