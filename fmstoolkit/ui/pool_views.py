"""The talent pool app's pages as HTML: a freelancer's profile, the skills coverage, who is free
next month, the alumni not contacted for long.

Every value is escaped and every word goes through the translation layer (statuses through
:func:`fmstoolkit.i18n_labels.status_label`, dates, money and numbers through Babel). Contact
data is never read: the profile is :func:`fmstoolkit.pool.profile` without ``with_contact``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from .. import clock, planning, pool
from ..errors import FmsError
from ..i18n import N_, format_date, format_money, format_month, format_number
from ..i18n_labels import status_label
from .common import translate

TEXTS = {
    "skills": N_("Skills"),
    "no_skill": N_("No skill recorded."),
    "level": N_("level {level}/5"),
    "missions": N_("Missions"),
    "no_mission": N_("No mission with the agency yet."),
    "mission_row": N_("{project} · {skill} · {start} → {end} · {rate}/day · {status}"),
    "rating": N_("rated {rating}/5, would rehire: {rehire}"),
    "notes": N_("Collaboration notes"),
    "no_note": N_("No note written yet."),
    "note_row": N_("{date} · {project} · {author}: {text}"),
    "rates": N_("Daily rate against the agency's benchmark"),
    "no_rate": N_("No daily rate recorded."),
    "availability": N_("Availability"),
    "lists": N_("Lists"),
    "no_list": N_("In no list."),
    "opted_out": N_("Opted out on {date}: no message, no staffing proposal."),
    "rate": N_("{rate}/day"),
    "cov_head": N_("Skill|People|Level 4 or 5|Free today"),
    "free_title": N_("Free for the whole of {month}"),
    "free_none": N_("Nobody is free for the whole of {month}."),
    "quiet_title": N_("Alumni without news for more than {days} days"),
    "quiet_none": N_("Every alumnus heard from the agency recently."),
    "quiet_row": N_("{name} · {headline} · last contact {when}"),
    "never": N_("never"),
    "free_row": N_("{name} · {headline} · {city} · {rate}/day · {fresh}"),
}  # fmt: skip


def say(key: str, lang: str, **params: Any) -> str:
    return html.escape(translate(TEXTS, key, lang, **params))


def _ul(items: list[str], empty: str) -> str:
    body = "".join(f"<li>{i}</li>" for i in items) or f"<li><i>{empty}</i></li>"
    return f"<ul>{body}</ul>"


def _esc(value: Any) -> str:
    return html.escape(str(value or ""))


def skill_labels(db: sqlite_utils.Database, lang: str) -> dict[str, str]:
    """Each skill's code name mapped to its label in ``lang``."""
    return {s["name"]: pool.skill_label(s, lang) for s in pool.skills(db)}


def freshness(row: Mapping[str, Any], lang: str) -> str:
    return planning.availability_freshness(row.get("availability_confirmed_at"),
                                           row.get("availability_confirmed_by"),
                                           clock.today(), lang)  # fmt: skip


def _rates(db: sqlite_utils.Database, data: Mapping[str, Any], lang: str) -> list[str]:
    if not data["daily_rate"]:
        return []
    lines = []
    for skill in data["skills"][:3]:
        try:
            pos = planning.rate_position(db, skill["skill_id"], data["seniority"],
                                         data["daily_rate"], lang=lang)  # fmt: skip
        except FmsError:  # a rate the benchmark cannot read: say nothing rather than guess
            continue
        lines.append(html.escape(pos["text"]))
    return lines


