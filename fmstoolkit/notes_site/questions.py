"""The usual questions of the notes site, in plain words: the home page's links and what the
answer pages add to the canned queries' rows.

The canned queries themselves are in ``fmstoolkit/resources/metadata.yml`` (``hide_sql``);
here, read with the page's database connection:

- :func:`home`: the skills the agency has most notes about, as ready-made links to "whom did
  we work with for this skill, and how did it go";
- :func:`answer`: for a skill or a seniority that names nothing, the closest one (``difflib``
  over the published aliases, as the planning's skill lookup does: enough for a catalogue of a
  few hundred names); for a search, the facets of the matching notes (skill, verdict, year)
  and how many notes match;
- :data:`COLUMNS`: the words and formats of the answers' columns.
"""

from __future__ import annotations

import difflib
import json
from typing import Any
from urllib.parse import urlencode

from datasette.utils import escape_fts

from ..db.catalogue import normalize
from ..i18n import N_, _, current_lang
from .words import word

#: The canned queries drawn by the site's question template, and their parameters' labels.
QUESTIONS: dict[str, dict[str, str]] = {
    "who_for_skill": {"skill": N_("Skill (any label or alias)")},
    "fair_rate": {
        "skill": N_("Skill (any label or alias)"),
        "seniority": N_("Seniority (junior, confirmé, senior; empty for all)"),
    },
    "missions_of": {"freelancer": N_("Freelancer (number or part of the name)")},
    "notes_mentioning": {"q": N_("Words to look for")},
}

#: Answer columns: title (msgid) and format (money, rating, share, word, count, date, text).
COLUMNS: dict[str, tuple[str, str]] = {
    "freelancer": (N_("Freelancer"), "freelancer"),
    "skill": (N_("Skill"), "text"),
    "city": (N_("City"), "text"),
    "seniority": (N_("Seniority"), "word"),
    "notes": (N_("Notes"), "count"),
    "average_rating": (N_("Average rating (1-5)"), "rating"),
    "would_rehire_share": (N_("Would rehire"), "share"),
    "would_not_rehire": (N_("Would not rehire"), "count"),
    "last_year": (N_("Last mission"), "text"),
    "last_daily_rate": (N_("Last daily rate"), "money"),
    "missions": (N_("Missions counted"), "count"),
    "min_rate": (N_("Minimum"), "money"),
    "q1_rate": (N_("First quartile"), "money"),
    "median_rate": (N_("Median"), "money"),
    "q3_rate": (N_("Third quartile"), "money"),
    "max_rate": (N_("Maximum"), "money"),
    "avg_rate": (N_("Average"), "money"),
    "project": (N_("Project"), "text"),
    "start_date": (N_("Start"), "date"),
    "end_date": (N_("End"), "date"),
    "days": (N_("Days"), "count"),
    "daily_rate": (N_("Daily rate"), "money"),
    "status": (N_("Status"), "word"),
}

POPULAR_SKILLS = """select fms_label(s.label_fr, s.label_en) as label, count(*) as freelancers,
    sum(r.notes) as notes
from rehire_candidates r join skills s on s.id = r.skill_id
group by r.skill_id order by notes desc limit :limit"""

BENCHMARK_BOXES = """select fms_label(s.label_fr, s.label_en) as skill, b.seniority, b.min_rate,
    b.q1_rate, b.median_rate, b.q3_rate, b.max_rate
from rate_benchmarks b join skills s on s.id = b.skill_id
where b.skill_id = (select skill_id from skill_aliases where alias = fms_key(:skill))
order by case b.seniority when 'junior' then 1 when 'confirmed' then 2 else 3 end"""

SEARCH_FACETS = """select notes.skill_id, fms_label(s.label_fr, s.label_en) as skill,
    notes.would_rehire, notes.year, count(*) as n
from notes_fts join notes on notes.rowid = notes_fts.rowid
left join skills s on s.id = notes.skill_id
where notes_fts match :q
  and (:skill = '' or notes.skill_id in (
    select skill_id from skill_aliases where alias = fms_key(:skill)))
  and (:verdict = '' or notes.would_rehire = :verdict)
  and (:year = '' or notes.year = cast(:year as integer))
group by 1, 3, 4"""


async def home(db, limit: int = 8) -> dict[str, Any]:
    """The home page's ready-made questions: the skills with the most notes."""
    rows = (await db.execute(POPULAR_SKILLS, {"limit": limit})).rows
    return {"skills": [dict(r) for r in rows]}


