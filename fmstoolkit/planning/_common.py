"""Small helpers shared by the planning modules, and the status and seniority constants.

Language choice (``_lang``, ``_seniority_word``), dates read from text or dates
(``_date``, ``_iso``, ``_today``), the skill, freelancer and project look-ups that raise a
bilingual error naming the field, and the whole-number check used by requests and rates.
They live apart so that each planning module imports what it needs without importing another
module's logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from .. import clock, pool
from ..config import get_settings
from ..dates import day_or_today, parse_date
from ..errors import InvalidInput, NotFound, Problem
from ..i18n import N_, _
from ..models import (  # noqa: F401 - the status words, from their enums
    OPEN_MISSION_STATUSES,
    OPEN_REQUEST_STATUSES,
    RANKED_STATUSES,
    SENIORITIES,
)
from ..models.validation import MAX_ID
from .calendar import working_days

#: Availability confirmed more recently than this many days is "fresh".
FRESH_DAYS = 14
STALE_DAYS = 60


def _lang(lang: str | None = None) -> str:
    return lang or get_settings().lang


#: Seniorities are stored as these English words; sentences show them translated.
_SENIORITY_WORDS = {"junior": N_("junior"), "confirmed": N_("confirmed"), "senior": N_("senior")}


def _seniority_word(seniority: str | None, lang: str) -> str:
    """A stored seniority (junior/confirmed/senior) as a word of ``lang``."""
    text = str(seniority or "")
    return _(_SENIORITY_WORDS[text], lang) if text in _SENIORITY_WORDS else text


def _today(today: dt.date | str | None = None) -> dt.date:
    return day_or_today(today)


def _now() -> str:
    return clock.stamp()


def _date(value: dt.date | dt.datetime | str, field_name: str = "date") -> dt.date:
    return parse_date(value, field_name)


def _iso(day: dt.date | str) -> str:
    return day.isoformat() if isinstance(day, dt.date) else str(day)


def _count_working_days(start: str | dt.date, end: str | dt.date) -> int:
    return len(working_days(_date(start), _date(end)))


def _skill(db: sqlite_utils.Database, skill: str | int, field_name: str = "skill") -> dict:
    if isinstance(skill, int) or (isinstance(skill, str) and skill.strip().isdecimal()):
        number = int(skill)
        row = number <= MAX_ID and db.execute(
            "SELECT id FROM skills WHERE id = ?", [number]
        ).fetchone()
        if row:
            return db["skills"].get(row[0])
    if not str(skill or "").strip():
        raise InvalidInput(
            "Say which skill is needed.", field=field_name
        )
    return pool.resolve_skill(db, str(skill), field=field_name)


def _skill_label(skill: Mapping[str, Any], lang: str) -> str:
    return skill["label_fr"] if lang == "fr" else skill["label_en"]


def _freelancer_row(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    return pool.freelancer_row(db, freelancer_id)


def _project_id(
    db: sqlite_utils.Database, project: int | str, *, create: bool = True
) -> tuple[int, bool]:
    """The id of the project named or numbered by ``project``; create it by name if missing."""
    text = str(project if project is not None else "").strip()
    if not text:
        raise InvalidInput(
            "Say which project the request is for.",
            field="project",
        )
    if isinstance(project, int) or text.isdecimal():
        row = int(text) <= MAX_ID and db.execute(
            "SELECT id FROM projects WHERE id = ?", [int(text)]
        ).fetchone()
        if row:
            return row[0], False
        raise NotFound(
            "No project #{id}. Give its name to create it.",
            field="project",
            id=text,
        )
    row = db.execute("SELECT id FROM projects WHERE name = ? COLLATE NOCASE", [text]).fetchone()
    if row:
        return row[0], False
    if not create:
        raise NotFound(
            "No project named '{name}'.", field="project", name=text
        )
    return db["projects"].insert(
        {"name": text, "created_at": clock.today().isoformat()}
    ).last_pk, True


def _positive_int(
    value: Any, field_name: str, problems: list[Problem], *, low: int = 1, high: int = 10_000
) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        problems.append(
            Problem(
                "a whole number from {low} to {high} is expected (got '{value}')",
                field=field_name,
                params={"low": low, "high": high, "value": value},
            )
        )
        return None
    return number
