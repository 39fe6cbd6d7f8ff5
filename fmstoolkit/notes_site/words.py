"""Stored words of the notes database (seniority, verdict, status, source, category) as the
reader's language writes them: the pages never show a raw value."""

from __future__ import annotations

from typing import Any

from ..i18n import N_, _
from ..publish import SENIORITY_WORDS

#: Stored words, per column, and the words a reader sees.
VERDICTS = {"yes": N_("would rehire"), "maybe": N_("maybe"), "no": N_("would not rehire")}
STATUSES = {
    "planned": N_("planned"), "active": N_("active"), "ending": N_("ending"),
    "offboarded": N_("offboarded"), "alumni": N_("alumni"), "inactive": N_("inactive"),
    "forgotten": N_("forgotten"),
}  # fmt: skip
SOURCES = {"interview": N_("interview"), "freelancer": N_("freelancer")}
CATEGORIES = {
    "development": N_("development"), "design": N_("design"), "writing": N_("writing"),
    "marketing": N_("marketing"), "data": N_("data"), "consulting": N_("consulting"),
}  # fmt: skip
VALUE_WORDS: dict[str, dict[str, str]] = {
    "seniority": SENIORITY_WORDS,
    "would_rehire": VERDICTS,
    "last_would_rehire": VERDICTS,
    "verdict": VERDICTS,
    "status": STATUSES,
    "source": SOURCES,
    "category": CATEGORIES,
}

def word(column: str, value: Any) -> str:
    """A stored word of ``column`` as the reader's language writes it (the value as is when it
    is no word of that column)."""
    words = VALUE_WORDS.get(column, {})
    return _(words[value]) if value in words else ("" if value is None else str(value))
