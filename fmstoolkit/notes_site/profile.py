"""A freelancer's page on the notes site: what the project lead reads about one freelancer.

:func:`load` reads, with the page's database connection, the public profile (headline, city,
seniority, ratings, would-rehire share), the skills with their levels, the missions, the notes
with author and date, the recommendations and the feedback, the agency's rate benchmark of the
freelancer's skills at their seniority, and builds the two charts of the page (daily rates
against the benchmark, ratings over time) as plotly.js figures (plain dicts, serialised once:
building ``plotly.graph_objects`` figures would cost more than the page's queries).

Every query is by ``freelancer_id`` on an indexed column: the page stays under 100 ms at
180,000 notes (``benchmarks/bench_publish.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import plotly

from ..i18n import _, current_lang, format_money, format_number

MAX_ROWS = 200
PALETTE = {"rate": "#1f77b4", "band": "rgba(127,127,127,0.18)", "median": "#7f7f7f",
           "rating": "#2ca02c"}  # fmt: skip

FREELANCER = """select id, name, headline, city, seniority, status, daily_rate, missions_count,
    notes_count, avg_quality, avg_communication, avg_deadlines, avg_autonomy, avg_rating,
    would_rehire_share, last_would_rehire, first_mission_start, last_mission_end,
    last_daily_rate
from freelancers where id = :id"""
SKILLS = """select s.id, fms_label(s.label_fr, s.label_en) as label, fs.level
from freelancer_skills fs join skills s on s.id = fs.skill_id
where fs.freelancer_id = :id order by fs.level desc, label"""
MISSIONS = f"""select m.id, m.title, m.start_date, m.end_date, m.days, m.daily_rate, m.status,
    m.skill_id, p.name as project, fms_label(s.label_fr, s.label_en) as skill
from missions m join projects p on p.id = m.project_id left join skills s on s.id = m.skill_id
where m.freelancer_id = :id order by m.start_date desc limit {MAX_ROWS}"""
NOTES = f"""select n.id, n.mission_id, n.author, n.created_at, n.quality, n.communication,
    n.deadlines, n.autonomy, n.average, n.would_rehire, n.text, m.title as mission,
    m.end_date, p.name as project
from notes n join missions m on m.id = n.mission_id join projects p on p.id = m.project_id
where n.freelancer_id = :id order by m.end_date desc, n.id desc limit {MAX_ROWS}"""
RECOMMENDATIONS = f"""select r.id, r.author, r.text, r.created_at, m.title as mission,
    p.name as project
from recommendations r join missions m on m.id = r.mission_id
join projects p on p.id = m.project_id
where r.freelancer_id = :id order by r.created_at desc, r.id desc limit {MAX_ROWS}"""
FEEDBACK = f"""select f.id, f.source, f.onboarding, f.integration, f.clarity, f.suggestions,
    f.created_at, m.title as mission, p.name as project
from feedback f join missions m on m.id = f.mission_id join projects p on p.id = m.project_id
where f.freelancer_id = :id order by f.created_at desc, f.id desc limit {MAX_ROWS}"""
BENCHMARK = """select b.skill_id, fms_label(s.label_fr, s.label_en) as skill, b.missions,
    b.q1_rate, b.median_rate, b.q3_rate