def profile_html(db: sqlite_utils.Database, freelancer_id: int, lang: str) -> str:
    """A freelancer as a manager reads them, in ``lang``."""
    data = pool.profile(db, freelancer_id)
    labels = skill_labels(db, lang)
    rate = data["daily_rate"]
    head = " · ".join(x for x in [
        _esc(data["headline"]), _esc(data["city"]),
        html.escape(status_label("seniority", data["seniority"], lang)),
        html.escape(status_label("freelancer", data["status"], lang)),
        say("rate", lang, rate=format_money(rate, lang)) if rate else "",
    ] if x)  # fmt: skip
    row = pool.freelancer_row(db, freelancer_id)
    parts = [f"<h3>{_esc(data['name'])}</h3><p>{head}</p>"]
    if row["opted_out_at"]:
        parts.append(f"<p><b>{say('opted_out', lang, date=format_date(row['opted_out_at'], lang))}"
                     "</b></p>")  # fmt: skip
    parts.append(f"<h4>{say('availability', lang)}</h4><p>{html.escape(freshness(row, lang))}</p>")
    skills = [f"{html.escape(pool.skill_label(s, lang))} · {say('level', lang, level=s['level'])}"
              for s in data["skills"]]  # fmt: skip
    parts.append(f"<h4>{say('skills', lang)}</h4>" + _ul(skills, say("no_skill", lang)))
    parts.append(f"<h4>{say('rates', lang)}</h4>" + _ul(_rates(db, data, lang),
                                                        say("no_rate", lang)))  # fmt: skip
    missions = []
    for m in data["missions"]:
        line = say("mission_row", lang, project=m["project"],
                   skill=labels.get(m["skill"], "") if m["skill"] else "",
                   start=format_date(m["start_date"], lang), end=format_date(m["end_date"], lang),
                   rate=format_money(m["daily_rate"], lang),
                   status=status_label("mission", m["status"], lang))  # fmt: skip
        if m["rating"] is not None:
            line += " · " + say("rating", lang, rating=format_number(m["rating"], lang),
                                rehire=status_label("answer", m["would_rehire"], lang))  # fmt: skip
        missions.append(line)
    parts.append(f"<h4>{say('missions', lang)}</h4>" + _ul(missions, say("no_mission", lang)))
    notes = [say("note_row", lang, date=format_date(n["created_at"], lang), project=n["project"],
                 author=n["author"], text=n["text"] or "")
             for n in pool.last_notes(db, freelancer_id)]  # fmt: skip
    parts.append(f"<h4>{say('notes', lang)}</h4>" + _ul(notes, say("no_note", lang)))
    parts.append(f"<h4>{say('lists', lang)}</h4>"
                 + _ul([_esc(n) for n in data["lists"]], say("no_list", lang)))  # fmt: skip
    return "".join(parts)


def coverage_html(db: sqlite_utils.Database, lang: str) -> str:
    """The skills of the catalogue, thinnest coverage first, as a table."""
    names = translate(TEXTS, "cov_head", lang).split("|")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in names)
    rows = "".join(
        f"<tr><td>{html.escape(pool.skill_label(r, lang))}</td><td>{r['people']}</td>"
        f"<td>{r['experts']}</td><td>{r['free_now']}</td></tr>"
        for r in pool.coverage(db)
    )
    return f'<table class="fms-coverage"><tr>{head}</tr>{rows}</table>'


def free_html(db: sqlite_utils.Database, lang: str) -> str:
    first, _last = pool.next_month()
    month = format_month(first, lang)
    items = [say("free_row", lang, name=r["name"], headline=r["headline"] or "",
                 city=r["city"] or "",
                 rate=format_money(r["daily_rate"], lang), fresh=freshness(r, lang))
             for r in pool.free_next_month(db)]  # fmt: skip
    return (f"<h4>{say('free_title', lang, month=month)}</h4>"
            + _ul(items, say("free_none", lang, month=month)))  # fmt: skip


def quiet_html(db: sqlite_utils.Database, lang: str) -> str:
    items = [say("quiet_row", lang, name=r["name"], headline=r["headline"] or "",
                 when=format_date(r["last_contact"], lang) if r["last_contact"]
                 else translate(TEXTS, "never", lang))
             for r in pool.quiet_alumni(db)]  # fmt: skip
    return (f"<h4>{say('quiet_title', lang, days=pool.QUIET_DAYS)}</h4>"
            + _ul(items, say("quiet_none", lang)))  # fmt: skip
