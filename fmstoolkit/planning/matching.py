"""Matching: ranking the freelancers who could fill a role, with the reasons in words.

Built for tens of thousands of freelancers and hundreds of thousands of past missions: a role
is ranked with one set-based query (the candidates with the skill, through
``idx_freelancer_skills_skill``; their busy periods over the request's dates, through the
``(freelancer_id, start_date, end_date)`` indexes of missions and unavailability; their
collaboration record from ``collaboration_stats``, kept exact by triggers) and the scoring
happens in Python, where every point of the score can be explained. Words are only written for
the candidates returned (``top``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import sqlite_utils

from ..errors import InvalidState, NotFound
from ._common import STALE_DAYS, _date, _fmt_date, _lang, _seniority_word, _t, _today
from .calendar import working_days
from .free_busy import _classify, _status_of
from .rates import _POSITION_WORDS, _benchmarks_by_seniority, _position
from .requests import get_request


@dataclass
class Candidate:
    """One freelancer ranked for one role of a request, with the reasons for the rank."""

    freelancer_id: int
    name: str
    score: float
    rate: int | None
    availability: str  # free | partial | busy
    explanation: str
    reasons: list[str] = field(default_factory=list)
    level: int = 0
    seniority: str = "confirmed"
    headline: str | None = None
    city: str | None = None
    role_id: int | None = None
    free_days: list[str] = field(default_factory=list)
    busy_days: list[str] = field(default_factory=list)
    missions: int = 0
    avg_rating: float | None = None
    would_rehire: str | None = None
    last_mission_end: str | None = None
    within_budget: bool | None = None
    rate_position: str | None = None
    confirmed_at: str | None = None
    confirmed_by: str | None = None
    freshness_days: int | None = None
    freshness: str = ""
    poll_answer: str | None = None
    components: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pick_role(req: Mapping[str, Any], role_id: int | None) -> dict[str, Any]:
    roles = req["roles"]
    if not roles:
        raise InvalidState(
            "Request #{id} has no role to staff.",
            "La demande n° {id} n'a aucun rôle.",
            id=req["id"],
        )
    if role_id is None:
        return next((r for r in roles if not r["filled"]), roles[0])
    for role in roles:
        if role["id"] == role_id:
            return role
    raise NotFound(
        "Request #{id} has no role #{role}.",
        "La demande n° {id} n'a pas de rôle n° {role}.",
        field="role",
        id=req["id"],
        role=role_id,
    )


_SKILLED_FROM = (
    "FROM freelancer_skills fs JOIN freelancers f ON f.id = fs.freelancer_id "
    "WHERE fs.skill_id = :skill AND fs.level >= :level AND f.status IN ('active', 'alumni') "
    "AND f.opted_out_at IS NULL"
)
_MISSIONS_OVERLAP = (
    "FROM missions m WHERE m.freelancer_id = f.id AND m.start_date <= :end "
    "AND m.end_date >= :start AND m.status IN ('planned', 'active', 'ending')"
)
_UNAVAILABLE_OVERLAP = (
    "FROM unavailability u WHERE u.freelancer_id = f.id AND u.start_date <= :end "
    "AND u.end_date >= :start"
)
#: The one query of a ranking: the candidates with the skill (idx_freelancer_skills_skill),
#: their busy periods over the request (idx_missions_freelancer_dates and
#: idx_unavailability_freelancer_dates, as "startend" pairs) and their collaboration record
#: (collaboration_stats, kept by triggers).
_CANDIDATES_SQL = (
    "SELECT f.id, f.name, f.headline, f.city, f.seniority, f.daily_rate, "
    "f.availability_confirmed_at, f.availability_confirmed_by, fs.level, "
    "(SELECT group_concat(m.start_date || m.end_date) " + _MISSIONS_OVERLAP + "), "
    "(SELECT group_concat(u.start_date || u.end_date) " + _UNAVAILABLE_OVERLAP + "), "
    "s.missions, s.last_end, s.rating_avg, s.notes, s.rehire_yes, s.rehire_maybe, s.rehire_no "
    + _SKILLED_FROM.replace(
        " WHERE ", " LEFT JOIN collaboration_stats s ON s.freelancer_id = f.id WHERE ", 1
    )
)

#: Baseline of the benchmark: the single indexed query finding the free freelancers with a skill.
AVAILABLE_SQL = (
    "SELECT f.id, f.name, fs.level "
    + _SKILLED_FROM
    + " AND NOT EXISTS (SELECT 1 "
    + _MISSIONS_OVERLAP
    + ") AND NOT EXISTS (SELECT 1 "
    + _UNAVAILABLE_OVERLAP
    + ")"
)


def _periods(*packed: str | None) -> list[tuple[str, str]]:
    """ "2026-12-012026-12-04,..." (group_concat of start || end) -> [(start, end), ...]."""
    out = []
    for text in packed:
        if text:
            out += [(p[:10], p[10:20]) for p in text.split(",")]
    return out


def _ago(days: int, lang: str) -> str:
    if days <= 0:
        return "aujourd'hui" if lang == "fr" else "today"
    if days == 1:
        return "hier" if lang == "fr" else "yesterday"
    if days < 60:
        return f"il y a {days} jours" if lang == "fr" else f"{days} days ago"
    months = round(days / 30.4)
    if months < 24:
        return f"il y a {months} mois" if lang == "fr" else f"{months} months ago"
    return f"il y a {days // 365} ans" if lang == "fr" else f"{days // 365} years ago"


@lru_cache(maxsize=4096)
def _freshness(
    confirmed_at: str | None, by: str | None, today: dt.date, lang: str
) -> tuple[int | None, str]:
    """How fresh a confirmed availability is, in days and in words. Cached: candidates share
    a few hundred (date, source) pairs, and ranking explains hundreds of them per request."""
    if not confirmed_at:
        return (
            None,
            "disponibilité jamais confirmée" if lang == "fr" else "availability never confirmed",
        )
    days = (today - _date(confirmed_at)).days
    how = {
        "answer": "par sa réponse" if lang == "fr" else "by their answer",
        "declared": "par une période déclarée" if lang == "fr" else "by a declared period",
        "manager": "par un manager" if lang == "fr" else "by a manager",
        "import": "par un import" if lang == "fr" else "by an import",
    }.get(by or "", "")
    when = _ago(days, lang)
    if days > STALE_DAYS:
        text = (
            f"disponibilité ancienne : confirmée {when}"
            if lang == "fr"
            else f"availability stale: last confirmed {when}"
        )
    else:
        text = (
            f"disponibilité confirmée {when}" if lang == "fr" else f"availability confirmed {when}"
        )
    return (days, f"{text} {how}".strip())


@lru_cache(maxsize=4096)
def _last_ended(last_end: str | None, day0: dt.date, lang: str) -> str:
    ago = _ago((day0 - _date(last_end)).days if last_end else 9999, lang)
    return f", dernière finie {ago}" if lang == "fr" else f", last ended {ago}"


def rank_candidates(
    db: sqlite_utils.Database,
    request_id: int,
    *,
    role_id: int | None = None,
    top: int | None = None,
    today: dt.date | str | None = None,
    min_level: int | None = None,
    free_only: bool = False,
    under_budget: bool = False,
    lang: str | None = None,
) -> list[Candidate]:
    """The freelancers who could fill a role of a request, best first, each with its reasons.

    The score (0-100) adds four parts:

    * skill, up to 30: the level in the role's skill (level / 5);
    * availability, up to 25: the share of the request's working days that are free
      (a "no" to this request's poll counts as not available);
    * collaboration, up to 25: average collaboration-note rating, would-rehire answers, number
      of past missions and how recent the last one is (a newcomer gets a neutral 8);
    * rate, up to 20: within the budget (role or request maximum) and where the rate stands in
      the agency's benchmark for the skill and the freelancer's seniority.

    Opted-out, inactive and forgotten freelancers never appear. ``role_id`` defaults to the
    first unfilled role. ``min_level`` raises the role's minimum; ``free_only`` keeps the fully
    free; ``under_budget`` keeps those whose known rate is within the budget.
    """
    lang = _lang(lang)
    day0 = _today(today)
    req = get_request(db, request_id, lang=lang)
    role = _pick_role(req, role_id)
    budget = role["max_rate"] or req["max_rate"]
    level = max(role["min_level"], min_level or 1)
    params = {
        "skill": role["skill_id"],
        "level": level,
        "start": req["start_date"],
        "end": req["end_date"],
    }
    conn = db.conn
    people = conn.execute(_CANDIDATES_SQL, params).fetchall()
    if not people:
        return []
    polls = dict(
        conn.execute(
            "SELECT freelancer_id, answer FROM polls WHERE request_id = ?", [request_id]
        ).fetchall()
    )
    days = [d.isoformat() for d in working_days(_date(req["start_date"]), _date(req["end_date"]))]
    benches = _benchmarks_by_seniority(db, role["skill_id"], day0)
    label = role["skill_label"]

    # First pass: numbers only (cheap), for every candidate.
    scored: list[tuple] = []
    n_days = len(days)
    recency: dict[str | None, float] = {}
    for person in people:
        fid, name, _h, _c, seniority, rate, _ca, _cb, lvl, m_busy, u_busy = person[:11]
        if m_busy or u_busy:
            periods = _periods(m_busy, u_busy)
            free, busy_days = _classify(days, periods)
        else:
            free, busy_days = days, []
        if free_only and busy_days:
            continue
        within = None if budget is None or rate is None else rate <= budget
        if under_budget and within is False:
            continue
        answer = polls.get(fid) if polls else None
        skill_pts = 6.0 * lvl
        avail_pts = 25.0 * len(free) / n_days if n_days else 25.0
        if answer == "no":
            avail_pts = 0.0
        elif answer == "maybe":
            avail_pts *= 0.8
        hist = person[11:] if person[11] else None
        if hist is None:
            collab_pts = 8.0
        else:
            n_missions, last_end, avg_rating, n_notes, yes, maybe, no = hist
            yes, maybe, no = yes or 0, maybe or 0, no or 0
            rating_pts = 2.5 * (avg_rating - 1) if avg_rating is not None else 5.0
            if n_notes:
                rehire_pts = (6.0 * (yes + 0.5 * maybe) - 10.0 * no) / n_notes
            else:
                rehire_pts = 3.0
            count_pts = min(n_missions, 5)
            recency_pts = recency.get(last_end)
            if recency_pts is None:
                age = (day0 - dt.date.fromisoformat(last_end)).days if last_end else 9999
                recency_pts = recency[last_end] = 4.0 * max(0.0, 1 - max(age, 0) / 730)
            collab_pts = max(0.0, min(25.0, rating_pts + rehire_pts + count_pts + recency_pts))
        bench = benches.get(seniority) or _NO_BENCH
        pos = _position(rate, bench)
        if rate is None:
            rate_pts = 8.0
        else:
            if within is False:
                budget_pts = max(0.0, 10.0 - 50.0 * (rate - budget) / budget)
            else:
                budget_pts = 10.0
            rate_pts = budget_pts + _POSITION_POINTS.get(pos, 5.0)
        score = round(skill_pts + avail_pts + collab_pts + rate_pts, 1)
        parts = (skill_pts, avail_pts, collab_pts, rate_pts)
        scored.append((-score, name, fid, person, free, busy_days, within, pos, parts))
    scored.sort(key=lambda s: s[:3])
    if top:
        scored = scored[:top]

    # Second pass: words, only for the candidates returned.
    out: list[Candidate] = []
    for neg_score, name, fid, person, free, busy_days, within, pos, parts in scored:
        _f, _n, headline, city, seniority, rate, conf_at, conf_by, lvl = person[:9]
        answer = polls.get(fid)
        hist = person[11:] if person[11] else None
        bench = benches.get(seniority) or _NO_BENCH
        reasons = _reasons(
            lang,
            label=label,
            lvl=lvl,
            days=days,
            free=free,
            busy_days=busy_days,
            answer=answer,
            hist=hist,
            day0=day0,
            rate=rate,
            budget=budget,
            within=within,
            pos=pos,
            seniority=seniority,
            bench=bench,
        )
        fresh_days, fresh = _freshness(conf_at, conf_by, day0, lang)
        reasons.append(fresh)
        sentence = _t(lang, "; ", " ; ").join(reasons)
        n_missions, last_end, avg_rating = (hist or (0, None, None))[:3]
        rehire = None
        if hist and hist[3]:
            rehire = "no" if hist[6] else ("yes" if hist[4] else "maybe")
        out.append(
            Candidate(
                freelancer_id=fid,
                name=name,
                score=-neg_score,
                rate=rate,
                availability=_status_of(free, busy_days),
                explanation=sentence[0].upper() + sentence[1:] + ".",
                reasons=reasons,
                level=lvl,
                seniority=seniority,
                headline=headline,
                city=city,
                role_id=role["id"],
                free_days=list(free),
                busy_days=busy_days,
                missions=n_missions,
                avg_rating=round(avg_rating, 2) if avg_rating else None,
                would_rehire=rehire,
                last_mission_end=last_end,
                within_budget=within,
                rate_position=pos,
                confirmed_at=conf_at,
                confirmed_by=conf_by,
                freshness_days=fresh_days,
                freshness=fresh,
                poll_answer=answer,
                components={
                    "skill": round(parts[0], 1),
                    "availability": round(parts[1], 1),
                    "collaboration": round(parts[2], 1),
                    "rate": round(parts[3], 1),
                },
            )
        )
    return out


_NO_BENCH: dict[str, Any] = {"count": 0, "median": None}
_POSITION_POINTS = {"below": 10.0, "low": 9.0, "typical": 6.0, "high": 3.0, "above": 0.0}


def _reasons(
    lang: str,
    *,
    label: str,
    lvl: int,
    days: list[str],
    free: list[str],
    busy_days: list[str],
    answer: str | None,
    hist: tuple | None,
    day0: dt.date,
    rate: int | None,
    budget: int | None,
    within: bool | None,
    pos: str | None,
    seniority: str,
    bench: Mapping[str, Any],
) -> list[str]:
    """The facts behind a candidate's score, in words (see :func:`rank_candidates`)."""
    reasons = [
        _level_words(lang, lvl, label),
        _availability_words(lang, len(days), len(free), tuple(busy_days[:4])),
    ]
    if answer == "no":
        reasons.append(
            "a répondu non à cette demande" if lang == "fr" else "answered no to this request"
        )
    elif answer == "yes":
        reasons.append(
            "a répondu oui à cette demande" if lang == "fr" else "answered yes to this request"
        )
    elif answer == "maybe":
        reasons.append(
            "a répondu peut-être à cette demande"
            if lang == "fr"
            else "answered maybe to this request"
        )
    if hist is None:
        reasons.append(
            "aucune mission passée avec l'agence"
            if lang == "fr"
            else "no past mission with the agency"
        )
    else:
        n_missions, last_end, avg_rating, n_notes, yes, maybe, no = hist
        yes, no = (yes or 0, no or 0)
        plural = "s" if n_missions > 1 else ""
        words = (
            f"{n_missions} mission{plural} passée{plural}"
            if lang == "fr"
            else f"{n_missions} past mission{plural}"
        )
        if avg_rating is not None:
            words += (
                f" notée{plural} {avg_rating:.1f}/5"
                if lang == "fr"
                else f" rated {avg_rating:.1f}/5"
            )
        if n_notes and no:
            words += (
                f", à ne pas reprendre ({no} note{('s' if no > 1 else '')} sur {n_notes})"
                if lang == "fr"
                else f", would not rehire ({no} of {n_notes} notes)"
            )
        elif n_notes and yes:
            words += (
                f", à reprendre ({yes} note{('s' if yes > 1 else '')} sur {n_notes})"
                if lang == "fr"
                else f", would rehire ({yes} of {n_notes} notes)"
            )
        if last_end and last_end >= day0.isoformat():
            words += (
                f", en mission jusqu'au {_fmt_date(last_end, lang)}"
                if lang == "fr"
                else f", on a mission until {last_end}"
            )
        else:
            words += _last_ended(last_end, day0, lang)
        reasons.append(words)
    reasons.append(_rate_words(lang, rate, budget, within, pos, seniority, bench.get("median")))
    return reasons


@lru_cache(maxsize=512)
def _level_words(lang: str, lvl: int, label: str) -> str:
    return f"niveau {lvl}/5 en {label}" if lang == "fr" else f"level {lvl}/5 in {label}"


@lru_cache(maxsize=4096)
def _availability_words(lang: str, n_days: int, n_free: int, busy: tuple[str, ...]) -> str:
    """Free, partly free (the first busy days shown) or busy, in words. ``busy`` holds at most
    four busy days: three are shown, a fourth means "and more"."""
    if not busy:
        return (
            f"libre les {n_days} jours ouvrés" if lang == "fr"
            else f"free on all {n_days} working days"
        )
    if n_free:
        shown = ", ".join(busy[:3]) + ("…" if len(busy) > 3 else "")
        return (
            f"libre {n_free} jours ouvrés sur {n_days} (occupé {shown})"
            if lang == "fr"
            else f"free {n_free} of {n_days} working days (busy {shown})"
        )
    return (
        "occupé tous les jours ouvrés de la demande"
        if lang == "fr"
        else "busy on every working day of the request"
    )


@lru_cache(maxsize=4096)
def _rate_words(
    lang: str,
    rate: int | None,
    budget: int | None,
    within: bool | None,
    pos: str | None,
    seniority: str,
    median: float | None,
) -> str:
    """The rate against the budget and the agency's benchmark, in words. Cached: rates are
    round numbers, so a few hundred combinations cover every candidate of a request."""
    if rate is None:
        return "tarif journalier inconnu" if lang == "fr" else "daily rate unknown"
    if budget is None:
        words = f"{rate} €/j" if lang == "fr" else f"{rate} €/day"
    elif within:
        words = (
            f"{rate} €/j, dans le budget de {budget} €"
            if lang == "fr"
            else f"{rate} €/day, within the {budget} € budget"
        )
    else:
        words = (
            f"{rate} €/j, {rate - budget} € au-dessus du budget de {budget} €"
            if lang == "fr"
            else f"{rate} €/day, {rate - budget} € over the {budget} € budget"
        )
    if pos:
        en, fr = _POSITION_WORDS[pos]
        words += (
            f", {fr} pour un profil {_seniority_word(seniority, lang)} "
            f"(médiane {median:g} €)"
            if lang == "fr"
            else f", {en} for a {seniority} (median {median:g} €)"
        )
    return words


def rank_roles(
    db: sqlite_utils.Database,
    request_id: int,
    *,
    top: int | None = None,
    today: dt.date | str | None = None,
    lang: str | None = None,
) -> dict[int, list[Candidate]]:
    """The ranked candidates of every role of a request, by role id."""
    req = get_request(db, request_id)
    return {
        r["id"]: rank_candidates(db, request_id, role_id=r["id"], top=top, today=today, lang=lang)
        for r in req["roles"]
    }