from rate_benchmarks b join skills s on s.id = b.skill_id
where b.seniority = :seniority and b.skill_id in (
    select skill_id from missions where freelancer_id = :id and skill_id is not null)"""


def plotly_js_path() -> Path:
    """plotly.js as the ``plotly`` package ships it (the notebooks' version): no CDN."""
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


async def _rows(db, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(r) for r in (await db.execute(sql, params)).rows]


def _main_skill(missions: list[dict[str, Any]], bench: dict[int, dict]) -> dict | None:
    """The benchmark of the skill the freelancer had most missions in (ties: the latest)."""
    counts: dict[int, int] = {}
    for m in missions:
        if m["skill_id"] in bench:
            counts[m["skill_id"]] = counts.get(m["skill_id"], 0) + 1
    if not counts:
        return None
    return bench[max(counts, key=lambda k: counts[k])]


def rate_chart(missions: list[dict[str, Any]], bench: dict | None) -> dict[str, Any]:
    """Daily rate of each mission over time, with the benchmark's quartile band and median."""
    points = sorted((m for m in missions if m["daily_rate"]), key=lambda m: m["start_date"])
    xs = [m["start_date"] for m in points]
    data: list[dict[str, Any]] = []
    if bench and xs:
        ends = [xs[0], max(xs[-1], points[-1]["end_date"])]
        data += [
            {"x": ends, "y": [float(bench["q1_rate"])] * 2, "mode": "lines",
             "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False},
            {"x": ends, "y": [float(bench["q3_rate"])] * 2, "mode": "lines", "fill": "tonexty",
             "fillcolor": PALETTE["band"], "line": {"width": 0},
             "name": _("Agency benchmark, middle half ({skill})").format(skill=bench["skill"])},
            {"x": ends, "y": [float(bench["median_rate"])] * 2, "mode": "lines",
             "line": {"color": PALETTE["median"], "dash": "dash"},
             "name": _("Agency median: {rate}").format(rate=format_money(bench["median_rate"]))},
        ]  # fmt: skip
    data.append({
        "x": xs, "y": [m["daily_rate"] for m in points], "mode": "lines+markers",
        "name": _("Daily rate of the mission"), "line": {"color": PALETTE["rate"]},
        "text": [f"{m['project']} · {m['skill'] or ''}" for m in points],
    })  # fmt: skip
    return _figure(data, _("Daily rate (EUR/day)"))


def ratings_chart(notes: list[dict[str, Any]]) -> dict[str, Any]:
    """The average of each note's four ratings, by the end date of its mission."""
    points = sorted((n for n in notes if n["average"] is not None), key=lambda n: n["end_date"])
    data = [{
        "x": [n["end_date"] for n in points], "y": [n["average"] for n in points],
        "mode": "lines+markers", "name": _("Average of the four ratings"),
        "line": {"color": PALETTE["rating"]}, "text": [n["project"] for n in points],
    }]  # fmt: skip
    figure = _figure(data, _("Rating (1-5)"))
    figure["layout"]["yaxis"]["range"] = [0.5, 5.5]
    return figure


def _separators() -> str:
    """plotly's decimal and thousands separators, as the reader's language writes numbers."""
    written = format_number(1234.5, digits=1)  # "1 234,5" or "1,234.5"
    return written[-2] + written[1]


def _figure(data: list[dict[str, Any]], y_title: str) -> dict[str, Any]:
    return {
        "data": data,
        "layout": {
            "height": 280, "margin": {"l": 60, "r": 10, "t": 10, "b": 40},
            "yaxis": {"title": {"text": y_title}}, "xaxis": {"type": "date"},
            "legend": {"orientation": "h", "y": -0.25}, "separators": _separators(),
        },
        "config": {"displayModeBar": False, "locale": current_lang(), "responsive": True},
    }  # fmt: skip


async def load(db, pks: str) -> dict[str, Any] | None:
    """Everything a freelancer's page shows; None when there is no such freelancer (Datasette
    answers 404 before the template is drawn)."""
    try:
        fid = int(str(pks).split(",")[0])
    except ValueError:
        return None
    params = {"id": fid}
    found = await _rows(db, FREELANCER, params)
    if not found:
        return None
    person = found[0]
    missions = await _rows(db, MISSIONS, params)
    notes = await _rows(db, NOTES, params)
    bench = {
        b["skill_id"]: b
        for b in await _rows(db, BENCHMARK, params | {"seniority": person["seniority"] or ""})
    }
    main = _main_skill(missions, bench)
    return {
        "freelancer": person,
        "skills": await _rows(db, SKILLS, params),
        "missions": missions,
        "notes": notes,
        "recommendations": await _rows(db, RECOMMENDATIONS, params),
        "feedback": await _rows(db, FEEDBACK, params),
        "benchmark": main,
        "rate_chart": json.dumps(rate_chart(missions, main), ensure_ascii=False),
        "ratings_chart": json.dumps(ratings_chart(notes), ensure_ascii=False),
    }