async def _closest_skill(db, text: str) -> dict[str, Any] | None:
    """The skill whose alias is closest to ``text``; None when ``text`` names one exactly
    or nothing is close."""
    key = normalize(text)
    if not key:
        return None
    aliases = dict((await db.execute("select alias, skill_id from skill_aliases")).rows)
    if key in aliases:
        return None
    close = difflib.get_close_matches(key, list(aliases), n=1, cutoff=0.5)
    if not close:
        return {"label": None}
    rows = (
        await db.execute(
            "select fms_label(label_fr, label_en) as label from skills where id = ?",
            [aliases[close[0]]],
        )
    ).rows
    return {"label": rows[0]["label"]} if rows else {"label": None}


async def _unknown_seniority(db, text: str) -> bool:
    key = normalize(text)
    if not key:
        return False
    rows = (
        await db.execute("select 1 from seniority_aliases where alias = ?", [key])
    ).rows
    return not rows


async def _facets(db, args) -> dict[str, Any]:
    """How many notes match the search, and per skill, verdict and year."""
    from_args = {k: (args.get(k) or "").strip() for k in ("skill", "verdict", "year")}
    q = (args.get("q") or "").strip()
    if not q:
        return {"total": 0, "skill": [], "verdict": [], "year": []}
    rows = (await db.execute(SEARCH_FACETS, {"q": escape_fts(q), **from_args})).rows
    groups: dict[str, dict[Any, list]] = {"skill": {}, "verdict": {}, "year": {}}
    total = 0
    for r in rows:
        total += r["n"]
        for facet, value, shown in (
            ("skill", r["skill"], r["skill"]),
            ("verdict", r["would_rehire"], r["would_rehire"]),
            ("year", r["year"], r["year"]),
        ):
            if value is None:
                continue
            entry = groups[facet].setdefault(value, [shown, 0])
            entry[1] += r["n"]
    facets: dict[str, Any] = {"total": total}
    for facet, values in groups.items():
        ordered = sorted(values.items(), key=lambda kv: (-kv[1][1], str(kv[0])))
        if facet == "year":
            ordered = sorted(values.items(), key=lambda kv: -int(kv[0]))
        facets[facet] = [
            {"value": value, "label": shown, "count": count,
             "selected": str(value) == from_args[facet],
             "url": _toggle(args, facet, value, str(value) == from_args[facet])}
            for value, (shown, count) in ordered[:12]
        ]  # fmt: skip
    return facets


def _toggle(args, facet: str, value: Any, selected: bool) -> str:
    """The query string of the search with ``facet`` set to ``value`` (removed if selected)."""
    kept = {k: v for k, v in ((k, args.get(k)) for k in args.keys()) if v and k != facet}
    if not selected:
        kept[facet] = str(value)
    return "?" + urlencode(kept)


async def answer(db, name: str, args) -> dict[str, Any]:
    """What an answer page shows besides the rows: parameters' labels, a suggestion for a
    skill or seniority that names nothing, the search's facets."""
    result: dict[str, Any] = {"name": name, "params": QUESTIONS[name], "columns": COLUMNS}
    skill = (args.get("skill") or "").strip()
    if "skill" in QUESTIONS[name] and skill:
        result["suggestion"] = await _closest_skill(db, skill)
    seniority = (args.get("seniority") or "").strip()
    if "seniority" in QUESTIONS[name] and seniority:
        result["unknown_seniority"] = await _unknown_seniority(db, seniority)
    if name == "notes_mentioning":
        result["facets"] = await _facets(db, args)
    if name == "fair_rate" and skill:
        result["chart"] = await _benchmark_chart(db, skill)
    return result


async def _benchmark_chart(db, skill: str) -> str | None:
    """The rate benchmark of ``skill`` as one box per seniority (plotly.js, like the
    notebooks' benchmark chart): quartiles, minimum and maximum of the rates paid."""
    rows = [dict(r) for r in (await db.execute(BENCHMARK_BOXES, {"skill": skill})).rows]
    if not rows:
        return None
    box = {
        "type": "box", "name": rows[0]["skill"], "marker": {"color": "#8da0cb"},
        "x": [word("seniority", r["seniority"]) for r in rows],
        "q1": [r["q1_rate"] for r in rows], "median": [r["median_rate"] for r in rows],
        "q3": [r["q3_rate"] for r in rows], "lowerfence": [r["min_rate"] for r in rows],
        "upperfence": [r["max_rate"] for r in rows],
    }  # fmt: skip
    layout = {"height": 300, "margin": {"l": 60, "r": 10, "t": 10, "b": 40},
              "yaxis": {"title": {"text": _("Daily rate (EUR/day)")}}, "showlegend": False}
    return json.dumps({"data": [box], "layout": layout,
                       "config": {"displayModeBar": False, "locale": current_lang()}})
