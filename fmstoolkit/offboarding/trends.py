"""What freelancers say about their onboarding, over time: average ratings per month (or
quarter) and the recurring themes of their suggestions.

Themes are counted with a small bilingual keyword table: the texts are short and few, and a
keyword table is explainable to the manager in a way a topic model is not.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlite_utils

from ..errors import InvalidInput
from ..i18n import N_, _
from ..pool import normalize

#: Recurring themes of suggestions: theme -> keywords (accents and case ignored, French and
#: English; a keyword matches the start of a word, so "doc" finds "documentation").
THEMES: dict[str, tuple[str, ...]] = {
    "documentation": ("doc", "wiki", "readme", "notion", "confluence"),
    "accesses": ("acces", "access", "compte", "account", "vpn", "permission", "droits", "badge"),
    "equipment": ("materiel", "ordinateur", "laptop", "equipment", "poste", "ecran"),
    "welcome": ("accueil", "welcome", "onboard", "parrain", "buddy", "integration", "presentation"),
    "brief": (
        "brief",
        "objectif",
        "scope",
        "perimetre",
        "clart",
        "clear",
        "clarif",
        "attente",
        "expectation",
        "cahier",
    ),  # fmt: skip
    "communication": (
        "communic",
        "slack",
        "reunion",
        "meeting",
        "point",
        "daily",
        "feedback",
        "retour",
    ),  # fmt: skip
    "tools": ("environnement", "environment", "setup", "install", "outil", "tool", "ci"),
    "planning": ("planning", "delai", "deadline", "calendrier", "schedule", "charge"),
    "payment": ("paiement", "payment", "facture", "invoice", "factur"),
}
THEME_LABELS = {
    "documentation": N_("documentation"),
    "accesses": N_("accesses and accounts"),
    "equipment": N_("equipment"),
    "welcome": N_("welcome and integration"),
    "brief": N_("clarity of the brief"),
    "communication": N_("communication"),
    "tools": N_("tools and setup"),
    "planning": N_("planning and deadlines"),
    "payment": N_("invoicing and payment"),
}


def themes_of(text: str | None) -> set[str]:
    """The themes a suggestion talks about."""
    words = normalize(text or "").split()
    return {
        theme for theme, keys in THEMES.items() if any(w.startswith(k) for w in words for k in keys)
    }


def _period(day: str, by: str) -> str:
    year, month = int(day[:4]), int(day[5:7])
    return f"{year}-Q{(month - 1) // 3 + 1}" if by == "quarter" else f"{year}-{month:02d}"


def feedback_trends(db: sqlite_utils.Database, by: str = "month") -> dict[str, Any]:
    """Onboarding feedback over time: average ratings per month (or quarter) and the recurring
    themes of the suggestions, most frequent first, with a few examples each."""
    if by not in ("month", "quarter"):
        raise InvalidInput("Group by month or quarter.", field="by")
    rows = list(
        db.query(
            "SELECT fb.onboarding, fb.integration, fb.clarity, fb.suggestions, fb.source, "
            "COALESCE(substr(fb.created_at, 1, 10), m.end_date) AS day "
            "FROM feedback fb JOIN missions m ON m.id = fb.mission_id ORDER BY day"
        )
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(_period(r["day"], by), []).append(r)
    periods = []
    for period, items in groups.items():
        entry: dict[str, Any] = {"period": period, "responses": len(items)}
        for key in ("onboarding", "integration", "clarity"):
            values = [i[key] for i in items if i[key] is not None]
            entry[key] = round(sum(values) / len(values), 2) if values else None
        periods.append(entry)
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    suggestions = [r["suggestions"] for r in rows if r["suggestions"]]
    for text in suggestions:
        for theme in themes_of(text):
            counts[theme] += 1
            if len(examples.setdefault(theme, [])) < 3:
                examples[theme].append(text)
    themes = [
        {
            "theme": theme,
            "label": _(THEME_LABELS[theme]),
            "count": n,
            "examples": examples[theme],
        }
        for theme, n in counts.most_common()
    ]
    return {"by": by, "periods": periods, "themes": themes, "suggestions": len(suggestions)}
